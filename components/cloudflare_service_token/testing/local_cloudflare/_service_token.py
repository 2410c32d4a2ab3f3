"""`cloudflare.ZeroTrustAccessServiceToken` as pulumi-cloudflare 6 runs it (Terraform provider v5,
`internal/services/zero_trust_access_service_token`): an account or zone change replaces the token,
anything else updates it in place; the client secret comes only from a create (or a rotation)
and is kept from state afterwards; `duration` and `clientSecretVersion` default to 8760h and 1.
"""

from collections.abc import Collection
from typing import Any

from ._kind import UNKNOWN, Api, Field, Found, Kind, Values, bad_import_id, same, split_import_id

_PREVIOUS_EXPIRY = "previousClientSecretExpiresAt"


class ServiceToken(Kind):
    type = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
    fields = (
        Field("name", required=True),
        Field("accountId", replaces=True),
        Field("zoneId", replaces=True),
        Field("duration", default="8760h"),
        Field("enabled", computed=True),
        Field("clientSecretVersion", default=1.0),
        Field(_PREVIOUS_EXPIRY),
    )
    secret_outputs = frozenset({"clientSecret"})
    unknown_until_created = ("id", "clientId", "clientSecret", "expiresAt")
    import_shapes = ("accounts/<account_id>/<token_id>", "zones/<zone_id>/<token_id>")

    def check_values(self, news: Values) -> list[tuple[str, str]]:
        failures = []
        account, zone = news.get("accountId"), news.get("zoneId")
        if account is None and zone is None:
            failures.append(("accountId", "set accountId or zoneId: a token lives in one"))
        elif account is not None and zone is not None:
            failures.append(("zoneId", "accountId and zoneId are mutually exclusive: set one"))
        # Terraform's AlsoRequires, both ways: a rotation names its version and the old
        # secret's deadline together.
        version, deadline = news.get("clientSecretVersion"), news.get(_PREVIOUS_EXPIRY)
        if (version is None) != (deadline is None):
            given, missing = (
                ("clientSecretVersion", _PREVIOUS_EXPIRY)
                if deadline is None
                else (_PREVIOUS_EXPIRY, "clientSecretVersion")
            )
            failures.append((missing, f"{given} also requires {missing}"))
        return failures

    def collection(self, scope: Values) -> str:
        if scope.get("accountId"):
            return f"/accounts/{scope['accountId']}/access/service_tokens"
        return f"/zones/{scope.get('zoneId')}/access/service_tokens"

    def read_outputs(self, found: Values, scope: Values, olds: Values) -> dict[str, Any]:
        return _outputs(found, scope, olds.get("clientSecret"), olds)

    def create(self, api: Api, news: Values) -> tuple[str, dict[str, Any]]:
        created = api.call("POST", self.collection(news), _body(news))
        return created["id"], _outputs(created, news, created.get("client_secret"), news)

    def update(
        self, api: Api, id_: str, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        wanted = self.wanted(news, olds, ignore)
        # What changed, defaults included: leaving out a duration that was set sets 8760h.
        changed = {key: value for key, value in wanted.items() if not same(olds.get(key), value)}
        updated = api.call("PUT", f"{self.collection(olds)}/{id_}", _body(changed))
        # A PUT answers with a secret only when it bumped the version; else the old one stands.
        secret = updated.get("client_secret") or olds.get("clientSecret")
        return _outputs(updated, olds, secret, wanted)

    def preview_update(
        self, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        wanted = self.wanted(news, olds, ignore)
        rotates = not same(wanted["clientSecretVersion"], olds.get("clientSecretVersion"))
        return {
            **olds,
            **wanted,
            # Terraform plans every computed value without UseStateForUnknown as unknown.
            "expiresAt": UNKNOWN,
            "clientSecret": UNKNOWN if rotates else olds.get("clientSecret"),
        }

    def read(self, api: Api, id_: str, olds: Values, old_inputs: Values) -> Found | None:
        found = super().read(api, id_, olds, old_inputs)
        if found is not None and not olds:
            # An import implies no rotation: `clientSecretVersion` needs its deadline beside it
            # (Check), and an imported token has none to give.
            found.inputs.pop("clientSecretVersion", None)
        return found

    def imported(self, id_: str) -> tuple[dict[str, Any], str]:
        kind, scope_id, token_id = split_import_id(id_, self.import_shapes)
        scope_key = {"accounts": "accountId", "zones": "zoneId"}.get(kind)
        if scope_key is None:
            raise bad_import_id(f"{kind}/{scope_id}/{token_id}", self.import_shapes)
        return {scope_key: scope_id}, token_id


def _body(news: Values) -> dict[str, Any]:
    body = {
        "name": news.get("name"),
        "duration": news.get("duration"),
        "enabled": news.get("enabled"),
        "client_secret_version": _whole(news.get("clientSecretVersion")),
        "previous_client_secret_expires_at": news.get(_PREVIOUS_EXPIRY),
    }
    return {key: value for key, value in body.items() if value is not None}


def _outputs(token: Values, scope: Values, secret: Any, inputs: Values) -> dict[str, Any]:
    """The resource's outputs from Cloudflare's token, its scope, the secret to keep, and what
    Cloudflare never returns (the previous secret's deadline) from `inputs`."""
    return {
        "id": token["id"],
        "accountId": scope.get("accountId"),
        "zoneId": scope.get("zoneId"),
        "name": token.get("name"),
        "duration": token.get("duration"),
        "enabled": token.get("enabled"),
        "clientId": token.get("client_id"),
        "clientSecret": secret,
        "clientSecretVersion": float(token.get("client_secret_version") or 1),
        "expiresAt": token.get("expires_at"),
        _PREVIOUS_EXPIRY: inputs.get(_PREVIOUS_EXPIRY),
    }


def _whole(number: Any) -> Any:
    """The engine sends every number as a float; Cloudflare's version is a whole number."""
    return int(number) if isinstance(number, float) and number.is_integer() else number
