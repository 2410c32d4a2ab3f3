"""The renewal state machines: (olds, news, now) -> the diff, the outputs, the one Cloudflare call.

Pure: no I/O, and time is an argument. Two hosts drive them: the dynamic providers of library mode
(`_providers.py`) and the custom resources of the provider plugin (`_plugin.py`). A host only
translates (property names, the engine's unknowns and secrets), makes the call a `Plan` names, and
reports errors; every decision is made here, once.

Properties are plain values under snake_case names; instants are RFC 3339 texts to the second.

- `TokenRenewal` (refresh strategy): tracks a token's effective expiry and refreshes it when due.
- `RenewalSchedule` (replace strategy): a clock of its own whose `generation` replaces the token.
- `SecretRotation`: rotates the client secret when `secret_version` goes up, giving the previous
  secret its full grace from the moment the new one exists.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Final

from ._durations import parse_duration
from ._errors import ServiceTokenConfigError
from ._renewal import (
    MAX_WINDOW_DAYS,
    format_timestamp,
    is_due,
    latest,
    parse_timestamp,
    renew_after,
)

Props = Mapping[str, Any]


class _Unknown:
    """A value not known until the deployment acts (the engine's "computed")."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class RenewalError(Exception):
    """Cloudflare answered, but not in a way renewal can accept. Safe to show: no secrets."""


@dataclass(frozen=True)
class Failure:
    """A bad input, reported by Check before anything acts."""

    property: str
    reason: str


@dataclass(frozen=True)
class Diff:
    changes: bool
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refresh:
    """`POST /accounts/{account_id}/access/service_tokens/{token_id}/refresh`: same token, later
    expiry. The answer is the new expiry (a datetime)."""

    account_id: str
    token_id: str


@dataclass(frozen=True)
class Rotate:
    """`POST /accounts/{account_id}/access/service_tokens/{token_id}/rotate`: a new client secret
    for the same client id, the previous one accepted until `previous_secret_expires_at`. The
    answer is the new client secret."""

    account_id: str
    token_id: str
    previous_secret_expires_at: datetime


Call = Refresh | Rotate


@dataclass(frozen=True)
class Plan:
    """What a create or update does: make `call` (or none), then `outputs(answer)`.

    The answer is None when there is no call. `outputs(UNKNOWN)` is the preview: what is known
    before anything acts, with UNKNOWN for what only the action decides. `warnings` are for the
    host to show the user.

    In a preview an input may be UNKNOWN itself (another resource's output, not made yet): then
    nothing can be decided, no call is planned, and every output is UNKNOWN.
    """

    call: Call | None
    outputs: Callable[[Any], dict[str, Any]]
    warnings: tuple[str, ...] = field(default=())

    def preview(self) -> dict[str, Any]:
        return self.outputs(UNKNOWN)


class Machine:
    """The verbs a host forwards. `olds` in `check` are the previous inputs; in `diff` and
    `update`, the previous outputs (as the engine hands them)."""

    kind: ClassVar[str]
    inputs: ClassVar[tuple[str, ...]]
    # Inputs that may be absent or None (every other input is required).
    optional_inputs: ClassVar[tuple[str, ...]] = ()
    outputs: ClassVar[tuple[str, ...]]
    secret_outputs: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def resource_id(cls, news: Props) -> str:
        raise NotImplementedError

    @classmethod
    def check(cls, olds: Props, news: Props) -> list[Failure]:
        raise NotImplementedError

    @classmethod
    def diff(cls, olds: Props, news: Props, now: datetime) -> Diff:
        raise NotImplementedError

    @classmethod
    def create(cls, news: Props, now: datetime) -> Plan:
        raise NotImplementedError

    @classmethod
    def update(cls, olds: Props, news: Props, now: datetime) -> Plan:
        raise NotImplementedError


class TokenRenewal(Machine):
    """Refresh strategy: the effective expiry of one account-scoped token, refreshed when due.

    Inputs: token_id, account_id, token_expires_at (the token resource's view, stale after a
    refresh until `pulumi refresh`), min_days. Outputs add expires_at (effective), renew_after and
    last_renewed_at.
    """

    kind = "TokenRenewal"
    inputs = ("token_id", "account_id", "token_expires_at", "min_days")
    # A token may report no expiry (until `pulumi refresh` reads the one Cloudflare gave it).
    optional_inputs = ("token_expires_at",)
    outputs = ("expires_at", "renew_after", "last_renewed_at")

    @classmethod
    def resource_id(cls, news: Props) -> str:
        return f"renewal-{news['token_id']}"

    @classmethod
    def check(cls, olds: Props, news: Props) -> list[Failure]:
        return _check_min_days(news)

    @classmethod
    def diff(cls, olds: Props, news: Props, now: datetime) -> Diff:
        token_id = news.get("token_id")
        if token_id is UNKNOWN or token_id != olds.get("token_id"):
            # A new token (or one not known until the update): track it afresh.
            return Diff(changes=True, replaces=("token_id",))
        if _any_unknown(news, cls.inputs):
            return Diff(changes=True)
        expires_at = _effective_expiry(olds, news)
        settings_changed = news.get("account_id") != olds.get("account_id") or _number(
            news.get("min_days")
        ) != _number(olds.get("min_days"))
        # The token's view catching up with a refresh we made (`pulumi refresh`) is no change.
        expiry_moved = expires_at != _moment(olds.get("expires_at"))
        due = is_due(now, expires_at, _whole(news["min_days"]))
        return Diff(changes=settings_changed or expiry_moved or due)

    @classmethod
    def create(cls, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        # Renewal switched on for a token already inside its window renews in this same `up`.
        return cls._renew_if_due(news, _effective_expiry({}, news), None, now)

    @classmethod
    def update(cls, olds: Props, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        renewed_at = _moment(olds.get("last_renewed_at"))
        return cls._renew_if_due(news, _effective_expiry(olds, news), renewed_at, now)

    @classmethod
    def _renew_if_due(
        cls, news: Props, expires_at: datetime | None, renewed_at: datetime | None, now: datetime
    ) -> Plan:
        min_days = _whole(news["min_days"])
        if not is_due(now, expires_at, min_days):
            return Plan(None, lambda _: cls._outputs(news, expires_at, renewed_at))
        token_id = str(news["token_id"])

        def renewed(answer: Any) -> dict[str, Any]:
            if answer is UNKNOWN:
                return cls._outputs(news, UNKNOWN, UNKNOWN)
            new_expiry = answer.replace(microsecond=0)
            if new_expiry <= now:
                raise RenewalError(
                    f"Cloudflare refreshed service token {token_id} but it still expires at "
                    f"{format_timestamp(new_expiry)}, in the past: an expired token may not be "
                    f"revivable; replace it (renewal_strategy='replace') instead."
                )
            return cls._outputs(news, new_expiry, now)

        warnings: tuple[str, ...] = ()
        if expires_at is not None and expires_at <= now:
            warnings = (
                f"service token {token_id} expired at {format_timestamp(expires_at)}; asking "
                f"Cloudflare to refresh it anyway",
            )
        return Plan(Refresh(str(news["account_id"]), token_id), renewed, warnings)

    @classmethod
    def _outputs(cls, news: Props, expires_at: Any, renewed_at: Any) -> dict[str, Any]:
        if expires_at is UNKNOWN:
            due_from: Any = UNKNOWN
        else:
            due_from = renew_after(expires_at, _whole(news["min_days"]))
        return {
            **{key: news.get(key) for key in cls.inputs},
            "expires_at": _text(expires_at),
            "renew_after": _text(due_from),
            "last_renewed_at": _text(renewed_at),
        }


class RenewalSchedule(Machine):
    """Replace strategy: a clock of its own (it cannot depend on the token it replaces).

    Inputs: duration, min_days. Outputs: generation (feeds the token's replacement_trigger),
    started_at and expires_at (started_at + duration: when the current token expires, give or
    take the seconds it took to create). When due, `update` bumps the generation and the engine
    replaces the token, creating the new one before deleting the old.

    Its diff reports a change only when that must happen, or when a shorter `duration` moves the
    predicted expiry earlier: a reported change leaves `generation` unknown in a preview of
    library mode, which shows as a replacement of the token. A new window applies to the due
    decision without an update.
    """

    kind = "RenewalSchedule"
    inputs = ("duration", "min_days")
    outputs = ("generation", "started_at", "expires_at")

    @classmethod
    def resource_id(cls, news: Props) -> str:
        return "renewal-schedule"

    @classmethod
    def check(cls, olds: Props, news: Props) -> list[Failure]:
        failures = _check_min_days(news)
        duration = news.get("duration")
        if duration is not UNKNOWN:
            try:
                parse_duration(duration)
            except ServiceTokenConfigError as error:
                failures.append(Failure("duration", str(error)))
        return failures

    @classmethod
    def diff(cls, olds: Props, news: Props, now: datetime) -> Diff:
        if _any_unknown(news, cls.inputs):
            return Diff(changes=True)
        predicted = _moment(olds.get("expires_at"))
        expires_at = cls._predicted(olds, news)
        due = is_due(now, expires_at, _whole(news["min_days"]))
        return Diff(changes=due or expires_at != predicted)

    @classmethod
    def create(cls, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        return cls._plan(news, 1, now, _expiry(news, now), started_now=True)

    @classmethod
    def update(cls, olds: Props, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        generation = _whole(olds["generation"])
        started_at = _moment(olds.get("started_at")) or now
        expires_at = cls._predicted(olds, news)
        if is_due(now, expires_at, _whole(news["min_days"])):
            return cls._plan(news, generation + 1, now, _expiry(news, now), started_now=True)
        return cls._plan(news, generation, started_at, expires_at, started_now=False)

    @staticmethod
    def _predicted(olds: Props, news: Props) -> datetime | None:
        """The recorded prediction, or an earlier one if a shorter `duration` brings it forward
        (a longer one is ignored: renewing early is safe, late is not)."""
        recorded = _moment(olds.get("expires_at"))
        started_at = _moment(olds.get("started_at"))
        shortened = None if started_at is None else _expiry(news, started_at)
        if recorded is None or (shortened is not None and shortened < recorded):
            return shortened
        return recorded

    @staticmethod
    def _plan(
        news: Props,
        generation: int,
        started_at: datetime,
        expires_at: datetime | None,
        *,
        started_now: bool,
    ) -> Plan:
        def outputs(answer: Any) -> dict[str, Any]:
            # No call is ever made; a new start's instants are the action's, unknown in preview.
            unknown = started_now and answer is UNKNOWN
            return {
                "duration": news["duration"],
                "min_days": news["min_days"],
                "generation": generation,
                "started_at": UNKNOWN if unknown else _text(started_at),
                "expires_at": UNKNOWN if unknown else _text(expires_at),
            }

        return Plan(None, outputs)


class SecretRotation(Machine):
    """Rotation: a new client secret each time `secret_version` goes up, made by this resource
    itself so the previous secret's deadline (the moment the new secret exists + grace) is only
    ever set together with the secret it belongs to.

    Inputs: token_id, account_id, secret_version, grace. Outputs add rotated_at,
    previous_secret_expires_at and client_secret (secret; None until the first rotation: the
    token's own secret is current until then).

    State written by 0.1.0 (no token_id) recorded a rotation the Cloudflare provider made; it
    counts as the version already reached, so upgrading rotates nothing.
    """

    kind = "SecretRotation"
    inputs = ("token_id", "account_id", "secret_version", "grace")
    outputs = ("rotated_at", "previous_secret_expires_at", "client_secret")
    secret_outputs = ("client_secret",)

    @classmethod
    def resource_id(cls, news: Props) -> str:
        return "secret-rotation"

    @classmethod
    def check(cls, olds: Props, news: Props) -> list[Failure]:
        failures = []
        version = news.get("secret_version")
        if version is not UNKNOWN and not _is_whole(version, minimum=1):
            failures.append(Failure("secret_version", "must be a whole number, 1 or more"))
        grace = news.get("grace")
        if grace is not UNKNOWN:
            try:
                if parse_duration(grace, "previous_secret_grace") is None:
                    failures.append(Failure("grace", "must be a finite Go duration, not forever"))
            except ServiceTokenConfigError as error:
                failures.append(Failure("grace", str(error)))
        reached = olds.get("secret_version")
        same_token = news.get("token_id") == olds.get("token_id") or "token_id" not in olds
        if (
            same_token
            and not failures
            and _is_whole(reached, minimum=1)
            and _is_whole(version, minimum=1)
            and _whole(version) < _whole(reached)
        ):
            failures.append(
                Failure(
                    "secret_version",
                    f"({_whole(version)}) is lower than the version the secret already has "
                    f"({_whole(reached)}); it only counts up: set it to {_whole(reached)}, or "
                    f"{_whole(reached) + 1} to rotate again",
                )
            )
        return failures

    @classmethod
    def diff(cls, olds: Props, news: Props, now: datetime) -> Diff:
        token_id = news.get("token_id")
        recorded_before_0_2 = "token_id" not in olds
        if not recorded_before_0_2 and (token_id is UNKNOWN or token_id != olds.get("token_id")):
            # A new token starts with a fresh secret of its own: track it afresh.
            return Diff(changes=True, replaces=("token_id",))
        if _any_unknown(news, cls.inputs):
            return Diff(changes=True)
        due = _whole(news["secret_version"]) > _whole(olds["secret_version"])
        # A new grace applies from the next rotation, but is recorded now so state says it.
        recorded = news.get("grace") != olds.get("grace") or (
            not recorded_before_0_2 and news.get("account_id") != olds.get("account_id")
        )
        return Diff(changes=due or recorded)

    @classmethod
    def create(cls, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        # The version the token has when tracking starts; the next increase rotates.
        return Plan(None, lambda _: cls._outputs(news, None, None, None))

    @classmethod
    def update(cls, olds: Props, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        if _whole(news["secret_version"]) <= _whole(olds["secret_version"]):
            kept = (_moment(olds.get("rotated_at")), olds.get("client_secret"))
            deadline = _moment(olds.get("previous_secret_expires_at"))
            return Plan(None, lambda _: cls._outputs(news, kept[0], deadline, kept[1]))
        grace = parse_duration(news["grace"], "previous_secret_grace")
        assert grace is not None  # check refuses 'forever'
        deadline = now + grace
        token_id = str(news["token_id"])

        def rotated(answer: Any) -> dict[str, Any]:
            if answer is UNKNOWN:
                return cls._outputs(news, UNKNOWN, UNKNOWN, UNKNOWN)
            if not isinstance(answer, str) or not answer:
                raise RenewalError(
                    f"Cloudflare rotated the secret of service token {token_id} but sent no "
                    f"new secret; the previous one still works until "
                    f"{format_timestamp(deadline)}: run `pulumi up` again to rotate once more."
                )
            return cls._outputs(news, now, deadline, answer)

        return Plan(Rotate(str(news["account_id"]), token_id, deadline), rotated)

    @classmethod
    def _outputs(
        cls, news: Props, rotated_at: Any, deadline: Any, client_secret: Any
    ) -> dict[str, Any]:
        return {
            **{key: news.get(key) for key in cls.inputs},
            "rotated_at": _text(rotated_at),
            "previous_secret_expires_at": _text(deadline),
            "client_secret": client_secret,
        }


MACHINES: Final[tuple[type[Machine], ...]] = (TokenRenewal, RenewalSchedule, SecretRotation)


def _effective_expiry(olds: Props, news: Props) -> datetime | None:
    """When the token really expires.

    After a refresh the token resource's own `expires_at` lags (until `pulumi refresh`), so while
    it reports what it reported before, the later of the two counts. Once it reports something
    new (a `pulumi refresh`, a `duration` change), it is the fresher source and counts alone.
    """
    reported = _moment(news.get("token_expires_at"))
    if reported != _moment(olds.get("token_expires_at")):
        return reported
    return latest(_moment(olds.get("expires_at")), reported)


def _expiry(props: Props, started_at: datetime) -> datetime | None:
    lifetime = parse_duration(props["duration"])
    return None if lifetime is None else started_at + lifetime


def _check_min_days(news: Props) -> list[Failure]:
    value = news.get("min_days")
    if value is UNKNOWN or (_is_whole(value, minimum=0) and _whole(value) <= MAX_WINDOW_DAYS):
        return []
    return [Failure("min_days", f"must be a whole number of days, 0 to {MAX_WINDOW_DAYS}")]


def _any_unknown(props: Props, keys: tuple[str, ...]) -> bool:
    return any(props.get(key) is UNKNOWN for key in keys)


def _undecided(machine: type[Machine], news: Props) -> Plan:
    """A preview's plan when an input is not known yet: the inputs as given, every output
    unknown (not null: null would say "none"), and nothing to call."""
    outputs = {
        **{key: news.get(key) for key in machine.inputs},
        **dict.fromkeys(machine.outputs, UNKNOWN),
    }
    return Plan(None, lambda _: dict(outputs))


def _is_whole(value: object, *, minimum: int) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and float(value) >= minimum and float(value).is_integer()  # type: ignore[arg-type]


def _number(value: object) -> float | None:
    """A number for comparison, whether the engine sent it as an int or a float."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number else None  # type: ignore[arg-type]


def _whole(value: object) -> int:
    """A whole number as the engine sends it (numbers arrive as floats)."""
    return int(value)  # type: ignore[call-overload,no-any-return]


def _moment(value: object) -> datetime | None:
    return parse_timestamp(value) if isinstance(value, str) and value else None


def _text(moment: Any) -> Any:
    if moment is None or moment is UNKNOWN:
        return moment
    return format_timestamp(moment)
