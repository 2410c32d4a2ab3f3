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

Look before you act: a refresh or a rotation may already have happened (an `up` killed while
Cloudflare carried it out, an answer lost on the way back, the dashboard). So each call first
reads Cloudflare's view of the token (`TokenView`) and acts only if the call's own rule, decided
here (`Refresh.still_due`, `Rotate.verdict`), says so; the answer says what happened.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
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
    renewal_window,
)

Props = Mapping[str, Any]

# What Cloudflare's ids look like. Checked before any URL is built from them: an id is a path
# segment, so `../`, `?`, `#` or a line break in one would address something else.
TOKEN_ID_PATTERN: Final = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
ACCOUNT_ID_PATTERN: Final = re.compile(r"[0-9a-fA-F]{32}")


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
class TokenView:
    """Cloudflare's view of a token, as a read (`GET …/service_tokens/{token_id}`) answers it.

    `updated_at` keeps Cloudflare's fraction of a second, so two changes within one second still
    differ. `secret_version` is Cloudflare's `client_secret_version`, None when the answer does
    not carry it: Cloudflare's reference documents it on create and update, not on a read, so
    nothing may rest on its presence.
    """

    expires_at: datetime | None
    updated_at: datetime | None
    secret_version: int | None = None


@dataclass(frozen=True)
class Read:
    """`GET /accounts/{account_id}/access/service_tokens/{token_id}`. The answer is a
    `TokenView`."""

    account_id: str
    token_id: str


@dataclass(frozen=True)
class Refresh:
    """`POST /accounts/{account_id}/access/service_tokens/{token_id}/refresh`: same token, later
    expiry, made only if Cloudflare's view still shows the token due (`still_due`). The answer
    is a `Refreshed`."""

    account_id: str
    token_id: str
    # An expiry later than this is outside the renewal window: someone renewed the token since
    # this resource recorded its expiry (an interrupted `up` whose refresh Cloudflare carried
    # out, or the dashboard), and refreshing again is not due.
    renewed_beyond: datetime

    def still_due(self, view: TokenView) -> bool:
        # To the second, as the machines decide "due" (Cloudflare writes fractions).
        expiry = view.expires_at
        return expiry is None or expiry.replace(microsecond=0) <= self.renewed_beyond


@dataclass(frozen=True)
class Refreshed:
    """What came of a `Refresh`: the expiry Cloudflare reports, and whether this call refreshed
    (False: Cloudflare's view showed the token renewed already, and no refresh was made)."""

    expires_at: datetime
    refreshed: bool = True


class Verdict(Enum):
    """What Cloudflare's view says about a rotation about to be made."""

    ROTATE = "rotate"
    # Cloudflare shows as many rotations since this resource last looked as the versions asked
    # for: they were made (an answer lost, or outside Pulumi); making another is not asked for.
    DONE = "done"
    # The token changed since this resource last looked, and Cloudflare's view cannot say
    # whether a rotation was part of it.
    UNSURE = "unsure"


@dataclass(frozen=True)
class Rotate:
    """`POST /accounts/{account_id}/access/service_tokens/{token_id}/rotate`: a new client secret
    for the same client id, the previous one accepted until `previous_secret_expires_at`.

    Not idempotent: never retried, and made only if Cloudflare's view allows it (`verdict`).
    `seen` is Cloudflare's view this resource recorded after its last call (None in state
    written up to 0.2.0); `bumps` is how many versions this rotation moves the secret on. The
    answer is a `Rotated`, a `NotRotated` or a `RotationUnknown`.
    """

    account_id: str
    token_id: str
    previous_secret_expires_at: datetime
    seen: TokenView | None = None
    bumps: int = 1

    def rotations_since_seen(self, view: TokenView) -> int | None:
        """How many rotations Cloudflare made since `seen`; None when its view cannot tell.

        Exact when both views carry Cloudflare's secret version. Otherwise only `updated_at`
        (documented on every answer) speaks: unchanged means none; changed means any change
        (a rename, a refresh, a rotation), so it cannot tell.
        """
        seen = self.seen
        if seen is None:
            # Nothing recorded (state written up to 0.2.0): this is the first look.
            return 0
        if seen.secret_version is not None and view.secret_version is not None:
            return max(0, view.secret_version - seen.secret_version)
        unchanged = (
            seen.updated_at is not None
            and view.updated_at is not None
            and view.updated_at <= seen.updated_at
        )
        return 0 if unchanged else None

    def verdict(self, view: TokenView) -> Verdict:
        made = self.rotations_since_seen(view)
        if made is None:
            # Raising the version by one more is the user's go-ahead: even if one rotation was
            # made unseen, this one makes two for two versions, never two for one.
            return Verdict.ROTATE if self.bumps >= 2 else Verdict.UNSURE
        return Verdict.ROTATE if made < self.bumps else Verdict.DONE


@dataclass(frozen=True)
class Rotated:
    """A rotation Cloudflare carried out: its new secret ('' if the answer carried none: lost)
    and Cloudflare's view of the token afterwards (the one read before, if none could be had
    after: the rotation then counts as a change the next one cannot explain)."""

    client_secret: str
    view: TokenView


@dataclass(frozen=True)
class NotRotated:
    """No rotation made: Cloudflare's view (read first) says it was done already, or cannot
    say."""

    verdict: Verdict
    view: TokenView


@dataclass(frozen=True)
class RotationUnknown:
    """The rotate call was sent but its outcome is unknown: `what` happened instead of an
    answer (a 5xx, a timeout, a broken connection, a body that is not JSON)."""

    what: str


Call = Read | Refresh | Rotate


def _no_reports(_: Any) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Plan:
    """What a create or update does: make `call` (or none), then `outputs(answer)`.

    The answer is None when there is no call. `outputs(UNKNOWN)` is the preview: what is known
    before anything acts, with UNKNOWN for what only the action decides. `warnings` are for the
    host to show the user before the call; `reports(answer)` after it.

    In a preview an input may be UNKNOWN itself (another resource's output, not made yet): then
    nothing can be decided, no call is planned, and every output is UNKNOWN.
    """

    call: Call | None
    outputs: Callable[[Any], dict[str, Any]]
    warnings: tuple[str, ...] = field(default=())
    # Warnings about what the call found, for the host to show after it (never in a preview).
    reports: Callable[[Any], tuple[str, ...]] = field(default=_no_reports)

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
        return _check_ids(news) + _check_min_days(news)

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
            new_expiry = answer.expires_at.replace(microsecond=0)
            if not answer.refreshed:
                # Renewed already: recorded as it is, and not counted as a renewal made here.
                return cls._outputs(news, new_expiry, renewed_at)
            if new_expiry <= now:
                raise RenewalError(
                    f"Cloudflare refreshed service token {token_id} but it still expires at "
                    f"{format_timestamp(new_expiry)}, in the past: an expired token may not be "
                    f"revivable; replace it (renewal_strategy='replace') instead."
                )
            return cls._outputs(news, new_expiry, now)

        def reports(answer: Any) -> tuple[str, ...]:
            if answer is UNKNOWN or answer.refreshed:
                return ()
            return (
                f"service token {token_id} was renewed already: Cloudflare reports it expires "
                f"at {format_timestamp(answer.expires_at)}, outside the {min_days}-day window "
                f"(an interrupted `pulumi up`, or someone outside Pulumi, refreshed it); "
                f"recorded without refreshing it again",
            )

        warnings: tuple[str, ...] = ()
        if expires_at is not None and expires_at <= now:
            warnings = (
                f"service token {token_id} expired at {format_timestamp(expires_at)}; asking "
                f"Cloudflare to refresh it anyway",
            )
        call = Refresh(str(news["account_id"]), token_id, _later(now, renewal_window(min_days)))
        return Plan(call, renewed, warnings, reports)

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
    previous_secret_expires_at, client_secret (secret; None until the first rotation: the
    token's own secret is current until then), and Cloudflare's view of the token after this
    resource's last call (seen_updated_at, seen_secret_version): what the next rotation compares
    with before it acts, so that one version never rotates twice.

    A rotation is not idempotent: Cloudflare keeps one previous secret, so a second rotation for
    one version ends at once the secret consumers hold. The call is never retried; an answer that
    is lost fails the update saying so, and the next `up` reads the token first (`Rotate`).

    State written by 0.1.0 (no token_id) recorded a rotation the Cloudflare provider made; it
    counts as the version already reached, so upgrading rotates nothing.
    """

    kind = "SecretRotation"
    inputs = ("token_id", "account_id", "secret_version", "grace")
    outputs = (
        "rotated_at",
        "previous_secret_expires_at",
        "client_secret",
        "seen_updated_at",
        "seen_secret_version",
    )
    secret_outputs = ("client_secret",)

    @classmethod
    def resource_id(cls, news: Props) -> str:
        return "secret-rotation"

    @classmethod
    def check(cls, olds: Props, news: Props) -> list[Failure]:
        failures = _check_ids(news)
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
        # The version the token has when tracking starts; the next increase rotates. Cloudflare's
        # view is recorded now, so even the first rotation has something to compare with.

        def started(answer: Any) -> dict[str, Any]:
            # The read's view, or UNKNOWN in a preview: what is recorded either way.
            return cls._outputs(news, None, None, None, answer)

        return Plan(Read(str(news["account_id"]), str(news["token_id"])), started)

    @classmethod
    def update(cls, olds: Props, news: Props, now: datetime) -> Plan:
        if _any_unknown(news, cls.inputs):
            return _undecided(cls, news)
        seen = _seen(olds)
        reached = _whole(olds["secret_version"])
        version = _whole(news["secret_version"])
        if version <= reached:
            kept = (_moment(olds.get("rotated_at")), olds.get("client_secret"))
            deadline = _moment(olds.get("previous_secret_expires_at"))
            return Plan(None, lambda _: cls._outputs(news, kept[0], deadline, kept[1], seen))
        grace = parse_duration(news["grace"], "previous_secret_grace")
        assert grace is not None  # check refuses 'forever'
        deadline = now + grace
        token_id = str(news["token_id"])

        def rotated(answer: Any) -> dict[str, Any]:
            if answer is UNKNOWN:
                return cls._outputs(news, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN)
            if isinstance(answer, RotationUnknown):
                raise RenewalError(_outcome_unknown(token_id, answer, deadline))
            if isinstance(answer, NotRotated):
                raise RenewalError(_not_rotated(token_id, answer, seen, version, grace))
            if not answer.client_secret:
                raise RenewalError(
                    f"Cloudflare rotated the secret of service token {token_id} but sent no "
                    f"new secret, and it shows a secret only once: the new one is lost. The "
                    f"secret consumers hold is now the previous one, accepted until "
                    f"{format_timestamp(deadline)}. To get a secret you can hand out, raise "
                    f"secret_version to {version + 1} and run `pulumi up`; the secret consumers "
                    f"hold then stops working at once."
                )
            return cls._outputs(news, now, deadline, answer.client_secret, answer.view)

        return Plan(
            Rotate(str(news["account_id"]), token_id, deadline, seen, version - reached), rotated
        )

    @classmethod
    def _outputs(
        cls, news: Props, rotated_at: Any, deadline: Any, client_secret: Any, seen: Any
    ) -> dict[str, Any]:
        if seen is UNKNOWN:
            seen_updated_at: Any = UNKNOWN
            seen_version: Any = UNKNOWN
        elif seen is None:
            seen_updated_at = seen_version = None
        else:
            seen_updated_at = _precise_text(seen.updated_at)
            seen_version = seen.secret_version
        return {
            **{key: news.get(key) for key in cls.inputs},
            "rotated_at": _text(rotated_at),
            "previous_secret_expires_at": _text(deadline),
            "client_secret": client_secret,
            "seen_updated_at": seen_updated_at,
            "seen_secret_version": seen_version,
        }


def _outcome_unknown(token_id: str, answer: RotationUnknown, deadline: datetime) -> str:
    return (
        f"the rotation of the secret of service token {token_id} may or may not have happened: "
        f"{answer.what}. It is not retried: a second rotation would end at once the secret "
        f"consumers hold. For them: if Cloudflare rotated, the secret they hold is now the "
        f"previous one, accepted until {format_timestamp(deadline)}, and the new one is lost "
        f"(Cloudflare shows a secret only once); if not, the secret they hold is still the "
        f"current one. The next `pulumi up` reads the token first: if "
        f"Cloudflare shows the rotation, it rotates nothing and says so; if it shows none, it "
        f"rotates then; if it cannot tell, it rotates nothing and asks you."
    )


def _not_rotated(
    token_id: str, answer: NotRotated, seen: TokenView | None, version: int, grace: Any
) -> str:
    view = answer.view
    changed_at = "" if view.updated_at is None else f" at {_precise_text(view.updated_at)}"
    if answer.verdict is Verdict.UNSURE:
        recorded = "" if seen is None else f" ({_precise_text(seen.updated_at)})"
        return (
            f"Cloudflare shows service token {token_id} changed{changed_at}, after this stack "
            f"last recorded it{recorded}, and does not say which secret version it has: an "
            f"earlier `pulumi up` whose answer was lost may have rotated the secret already. "
            f"Rotating again could end at once the secret consumers hold, so nothing was "
            f"rotated. If you know no rotation was made since (the token was renamed, refreshed "
            f"or switched on or off), or you accept that risk, raise secret_version to "
            f"{version + 1} and run `pulumi up`."
        )
    if seen is not None and seen.secret_version is not None and view.secret_version is not None:
        evidence = f"its secret version went from {seen.secret_version} to {view.secret_version}"
    else:
        evidence = f"it changed{changed_at}"
    about = (
        f"about {format_timestamp(view.updated_at + grace)}"
        if view.updated_at is not None
        else "its grace after it was made"
    )
    return (
        f"Cloudflare shows the secret of service token {token_id} rotated already since this "
        f"stack last recorded it ({evidence}): an earlier `pulumi up` whose answer was lost, or "
        f"someone outside Pulumi, rotated it, and that new secret cannot be read again "
        f"(Cloudflare shows a secret only once). Nothing was rotated now, and secret_version "
        f"{version} is not recorded. The secret consumers hold is now the previous one: "
        f"Cloudflare accepts it until that rotation's deadline (for a rotation by this stack, "
        f"{about}). To get a secret you can hand out, raise secret_version to {version + 1} "
        f"and run `pulumi up`; the secret consumers hold then stops working at once."
    )


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


def _check_ids(news: Props) -> list[Failure]:
    """Ids become path segments of Cloudflare's URLs: only ids of Cloudflare's own shape pass."""
    failures = []
    token_id, account_id = news.get("token_id"), news.get("account_id")
    if token_id is not UNKNOWN and not _matches(TOKEN_ID_PATTERN, token_id):
        failures.append(Failure("token_id", "must be a Cloudflare service token id (a UUID)"))
    if account_id is not UNKNOWN and not _matches(ACCOUNT_ID_PATTERN, account_id):
        failures.append(
            Failure("account_id", "must be a Cloudflare account id (32 hex characters)")
        )
    return failures


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _seen(props: Props) -> TokenView | None:
    """Cloudflare's view recorded in state; None in state written up to 0.2.0, which kept none."""
    updated_at, version = props.get("seen_updated_at"), props.get("seen_secret_version")
    if not updated_at and version is None:
        return None
    return TokenView(
        None,
        _precise(updated_at),
        _whole(version) if _is_whole(version, minimum=0) else None,
    )


def _precise(value: object) -> datetime | None:
    """An instant kept to the microsecond (Cloudflare's `updated_at`)."""
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _precise_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _later(moment: datetime, window: timedelta) -> datetime:
    try:
        return moment + window
    except OverflowError:  # beyond the calendar: no expiry is later
        return datetime.max.replace(tzinfo=UTC)


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
