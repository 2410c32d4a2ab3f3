"""`cloudflare.ZeroTrustAccessPolicy` (a reusable, account-level Access policy) as pulumi-cloudflare
6 runs it: an account change replaces it, anything else updates it in place (Cloudflare's PUT
replaces the policy whole). Its rules are the API's with camelCase keys
(`includes: [{serviceToken: {tokenId}}]` is `include: [{service_token: {token_id}}]`).
"""

import re
from collections.abc import Collection
from typing import Any

from ._kind import (
    UNKNOWN,
    Api,
    Field,
    Found,
    Kind,
    Values,
    delete_if_present,
    get_or_none,
    split_import_id,
)

_DECISIONS = ("allow", "bypass", "deny", "non_identity")
# pulumi-cloudflare's rule lists and the API's names for them.
_RULES = {"includes": "include", "excludes": "exclude", "requires": "require"}
_IMPORT_SHAPES = ("<account_id>/<policy_id>",)


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

    def check_values(self, news: Values) -> list[tuple[str, str]]:
        decision = news.get("decision")
        if isinstance(decision, str) and decision not in _DECISIONS:
            return [("decision", f"decision must be one of {', '.join(_DECISIONS)}")]
        return []

    def create(self, api: Api, news: Values) -> tuple[str, dict[str, Any]]:
        created = api.call("POST", _collection(news["accountId"]), _body(news))
        return created["id"], _outputs(created, news["accountId"])

    def preview_create(self, news: Values) -> dict[str, Any]:
        unknown = dict.fromkeys(("id", "reusable", "createdAt", "updatedAt"), UNKNOWN)
        return {**self.planned_inputs(news), **unknown}

    def update(
        self, api: Api, id_: str, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        account_id = olds["accountId"]
        wanted = self.wanted(news, olds, ignore)
        updated = api.call("PUT", f"{_collection(account_id)}/{id_}", _body(wanted))
        return _outputs(updated, account_id)

    def preview_update(
        self, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]:
        return {**olds, **self.wanted(news, olds, ignore), "updatedAt": UNKNOWN}

    def read(self, api: Api, id_: str, olds: Values, old_inputs: Values) -> Found | None:
        account_id = olds.get("accountId")
        if not olds:
            account_id, id_ = split_import_id(id_, _IMPORT_SHAPES)
        found = get_or_none(api, f"{_collection(str(account_id))}/{id_}")
        if found is None:
            return None
        outputs = _outputs(found, str(account_id))
        return Found(found["id"], outputs, self.read_inputs(outputs, old_inputs))

    def delete(self, api: Api, id_: str, olds: Values) -> None:
        delete_if_present(api, f"{_collection(olds['accountId'])}/{id_}")


def _collection(account_id: str) -> str:
    return f"/accounts/{account_id}/access/policies"


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
