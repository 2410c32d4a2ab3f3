"""Go duration strings, the format Cloudflare uses for a token's lifetime.

Pure functions: no I/O, no clock. `None` stands for "forever".
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from ._errors import ServiceTokenConfigError

FOREVER = "forever"

_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign, as Go accepts it
    "\u03bcs": 1_000,  # Greek small letter mu, as Go accepts it
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3_600 * 1_000_000_000,
}
# Units people write by habit that Go does not know, with how many hours each stands for.
_HOURS_OF_UNKNOWN_UNITS = {"d": 24, "w": 24 * 7, "y": 24 * 365}

_TERM = re.compile(r"(\d+\.?\d*|\.\d+)([^\d.]+)")


def parse_duration(text: object, field: str = "duration") -> timedelta | None:
    """Parse a positive Go duration (`8760h`, `2h45m`, `1.5h`) or `forever` (returned as None).

    Raises ServiceTokenConfigError naming `field` for anything else.
    """
    if not isinstance(text, str):
        raise ServiceTokenConfigError(
            f"`{field}` must be a string such as '8760h' or 'forever', "
            f"got {type(text).__name__}; pass the duration as a string."
        )
    if text == FOREVER:
        return None
    nanoseconds = _go_duration_nanoseconds(text, field)
    if nanoseconds <= 0:
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) must be a positive duration; use e.g. '8760h' (one year)"
            f"{_forever_hint(field)}."
        )
    return timedelta(microseconds=nanoseconds // 1_000)


def format_hours(lifetime: timedelta) -> str:
    """Render a lifetime as Go duration hours, the way Cloudflare shows `8760h`."""
    hours = Decimal(lifetime.total_seconds()) / 3600
    return f"{hours.normalize():f}h"


def _go_duration_nanoseconds(text: str, field: str) -> int:
    body = text.lstrip("+")
    if body.startswith("-"):
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) is negative; a token lifetime must be a positive duration "
            f"such as '8760h'."
        )
    position, total = 0, Decimal(0)
    for match in _TERM.finditer(body):
        if match.start() != position:
            break
        number, unit = match.groups()
        if unit not in _NANOSECONDS:
            raise ServiceTokenConfigError(_unknown_unit_message(text, field, number, unit))
        try:
            total += Decimal(number) * _NANOSECONDS[unit]
        except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
            break
        position = match.end()
    if not body or position != len(body):
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) is not a Go duration; write a number followed by a unit "
            f"(ns, us, ms, s, m, h), e.g. '8760h' or '2h45m'{_forever_hint(field)}."
        )
    return int(total)


def _unknown_unit_message(text: str, field: str, number: str, unit: str) -> str:
    hours_per_unit = _HOURS_OF_UNKNOWN_UNITS.get(unit.lower())
    if hours_per_unit is None:
        return (
            f"`{field}` ({text!r}) has unknown unit '{unit}'; use one of ns, us, ms, s, m, h, "
            f"e.g. '8760h'."
        )
    hours = Decimal(number) * hours_per_unit
    return (
        f"`{field}` ({text!r}) uses unit '{unit}', which Go durations do not have; "
        f"write '{hours.normalize():f}h' instead."
    )


def _forever_hint(field: str) -> str:
    return ", or 'forever' for a token that never expires" if field == "duration" else ""
