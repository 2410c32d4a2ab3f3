"""Python values onto the plugin's wire, and unknowns both ways.

The engine sends and takes a value not known until the update runs as a marker string. The SDK's
`PropertyValue` (checked with pulumi 3.272) neither reads that marker as `Computed` nor can
write a `Computed`, so the plugin does both itself, here.
"""

from typing import Any

from pulumi.output import Unknown
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_TEXT

from ._machines import UNKNOWN

__all__ = ["UNKNOWN_TEXT", "is_unknown", "unknown", "wire_value"]


def is_unknown(prop: PropertyValue) -> bool:
    return isinstance(prop.value, Computed) or prop.value == UNKNOWN_TEXT


def unknown(*, secret: bool = False, dependencies: frozenset[str] = frozenset()) -> PropertyValue:
    return PropertyValue(UNKNOWN_TEXT, is_secret=secret, dependencies=dependencies)


def wire_value(value: Any) -> Any:
    """A plain Python value as a `PropertyValue` holds it: one number type, nested values
    wrapped, and an unknown (the machines' or the SDK's) as the engine's marker."""
    if value is UNKNOWN or isinstance(value, Unknown):
        return UNKNOWN_TEXT
    if isinstance(value, dict):
        return {key: PropertyValue(wire_value(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [PropertyValue(wire_value(item)) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
