"""A clock tests set and move by hand, for the renewal rules and the dynamic providers."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from .._clock import use_clock


class FakeClock:
    """A settable clock. `with clock.installed():` makes renewal read it instead of the wall."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(
                "FakeClock needs a timezone-aware start, e.g. datetime(..., tzinfo=UTC)"
            )
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move forward by `delta` or by keyword units (`days=30`); returns the new time."""
        self._now += (delta or timedelta()) + timedelta(**units)
        return self._now

    @contextmanager
    def installed(self) -> Iterator["FakeClock"]:
        with use_clock(self.now):
            yield self
