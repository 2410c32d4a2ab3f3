"""The renewal rules: when a token is due, and which settings make sense. Pure: no I/O, no clock.

A token is due for renewal once fewer than `min_days` days remain before it expires, that is from
`renew_after = expires_at - min_days days` on (the boundary instant included).
"""

from datetime import UTC, datetime, timedelta

from ._durations import format_hours
from ._errors import ServiceTokenConfigError

# Cloudflare documents refresh as extending a token's life by one year, whatever its duration.
REFRESH_EXTENSION = timedelta(days=365)


def renewal_window(min_days: int) -> timedelta:
    return timedelta(days=min_days)


def renew_after(expires_at: datetime | None, min_days: int) -> datetime | None:
    """The instant from which the token is due, or None if it never is."""
    if expires_at is None or min_days <= 0:
        return None
    return expires_at - renewal_window(min_days)


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
    if renewal_window(min_days) >= lifetime:
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({min_days}) must be less than the token lifetime "
            f"(`duration` {format_hours(lifetime)} = {_days(lifetime)} days), or every run would "
            f"renew it; lower it or lengthen `duration`."
        )
    if strategy == "refresh" and renewal_window(min_days) >= REFRESH_EXTENSION:
        raise ServiceTokenConfigError(
            f"`min_days_for_renewal` ({min_days}) must be less than 365 with "
            f"`renewal_strategy` 'refresh': a refresh extends a token by one year, so the token "
            f"would be due again at once; lower it or use renewal_strategy='replace'."
        )


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp as Cloudflare writes it (`2026-09-25T22:26:26Z`)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second: stable text for state and diffs."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _days(lifetime: timedelta) -> str:
    days = lifetime / timedelta(days=1)
    return f"{days:g}"
