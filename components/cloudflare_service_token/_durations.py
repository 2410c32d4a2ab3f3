"""Go duration strings, the format Cloudflare uses for a token's lifetime.

Pure functions: no I/O, no clock. `None` stands for "forever". The grammar and the limits are Go's
`time.ParseDuration`: one optional sign, then terms of ASCII digits with an optional fraction and a
unit, at most 2^63-1 nanoseconds in all. Anything Go refuses, Cloudflare refuses too, so it is
refused here first, before anything is registered.
"""

import re
from datetime import timedelta
from decimal import Decimal

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
# Go's limit: a duration is an int64 of nanoseconds (2562047h47m16.854775807s, about 292 years).
MAX_NANOSECONDS = 2**63 - 1
MAX_DURATION = timedelta(microseconds=MAX_NANOSECONDS // 1_000)
# Units people write by habit that Go does not know, with how many hours each stands for.
_HOURS_OF_UNKNOWN_UNITS = {"d": 24, "w": 24 * 7, "y": 24 * 365}

# Go's terms: digits, or digits around a dot (at least one digit), then anything up to the next
# digit or dot as the unit. ASCII digits only: `\d` would admit other scripts' digits.
_TERM = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([^0-9.]*)", re.ASCII)


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
    if nanoseconds < 1_000:  # what a lifetime can be measured in: whole microseconds
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) must be a positive duration of at least 1us; use e.g. "
            f"'8760h' (one year){_forever_hint(field)}."
        )
    return timedelta(microseconds=nanoseconds // 1_000)


def format_hours(lifetime: timedelta) -> str:
    """Render a lifetime as Go duration hours, the way Cloudflare shows `8760h`."""
    hours = Decimal(lifetime.total_seconds()) / 3600
    return f"{hours.normalize():f}h"


def _go_duration_nanoseconds(text: str, field: str) -> int:
    body = text[1:] if text[:1] in "+-" else text
    if text.startswith("-"):
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
            if not unit:
                break
            raise ServiceTokenConfigError(_unknown_unit_message(text, field, number, unit))
        total += Decimal(number) * _NANOSECONDS[unit]
        position = match.end()
    if body == "0":  # Go's one unitless duration: zero
        return 0
    if not body or position != len(body):
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) is not a Go duration; write an optional sign, then numbers "
            f"in ASCII digits each followed by a unit (ns, us, ms, s, m, h), e.g. '8760h' or "
            f"'2h45m'{_forever_hint(field)}."
        )
    if total > MAX_NANOSECONDS:
        raise ServiceTokenConfigError(
            f"`{field}` ({text!r}) is longer than a Go duration can be (2562047h, about 292 "
            f"years); shorten it{_forever_hint(field)}."
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
