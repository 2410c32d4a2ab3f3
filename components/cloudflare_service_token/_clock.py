"""The one place that reads the wall clock, so tests can move time without sleeping.

Module state rather than a parameter because the dynamic providers that read it are unpickled
from state by Pulumi; a test swaps the clock with `use_clock` (or `testing.FakeClock`).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def _system_clock() -> datetime:
    return datetime.now(UTC)


_current: Clock = _system_clock


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return _current()


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Read time from `clock` inside the block (process-wide, threads included)."""
    global _current
    previous, _current = _current, clock
    try:
        yield
    finally:
        _current = previous
