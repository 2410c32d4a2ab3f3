"""A clock tests set and move by hand, for the renewal rules and the dynamic providers."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from .._clock import use_clock


def aware(moment: object, what: str) -> datetime:
    """`moment` in UTC, refusing what is not a timezone-aware datetime: a naive one would be read
    as local time, and compared with Cloudflare's UTC instants it fails or lies."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        shown = "a naive datetime" if isinstance(moment, datetime) else type(moment).__name__
        raise ValueError(
            f"{what} needs a timezone-aware datetime, got {shown}; "
            f"pass e.g. datetime(2026, 11, 23, tzinfo=UTC)."
        )
    return moment.astimezone(UTC)


class FakeClock:
    """A settable clock. `with clock.installed():` makes renewal read it instead of the wall."""

    def __init__(self, start: datetime) -> None:
        self._now = aware(start, "FakeClock")

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = aware(moment, "FakeClock.set")

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move forward by `delta` or by keyword units (`days=30`); returns the new time."""
        self._now += (delta or timedelta()) + timedelta(**units)
        return self._now

    @contextmanager
    def installed(self) -> Iterator["FakeClock"]:
        with use_clock(self.now):
            yield self
