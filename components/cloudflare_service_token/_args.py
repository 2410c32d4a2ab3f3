"""The component's arguments and their validation.

Plain values are checked at once, so a bad one fails before anything is registered. Values given
as Outputs are checked when they resolve, failing the deployment with the same message.
"""

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, NoReturn, NotRequired, TypedDict, TypeVar, cast

import pulumi

from . import _clock
from ._durations import parse_duration
from ._errors import ServiceTokenConfigError
from ._renewal import MAX_WINDOW_DAYS, check_renewal_window, check_schedule_fits

T = TypeVar("T")

DEFAULT_DURATION = "8760h"
# What a value must be, said without the value: for a secret that fails its check.
_NON_EMPTY = "must be a non-empty string"
_HEX_ID = (
    "must be 32 hex characters; copy the id from the Cloudflare dashboard (Overview page, "
    "right column)"
)
_LIFETIME = (
    "must be a positive Go duration such as '8760h', or 'forever', that fits the renewal "
    "settings (longer than `min_days_for_renewal` days)"
)
_CLOUDFLARE_ID = re.compile(r"[0-9a-fA-F]{32}")
# Deliberately simple: one @, no spaces, a dot in the domain. Cloudflare checks the rest.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

Scope = Literal["account", "zone"]
RenewalStrategy = Literal["refresh", "replace"]
RENEWAL_STRATEGIES: tuple[RenewalStrategy, ...] = ("refresh", "replace")
DEFAULT_PREVIOUS_SECRET_GRACE = "24h"


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
    # The renewal settings below are plain values, not Inputs: they decide which resources the
    # component declares, and are checked against each other before anything is registered.
    min_days_for_renewal: NotRequired[int]
    """Renew on the first `pulumi up` with fewer than this many days left. Default 0 (never).
    Shorter than the lifetime, under 365 with 'refresh', 0 for 'forever'."""
    renewal_strategy: NotRequired[RenewalStrategy]
    """'refresh' (extend the same token; default; account tokens only) or 'replace' (new token
    first, then delete the old)."""
    secret_version: NotRequired[int]
    """Bump to rotate the client secret in place (same client id). 1 or more."""
    previous_secret_grace: NotRequired[str]
    """How long the previous secret keeps working after a rotation (Go duration, not 'forever';
    needs secret_version). Default '24h'."""
    service_auth_policy_name: NotRequired[pulumi.Input[str]]
    """Also create a reusable Service Auth (non_identity) Access policy including this token.
    Account tokens only."""
    expiry_alert_emails: NotRequired[Sequence[str]]
    """Also create a Cloudflare notification mailing these addresses (a non-empty list) before
    the token expires. Account tokens only."""
    import_token_id: NotRequired[str]
    """Adopt this existing token (its Cloudflare UUID) instead of creating one; no secret. Needs
    a plain account_id / zone_id."""
    token_aliases: NotRequired[Sequence[str | pulumi.Alias]]
    """Earlier identities of the token resource (e.g. its URN as a top-level resource)."""


@dataclass(frozen=True)
class ValidatedArgs:
    """Arguments after validation: plain values checked, Output values wrapped in checks."""

    name: pulumi.Input[str]
    scope: Scope
    scope_id: pulumi.Input[str]
    duration: pulumi.Input[str]
    enabled: pulumi.Input[bool]
    min_days_for_renewal: int = 0
    renewal_strategy: RenewalStrategy = "refresh"
    secret_version: int | None = None
    previous_secret_grace: str = DEFAULT_PREVIOUS_SECRET_GRACE
    service_auth_policy_name: pulumi.Input[str] | None = None
    expiry_alert_emails: tuple[str, ...] = ()
    import_id: str | None = None
    token_aliases: tuple[str | pulumi.Alias, ...] = ()

    @property
    def account_id(self) -> pulumi.Input[str] | None:
        return self.scope_id if self.scope == "account" else None

    @property
    def zone_id(self) -> pulumi.Input[str] | None:
        return self.scope_id if self.scope == "zone" else None


def validate_args(args: ServiceTokenArgs, *, protected: bool = False) -> ValidatedArgs:
    """Check every argument; raise ServiceTokenConfigError on the first plain value that is bad.

    An argument set to None counts as not set (what `pulumi.Config.get` returns for an unset
    key), so every optional argument takes its default. `protected` says whether the token will
    be protected (`protect` on the component or inherited from a parent).
    """
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
    args = cast(ServiceTokenArgs, {key: value for key, value in args.items() if value is not None})
    if "name" not in args:
        raise ServiceTokenConfigError(
            "`name` is required; give the token a name that says what uses it, e.g. 'CI/CD app'."
        )
    scope, scope_id = _scope_of(args)
    min_days = check_min_days(args.get("min_days_for_renewal", 0))
    strategy = check_strategy(args.get("renewal_strategy", "refresh"))
    replaces = min_days > 0 and strategy == "replace"
    if scope == "zone" and strategy == "refresh" and min_days > 0:
        raise ServiceTokenConfigError(
            "`renewal_strategy` 'refresh' needs an account-scoped token: Cloudflare documents "
            "refresh for accounts only, and this token has `zone_id`; use "
            "renewal_strategy='replace' or an account_id."
        )
    if replaces and protected:
        raise ServiceTokenConfigError(
            "`renewal_strategy` 'replace' renews by replacing the token, but the token is "
            "protected (`protect` on the component or a parent), and the engine refuses to "
            "replace a protected resource: renewal day would fail; use renewal_strategy="
            "'refresh' (the same token, extended: works with protect), or drop protect."
        )
    if replaces and args.get("import_token_id") is not None:
        raise ServiceTokenConfigError(
            "`import_token_id` and `renewal_strategy` 'replace' do not mix: the engine refuses "
            "to replace a resource that still carries an import id, so renewal day would fail; "
            "adopt the token first (without min_days_for_renewal, or with 'refresh'), then "
            "remove import_token_id and switch to 'replace' in a later `pulumi up`."
        )
    secret_version = args.get("secret_version")
    if secret_version is not None:
        check_secret_version(secret_version)
        if scope == "zone":
            raise ServiceTokenConfigError(
                "`secret_version` needs an account-scoped token: the component rotates through "
                "Cloudflare's rotate endpoint, which exists for accounts only, and this token "
                "has `zone_id`; use account_id, or renew with renewal_strategy='replace', which "
                "issues a new secret too."
            )
    elif "previous_secret_grace" in args:
        raise ServiceTokenConfigError(
            "`previous_secret_grace` only applies to a rotation, and `secret_version` is not set; "
            "set secret_version (e.g. 1) or drop previous_secret_grace."
        )
    grace = check_grace(args.get("previous_secret_grace", DEFAULT_PREVIOUS_SECRET_GRACE))

    def check_lifetime(value: object) -> str:
        duration = check_duration(value)
        lifetime = parse_duration(duration)
        check_renewal_window(min_days, lifetime, strategy)
        if replaces:
            check_schedule_fits(_clock.now(), lifetime)
        return duration

    policy_name = args.get("service_auth_policy_name")
    if policy_name is not None:
        _require_account(scope, "service_auth_policy_name", "an Access policy")
    emails = check_emails(args.get("expiry_alert_emails"))
    if emails:
        _require_account(scope, "expiry_alert_emails", "an expiry notification")

    return ValidatedArgs(
        name=_checked(args["name"], check_name, "name", _NON_EMPTY),
        scope=scope,
        scope_id=_checked(
            scope_id,
            lambda value: check_cloudflare_id(value, f"{scope}_id"),
            f"{scope}_id",
            _HEX_ID,
        ),
        duration=_checked(
            args.get("duration", DEFAULT_DURATION), check_lifetime, "duration", _LIFETIME
        ),
        enabled=_checked(
            args.get("enabled", True), check_enabled, "enabled", "must be True or False"
        ),
        min_days_for_renewal=min_days,
        renewal_strategy=strategy,
        secret_version=secret_version,
        previous_secret_grace=grace,
        service_auth_policy_name=(
            None
            if policy_name is None
            else _checked(
                policy_name,
                lambda v: check_name(v, "service_auth_policy_name"),
                "service_auth_policy_name",
                _NON_EMPTY,
            )
        ),
        expiry_alert_emails=emails,
        import_id=_import_id(args.get("import_token_id"), scope, scope_id),
        token_aliases=check_aliases(args.get("token_aliases", ())),
    )


def check_name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        shown = repr(value) if isinstance(value, str) or value is None else type(value).__name__
        raise ServiceTokenConfigError(
            f"`{field}` ({shown}) must be a non-empty string; give it a name that says "
            f"what uses it, e.g. 'CI/CD app'."
        )
    return value


def check_emails(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    _require_plain(value, "expiry_alert_emails")
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ServiceTokenConfigError(
            f"`expiry_alert_emails` ({value!r}) must be a non-empty list of email addresses, "
            f"e.g. ['ops@example.com']."
        )
    bad = [item for item in value if not isinstance(item, str) or not _EMAIL.fullmatch(item)]
    if bad:
        raise ServiceTokenConfigError(
            f"`expiry_alert_emails` has invalid address(es) {bad!r}; write each as "
            f"name@domain.tld, e.g. 'ops@example.com'."
        )
    return tuple(value)


def check_aliases(value: object) -> tuple[str | pulumi.Alias, ...]:
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or not all(isinstance(alias, str | pulumi.Alias) for alias in value)
    ):
        raise ServiceTokenConfigError(
            f"`token_aliases` ({value!r}) must be a list of URNs or pulumi.Alias values, e.g. "
            f"[pulumi.Alias(name='ci', parent=pulumi.ROOT_STACK_RESOURCE)]."
        )
    return tuple(value)


def _import_id(token_id: object, scope: Scope, scope_id: pulumi.Input[str]) -> str | None:
    if token_id is None:
        return None
    _require_plain(token_id, "import_token_id")
    try:
        parsed = str(uuid.UUID(str(token_id)))
    except ValueError:
        parsed = ""
    if not parsed or parsed != str(token_id).lower():
        raise ServiceTokenConfigError(
            f"`import_token_id` ({token_id!r}) must be the token's Cloudflare id, a UUID such as "
            f"'f174e90a-fafe-4643-bbbc-4a0ed4fc8415' (not its client id); find it in the "
            f"dashboard or with GET /accounts/<account_id>/access/service_tokens."
        )
    if not isinstance(scope_id, str):
        raise ServiceTokenConfigError(
            f"`{scope}_id` must be a plain string when `import_token_id` is set: the import id "
            f"'{scope}s/<{scope}_id>/<token_id>' is fixed before the program runs."
        )
    return f"{scope}s/{check_cloudflare_id(scope_id, f'{scope}_id')}/{parsed}"


def _require_account(scope: Scope, field: str, what: str) -> None:
    if scope != "account":
        raise ServiceTokenConfigError(
            f"`{field}` needs an account-scoped token: the Cloudflare provider creates {what} "
            f"per account only, and this token has `zone_id`; use account_id, or drop {field}."
        )


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


def check_min_days(value: object) -> int:
    days = _whole_number(
        value,
        "min_days_for_renewal",
        minimum=0,
        hint="e.g. 30 renews a token on the first `pulumi up` less than 30 days before expiry",
    )
    if days > MAX_WINDOW_DAYS:
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({days}) must be less than the token lifetime, and no "
            f"lifetime is longer than {MAX_WINDOW_DAYS} days (Go's longest duration); use e.g. 30."
        )
    return days


def check_strategy(value: object) -> RenewalStrategy:
    _require_plain(value, "renewal_strategy")
    if value == "refresh" or value == "replace":
        return value
    raise ServiceTokenConfigError(
        f"`renewal_strategy` ({value!r}) must be 'refresh' (extend the same token) or 'replace' "
        f"(create a new token, then delete the old one)."
    )


def check_secret_version(value: object) -> int:
    return _whole_number(
        value, "secret_version", minimum=1, hint="bump it by one to rotate the client secret"
    )


def _whole_number(value: object, field: str, *, minimum: int, hint: str) -> int:
    _require_plain(value, field)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ServiceTokenConfigError(
            f"`{field}` ({value!r}) must be a whole number, {minimum} or more; {hint}."
        )
    return value


def check_grace(value: object) -> str:
    _require_plain(value, "previous_secret_grace")
    if parse_duration(value, "previous_secret_grace") is None:
        raise ServiceTokenConfigError(
            "`previous_secret_grace` ('forever') must be a finite Go duration, or the old secret "
            "would never stop working; use e.g. '24h'."
        )
    assert isinstance(value, str)  # parse_duration accepts strings only
    return value


def _require_plain(value: object, field: str) -> None:
    if isinstance(value, pulumi.Output | Awaitable):
        raise ServiceTokenConfigError(
            f"`{field}` must be a plain value, not an Output: it decides which resources the "
            f"component declares; read it from config with pulumi.Config().get_int(...) or similar."
        )


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


def _checked(
    value: pulumi.Input[T], check: Callable[[object], T], field: str, expected: str
) -> pulumi.Input[T]:
    """Check a plain value now, or an Output's value when it resolves. A secret that fails is
    named, never shown: the message says what `field` must be (`expected`), not what it was."""
    if not isinstance(value, pulumi.Output | Awaitable):
        return check(value)
    output = pulumi.Output.from_input(value)

    def checked(resolved: object) -> Any:
        try:
            return check(resolved)
        except ServiceTokenConfigError as error:
            secrecy: pulumi.Output[bool] = pulumi.Output.from_input(output.is_secret())
            return secrecy.apply(partial(_refuse, error, field, expected))

    return output.apply(checked)


def _refuse(error: ServiceTokenConfigError, field: str, expected: str, secret: bool) -> NoReturn:
    if secret:
        raise ServiceTokenConfigError(
            f"`{field}` (a secret, not shown) {expected}; fix the value it is read from."
        ) from None
    raise error
