"""`cloudflare.ZeroTrustAccessPolicy` (a reusable, account-level Access policy) as pulumi-cloudflare
6 runs it: an account change replaces it, anything else updates it in place (Cloudflare's PUT
replaces the policy whole). Its rules are the API's with camelCase keys
(`includes: [{serviceToken: {tokenId}}]` is `include: [{service_token: {token_id}}]`).
"""

import re
from collections.abc import Collection
from typing import Any

from ._kind import UNKNOWN, Api, Field, Kind, Values

_DECISIONS = ("allow", "bypass", "deny", "non_identity")
# pulumi-cloudflare's rule lists and the API's names for them.
_RULES = {"includes": "include", "excludes": "exclude", "requires": "require"}


class AccessPolicy(Kind):
    type = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy"
    fields = (
        Field("accountId", replaces=True, required=True),
        Field("name", required=True),
        Field("decision", required=True),
        Field("includes"),
        Field("excludes"),
        Field("requires"),
        Field("sessionDuration", computed=True),
    )
    unknown_until_created = ("id", "reusable", "createdAt", "updatedAt")
    import_shapes = ("<account_id>/<policy_id>",)

    def check_values(self, news: Values) -> list[tuple[str, str]]:
        decision = news.get("decision")
        if isinstance(decision, str) and decision not in _DECISIONS:
            return [("decision", f"decision must be one of {', '.join(_DECISIONS)}")]
        return []

    def collection(self, scope: Values) -> str:
        return f"/accounts/{scope['accountId']}/access/policies"

    def read_outputs(self, found: Values, scope: Values, olds: Values) -> dict[str, Any]:
        return _outputs(found, str(scope.get("accountId")))

    def create(self, api: Api, news: Values) -> tuple[str, dict[str, Any]]:
        created = api.call("POST", self.collection(news), _body(news))
        return created["id"], _outputs(created, news["accountId"])

    def update(
        self, api: Api, id_: str, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        wanted = self.wanted(news, olds, ignore)
        updated = api.call("PUT", f"{self.collection(olds)}/{id_}", _body(wanted))
        return _outputs(updated, olds["accountId"])

    def preview_update(
        self, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        return {**olds, **self.wanted(news, olds, ignore), "updatedAt": UNKNOWN}


def _body(news: Values) -> dict[str, Any]:
    body = {
        "name": news.get("name"),
        "decision": news.get("decision"),
        **{api: _api_keys(news.get(name) or []) for name, api in _RULES.items()},
        "session_duration": news.get("sessionDuration"),
    }
    return {key: value for key, value in body.items() if value is not None}


def _outputs(policy: Values, account_id: str) -> dict[str, Any]:
    return {
        "id": policy["id"],
        "accountId": account_id,
        "name": policy.get("name"),
        "decision": policy.get("decision"),
        **{name: _wire_keys(policy.get(api) or []) for name, api in _RULES.items()},
        "sessionDuration": policy.get("session_duration"),
        "reusable": policy.get("reusable"),
        "createdAt": policy.get("created_at"),
        "updatedAt": policy.get("updated_at"),
    }


def _api_keys(value: Any) -> Any:
    """A rule as the API spells it: snake_case keys all the way down."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _api_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_keys(item) for item in value]
    return value


def _wire_keys(value: Any) -> Any:
    """A rule as pulumi-cloudflare spells it: camelCase keys all the way down."""
    if isinstance(value, dict):
        return {_camel(k): _wire_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_keys(item) for item in value]
    return value


def _camel(key: str) -> str:
    first, *rest = key.split("_")
    return first + "".join(part.title() for part in rest)
