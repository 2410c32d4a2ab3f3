"""The component's arguments and their validation.

Plain values are checked at once, so a bad one fails before anything is registered. Values given
as Outputs are checked when they resolve, failing the deployment with the same message.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict, TypeVar

import pulumi

from ._durations import parse_duration
from ._errors import ServiceTokenConfigError

T = TypeVar("T")

DEFAULT_DURATION = "8760h"
_CLOUDFLARE_ID = re.compile(r"[0-9a-fA-F]{32}")

Scope = Literal["account", "zone"]


class ServiceTokenArgs(TypedDict):
    """Arguments of a `ServiceTokenComponent`."""

    name: pulumi.Input[str]
    """The token's name in Cloudflare (two tokens may share a name)."""
    account_id: NotRequired[pulumi.Input[str]]
    """The account that owns the token (32 hex characters). Exactly one of account_id / zone_id."""
    zone_id: NotRequired[pulumi.Input[str]]
    """The zone that owns the token (32 hex characters). Exactly one of account_id / zone_id."""
    duration: NotRequired[pulumi.Input[str]]
    """Token lifetime: a positive Go duration such as '8760h', or 'forever'. Default '8760h'."""
    enabled: NotRequired[pulumi.Input[bool]]
    """Whether the token is accepted; a disabled token keeps its id and secret. Default True."""


@dataclass(frozen=True)
class ValidatedArgs:
    """Arguments after validation: plain values checked, Output values wrapped in checks."""

    name: pulumi.Input[str]
    scope: Scope
    scope_id: pulumi.Input[str]
    duration: pulumi.Input[str]
    enabled: pulumi.Input[bool]

    @property
    def account_id(self) -> pulumi.Input[str] | None:
        return self.scope_id if self.scope == "account" else None

    @property
    def zone_id(self) -> pulumi.Input[str] | None:
        return self.scope_id if self.scope == "zone" else None


def validate_args(args: ServiceTokenArgs) -> ValidatedArgs:
    """Check every argument; raise ServiceTokenConfigError on the first plain value that is bad."""
    if not isinstance(args, dict):
        raise ServiceTokenConfigError(
            f"args must be a ServiceTokenArgs dict, got {type(args).__name__}; "
            f"pass ServiceTokenArgs(name=..., account_id=...)."
        )
    unknown = sorted(set(args) - set(ServiceTokenArgs.__annotations__))
    if unknown:
        raise ServiceTokenConfigError(
            f"unknown argument(s) {', '.join(unknown)}; the arguments are "
            f"{', '.join(ServiceTokenArgs.__annotations__)}."
        )
    if "name" not in args:
        raise ServiceTokenConfigError(
            "`name` is required; give the token a name that says what uses it, e.g. 'CI/CD app'."
        )
    scope, scope_id = _scope_of(args)
    return ValidatedArgs(
        name=_checked(args["name"], check_name),
        scope=scope,
        scope_id=_checked(scope_id, lambda value: check_cloudflare_id(value, f"{scope}_id")),
        duration=_checked(args.get("duration", DEFAULT_DURATION), check_duration),
        enabled=_checked(args.get("enabled", True), check_enabled),
    )


def check_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        shown = repr(value) if isinstance(value, str) or value is None else type(value).__name__
        raise ServiceTokenConfigError(
            f"`name` ({shown}) must be a non-empty string; give the token a name that says "
            f"what uses it, e.g. 'CI/CD app'."
        )
    return value


def check_cloudflare_id(value: object, field: str) -> str:
    if not isinstance(value, str) or not _CLOUDFLARE_ID.fullmatch(value):
        shown = repr(value) if isinstance(value, str) or value is None else type(value).__name__
        raise ServiceTokenConfigError(
            f"`{field}` ({shown}) must be 32 hex characters; copy the id from the "
            f"Cloudflare dashboard (Overview page, right column)."
        )
    return value


def check_duration(value: object) -> str:
    parse_duration(value, "duration")
    assert isinstance(value, str)  # parse_duration accepts strings only
    return value


def check_enabled(value: object) -> bool:
    if not isinstance(value, bool):
        raise ServiceTokenConfigError(
            f"`enabled` ({value!r}) must be True or False; pass a bool, not {type(value).__name__}."
        )
    return value


def _scope_of(args: ServiceTokenArgs) -> tuple[Scope, pulumi.Input[str]]:
    account_id, zone_id = args.get("account_id"), args.get("zone_id")
    if account_id is not None and zone_id is not None:
        raise ServiceTokenConfigError(
            "`account_id` and `zone_id` are both set; a token belongs to exactly one scope, "
            "so keep one of them (account_id unless your API token is zone-scoped)."
        )
    if account_id is not None:
        return "account", account_id
    if zone_id is not None:
        return "zone", zone_id
    raise ServiceTokenConfigError(
        "neither `account_id` nor `zone_id` is set; set account_id (or zone_id for a "
        "zone-scoped token) to the 32-hex id from the Cloudflare dashboard."
    )


def _checked(value: pulumi.Input[T], check: Callable[[object], T]) -> pulumi.Input[T]:
    """Check a plain value now, or an Output's value when it resolves."""
    if isinstance(value, pulumi.Output | Awaitable):
        return pulumi.Output.from_input(value).apply(check)
    return check(value)
