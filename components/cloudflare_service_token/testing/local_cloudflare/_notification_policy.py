"""`cloudflare.NotificationPolicy` (an alerting policy, such as the expiring-service-token alert)
as pulumi-cloudflare 6 runs it: an account change replaces it, anything else updates it in place.

pulumi-cloudflare's names are not the API's: `mechanisms.emails` is `mechanisms.email`,
`mechanisms.pagerduties` is `mechanisms.pagerduty`, `filters.tokenIds` is `filters.token_id`
(the cloudflare SDK 5.x types, `cloudflare/types/alerting/`). Only the token filter is modeled.
Creating and updating answer with the id alone, so `created` and `modified` are known after a
Read, as with the real provider.
"""

from collections.abc import Collection
from typing import Any

from ._kind import UNKNOWN, Api, Field, Kind, Values

_MECHANISMS = {"emails": "email", "pagerduties": "pagerduty", "webhooks": "webhooks"}
_FILTERS = {"tokenIds": "token_id"}


class NotificationPolicy(Kind):
    type = "cloudflare:index/notificationPolicy:NotificationPolicy"
    fields = (
        Field("accountId", replaces=True, required=True),
        Field("name", required=True),
        Field("alertType", required=True),
        Field("enabled", default=True),
        Field("mechanisms", required=True),
        Field("filters"),
        Field("description"),
        Field("alertInterval", computed=True),
    )
    unknown_until_created = ("id", "created", "modified")
    import_shapes = ("<account_id>/<policy_id>",)

    def check_values(self, news: Values) -> list[tuple[str, str]]:
        failures = []
        for name, known in (("mechanisms", _MECHANISMS), ("filters", _FILTERS)):
            value = news.get(name)
            for key in value if isinstance(value, dict) else ():
                if key not in known:
                    failures.append(
                        (
                            f"{name}.{key}",
                            f"{name}.{key} is not modeled by the local Cloudflare stand-in; "
                            f"it takes {', '.join(known)}",
                        )
                    )
        return failures

    def collection(self, scope: Values) -> str:
        return f"/accounts/{scope['accountId']}/alerting/v3/policies"

    def read_outputs(self, found: Values, scope: Values, olds: Values) -> dict[str, Any]:
        return _outputs(found, str(scope.get("accountId")))

    def create(self, api: Api, news: Values) -> tuple[str, dict[str, Any]]:
        created = api.call("POST", self.collection(news), _body(news, creating=True))
        applied = self.wanted(news, {})
        return created["id"], {**applied, "id": created["id"], "created": None, "modified": None}

    def update(
        self, api: Api, id_: str, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        wanted = self.wanted(news, olds, ignore)
        api.call("PUT", f"{self.collection(olds)}/{id_}", _body(wanted, creating=False))
        return {**olds, **wanted}

    def preview_update(
        self, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        return {**olds, **self.wanted(news, olds, ignore), "modified": UNKNOWN}


def _body(news: Values, *, creating: bool) -> dict[str, Any]:
    enabled = news.get("enabled")
    body = {
        "name": news.get("name"),
        "alert_type": news.get("alertType"),
        # Cloudflare requires `enabled` on create; pulumi-cloudflare defaults it to true.
        "enabled": True if enabled is None and creating else enabled,
        "mechanisms": _renamed(news.get("mechanisms"), _MECHANISMS),
        "filters": _renamed(news.get("filters"), _FILTERS),
        "description": news.get("description"),
        "alert_interval": news.get("alertInterval"),
    }
    return {key: value for key, value in body.items() if value is not None}


def _outputs(alert: Values, account_id: str) -> dict[str, Any]:
    reverse_mechanisms = {api: name for name, api in _MECHANISMS.items()}
    reverse_filters = {api: name for name, api in _FILTERS.items()}
    return {
        "id": alert["id"],
        "accountId": account_id,
        "name": alert.get("name"),
        "alertType": alert.get("alert_type"),
        "enabled": alert.get("enabled"),
        "mechanisms": _renamed(alert.get("mechanisms"), reverse_mechanisms),
        "filters": _renamed(alert.get("filters"), reverse_filters),
        "description": alert.get("description") or None,
        "alertInterval": alert.get("alert_interval"),
        "created": alert.get("created"),
        "modified": alert.get("modified"),
    }


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    return {names.get(key, key): item for key, item in value.items() if item is not None}
