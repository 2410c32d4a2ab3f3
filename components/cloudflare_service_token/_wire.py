"""Unknown values on the plugin's wire.

The engine sends and takes a value not known until the update runs as a marker string. The SDK's
`PropertyValue` (checked with pulumi 3.272) neither reads that marker as `Computed` nor can
write a `Computed`, so the plugin does both itself, here.
"""

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_TEXT

__all__ = ["UNKNOWN_TEXT", "is_unknown", "unknown"]


def is_unknown(prop: PropertyValue) -> bool:
    return isinstance(prop.value, Computed) or prop.value == UNKNOWN_TEXT


def unknown(*, secret: bool = False, dependencies: frozenset[str] = frozenset()) -> PropertyValue:
    return PropertyValue(UNKNOWN_TEXT, is_secret=secret, dependencies=dependencies)
