"""The renewal rules: when a token is due, and which settings make sense. Pure: no I/O, no clock.

A token is due for renewal once fewer than `min_days` days remain before it expires, that is from
`renew_after = expires_at - min_days days` on (the boundary instant included).

Instants are compared and stored to the whole second: Cloudflare may write fractions
(`…:00.123456Z`) and a diff must not see a change where only the rendering differs.
"""

from datetime import UTC, datetime, timedelta

from ._durations import MAX_DURATION, format_hours
from ._errors import ServiceTokenConfigError

# Cloudflare documents refresh as extending a token's life by one year, whatever its duration.
REFRESH_EXTENSION = timedelta(days=365)
# What Cloudflare reports as the lifetime of a `forever` token (creation + 876,000 h, ~100 years).
FOREVER_LIFETIME = timedelta(hours=876_000)
# No window can be longer than the longest lifetime a Go duration can express.
MAX_WINDOW_DAYS = MAX_DURATION.days
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def renewal_window(min_days: int) -> timedelta:
    return timedelta(days=min_days)


def renew_after(expires_at: datetime | None, min_days: int) -> datetime | None:
    """The instant from which the token is due, or None if it never is."""
    if expires_at is None or min_days <= 0:
        return None
    try:
        return expires_at - renewal_window(min_days)
    except OverflowError:  # a window reaching before year 1: due from the start of time
        return _EARLIEST


def renew_after_text(expires_at: str | None, min_days: int) -> str | None:
    """`renew_after` between RFC 3339 texts, as outputs carry it."""
    due_from = renew_after(None if expires_at is None else parse_timestamp(expires_at), min_days)
    return None if due_from is None else format_timestamp(due_from)


def is_due(now: datetime, expires_at: datetime | None, min_days: int) -> bool:
    """Whether a `pulumi up` at `now` should renew a token that expires at `expires_at`."""
    due_from = renew_after(expires_at, min_days)
    return due_from is not None and now >= due_from


def latest(*moments: datetime | None) -> datetime | None:
    """The latest known moment: the effective expiry when several sources disagree."""
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def check_renewal_window(min_days: int, lifetime: timedelta | None, strategy: str) -> None:
    """Refuse windows that could never apply, or that would renew on every run."""
    if min_days == 0:
        return
    if lifetime is None:
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({min_days}) must be 0 for `duration` 'forever': such a "
            f"token never expires; set a duration such as '8760h' or drop min_days_for_renewal."
        )
    # Whole days against the lifetime in seconds: no timedelta, so no overflow for huge values.
    if min_days * 86_400 >= lifetime.total_seconds():
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({min_days}) must be less than the token lifetime "
            f"(`duration` {format_hours(lifetime)} = {_days(lifetime)} days), or every run would "
            f"renew it; lower it or lengthen `duration`."
        )
    if strategy == "refresh" and min_days * 86_400 >= REFRESH_EXTENSION.total_seconds():
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({min_days}) must be less than 365 with "
            f"`renewal_strategy` 'refresh': a refresh extends a token by one year, so the token "
            f"would be due again at once; lower it or use renewal_strategy='replace'."
        )


def check_schedule_fits(now: datetime, lifetime: timedelta | None) -> None:
    """Refuse a lifetime whose end the calendar cannot hold (the replace schedule records it)."""
    if lifetime is None:
        return
    try:
        now + lifetime
    except OverflowError:
        raise ServiceTokenConfigError(
            f"`duration` ({format_hours(lifetime)}) from now ({format_timestamp(now)}) ends "
            f"after the year 9999, which no timestamp can hold; shorten `duration`."
        ) from None


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp as Cloudflare writes it (`2026-09-25T22:26:26Z`, fractions
    allowed), to the whole second."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second: stable text for state and diffs."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _days(lifetime: timedelta) -> str:
    days = lifetime / timedelta(days=1)
    return f"{days:g}"
