"""Dynamic providers behind renewal and rotation.

Pulumi stores these classes in state by reference (module path and class name): never rename or
move this module or its classes, and keep it free of import-time work. Instances hold no state:
credentials are read from the stack config Pulumi hands to `configure`, and the Cloudflare client
is built inside the call that needs it.

The engine calls `diff` on every preview and up with the previous outputs as `olds`: the decision
"renewal is due" is made there, so a preview shows it. Only `update` acts. `read` (run by
`pulumi refresh`, even in preview) never calls Cloudflare.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import _clock
from ._cloudflare_api import CONFIG_KEYS, ApiSettings, refresh_service_token
from ._durations import parse_duration
from ._renewal import format_timestamp, is_due, latest, parse_timestamp, renew_after

log = logging.getLogger("cloudflare_service_token")

# The engine's marker for a value not known until the update runs (preview of a changing input).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Stack config of the running deployment, set by `configure`. Kept at module level, never on a
# provider instance, so no credential can end up in a pickled provider. Replaced whole, never
# mutated, so a thread mid-renewal never sees it half-filled while another provider configures.
_stack_config: Mapping[str, Any] = {}


class _Provider(ResourceProvider):
    # These providers capture no secret; the SDK still marks them secret if one ever sneaks in.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        global _stack_config
        _stack_config = {key: req.config.get(key) for key in CONFIG_KEYS}

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete: the token itself belongs to the token resource."""


class _WindowProvider(_Provider):
    """A provider whose inputs carry the renewal window `min_days`."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if not _is_unknown(news.get("min_days")) and not _is_days(news.get("min_days")):
            failures.append(CheckFailure("min_days", "must be a whole number of days, 0 or more"))
        return CheckResult(news, failures)


class TokenRenewalProvider(_WindowProvider):
    """Refresh strategy: tracks the effective expiry of one account-scoped token and extends it
    with Cloudflare's refresh endpoint once it is due.

    Inputs: token_id, account_id, token_expires_at (the token resource's view, stale after a
    refresh until `pulumi refresh`), min_days. Outputs add expires_at (effective), renew_after and
    last_renewed_at.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        # Renewal switched on for a token already inside its window renews in this same `up`.
        outputs = self._renew_if_due(props, _effective_expiry({}, props), renewed_at=None)
        return CreateResult(f"renewal-{props['token_id']}", outputs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if news.get("token_id") != olds.get("token_id"):
            # A new token (or one not known until the update): start tracking it afresh.
            return DiffResult(changes=True, replaces=["token_id"], delete_before_replace=False)
        if any(_is_unknown(news.get(key)) for key in _RENEWAL_INPUTS):
            return DiffResult(changes=True)
        expires_at = _effective_expiry(olds, news)
        settings_changed = any(news.get(key) != olds.get(key) for key in ("account_id", "min_days"))
        # The token's view catching up with a refresh we made (`pulumi refresh`) is no change.
        expiry_moved = expires_at != _moment(olds.get("expires_at"))
        due = is_due(_clock.now(), expires_at, int(news["min_days"]))
        return DiffResult(changes=settings_changed or expiry_moved or due)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        renewed_at = _moment(olds.get("last_renewed_at"))
        return UpdateResult(self._renew_if_due(news, _effective_expiry(olds, news), renewed_at))

    def _renew_if_due(
        self, news: Mapping[str, Any], expires_at: datetime | None, renewed_at: datetime | None
    ) -> dict[str, Any]:
        now = _clock.now()
        if is_due(now, expires_at, int(news["min_days"])):
            if expires_at is not None and expires_at <= now:
                log.warning(
                    "service token %s expired at %s; asking Cloudflare to refresh it anyway",
                    news["token_id"],
                    format_timestamp(expires_at),
                )
            settings = ApiSettings.resolve(_stack_config)
            expires_at = refresh_service_token(settings, news["account_id"], news["token_id"])
            renewed_at = now
            if expires_at <= now:
                raise RuntimeError(
                    f"Cloudflare refreshed service token {news['token_id']} but it still "
                    f"expires at {format_timestamp(expires_at)}, in the past: an expired token "
                    f"may not be revivable; replace it (renewal_strategy='replace') instead."
                )
            log.info("service token %s renewed until %s", news["token_id"], expires_at)
        return self._outputs(news, expires_at, renewed_at)

    @staticmethod
    def _outputs(
        props: Mapping[str, Any], expires_at: datetime | None, renewed_at: datetime | None
    ) -> dict[str, Any]:
        due_from = renew_after(expires_at, int(props["min_days"]))
        return {
            **{key: props.get(key) for key in ("token_id", *_RENEWAL_INPUTS)},
            "expires_at": _text(expires_at),
            "renew_after": _text(due_from),
            "last_renewed_at": _text(renewed_at),
        }


_RENEWAL_INPUTS = ("account_id", "token_expires_at", "min_days")


class RenewalScheduleProvider(_WindowProvider):
    """Replace strategy: a clock of its own (it cannot depend on the token it replaces).

    Inputs: duration, min_days. Outputs: generation (feeds the token's replacement_trigger),
    started_at and expires_at (started_at + duration: when the current token expires, give or
    take the seconds it took to create). When due, `update` bumps the generation, and the engine
    replaces the token, creating the new one before deleting the old.

    Its diff reports a change only when that must happen, or when a shorter `duration` moves the
    predicted expiry earlier: any reported change leaves `generation` unknown in a preview, which
    the preview shows as a replacement of the token. A new window applies to the due decision
    without an update.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        now = _clock.now()
        return CreateResult("renewal-schedule", self._outputs(props, 1, now, _expiry(props, now)))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if any(_is_unknown(news.get(key)) for key in _SCHEDULE_INPUTS):
            return DiffResult(changes=True)
        predicted = _moment(olds.get("expires_at"))
        expires_at = self._predicted(olds, news)
        due = is_due(_clock.now(), expires_at, int(news["min_days"]))
        return DiffResult(changes=due or expires_at != predicted)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        now = _clock.now()
        generation, started_at = int(olds["generation"]), _moment(olds.get("started_at")) or now
        expires_at = self._predicted(olds, news)
        if is_due(now, expires_at, int(news["min_days"])):
            generation, started_at, expires_at = generation + 1, now, _expiry(news, now)
        return UpdateResult(self._outputs(news, generation, started_at, expires_at))

    @staticmethod
    def _predicted(olds: Mapping[str, Any], news: Mapping[str, Any]) -> datetime | None:
        """The recorded prediction, or an earlier one if a shorter `duration` brings it forward
        (a longer one is ignored: renewing early is safe, late is not)."""
        recorded = _moment(olds.get("expires_at"))
        started_at = _moment(olds.get("started_at"))
        shortened = None if started_at is None else _expiry(news, started_at)
        if recorded is None or (shortened is not None and shortened < recorded):
            return shortened
        return recorded

    @staticmethod
    def _outputs(
        props: Mapping[str, Any], generation: int, started_at: datetime, expires_at: datetime | None
    ) -> dict[str, Any]:
        return {
            "duration": props["duration"],
            "min_days": props["min_days"],
            "generation": generation,
            "started_at": _text(started_at),
            "expires_at": _text(expires_at),
        }


_SCHEDULE_INPUTS = ("duration", "min_days")


class SecretRotationProvider(_Provider):
    """Rotation: remembers when `secret_version` last changed, so the previous secret's deadline
    (rotated_at + grace) is the same on every run until the next rotation.

    Inputs: secret_version, grace. Outputs add rotated_at and previous_secret_expires_at.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("secret-rotation", self._outputs(props, _clock.now()))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=any(news.get(key) != olds.get(key) for key in _ROTATION_INPUTS))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        rotated = news.get("secret_version") != olds.get("secret_version")
        rotated_at = _clock.now() if rotated else _moment(olds.get("rotated_at")) or _clock.now()
        return UpdateResult(self._outputs(news, rotated_at))

    @staticmethod
    def _outputs(props: Mapping[str, Any], rotated_at: datetime) -> dict[str, Any]:
        grace = parse_duration(props["grace"], "previous_secret_grace")
        assert grace is not None  # the component refuses 'forever'
        return {
            "secret_version": props["secret_version"],
            "grace": props["grace"],
            "rotated_at": _text(rotated_at),
            "previous_secret_expires_at": _text(rotated_at + grace),
        }


_ROTATION_INPUTS = ("secret_version", "grace")


def _expiry(props: Mapping[str, Any], started_at: datetime) -> datetime | None:
    lifetime = parse_duration(props["duration"])
    return None if lifetime is None else started_at + lifetime


def _effective_expiry(olds: Mapping[str, Any], news: Mapping[str, Any]) -> datetime | None:
    """When the token really expires.

    After a refresh the token resource's own `expires_at` lags (until `pulumi refresh`), so while
    it reports what it reported before, the later of the two counts. Once it reports something
    new (a `pulumi refresh`, a `duration` change), it is the fresher source and counts alone.
    """
    reported = _moment(news.get("token_expires_at"))
    if news.get("token_expires_at") != olds.get("token_expires_at"):
        return reported
    return latest(_moment(olds.get("expires_at")), reported)


def _is_unknown(value: object) -> bool:
    return value == UNKNOWN


def _is_days(value: object) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and float(value) >= 0 and float(value).is_integer()  # type: ignore[arg-type]


def _moment(value: object) -> datetime | None:
    return parse_timestamp(value) if isinstance(value, str) and value else None


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)
