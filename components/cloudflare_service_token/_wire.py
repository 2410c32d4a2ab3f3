"""The engine's wire shapes, read and written for the plugin where the SDK does not.

Checked with pulumi 3.272 against what the engine sends (pulumi/pulumi
`sdk/go/common/resource/plugin/rpc.go`, `MarshalPropertyValue`):

- An unknown is a marker string, one per type; the SDK's `PropertyValue` knows only the string
  one and neither reads it as `Computed` nor writes a `Computed`. The plugin does both here.
- In Construct, an input given as an Output arrives as an output value that leaves out `value`
  when unknown, `secret` when false and `dependencies` when empty; the SDK's unmarshal needs all
  three. `readable` spells them out before the SDK reads the request.
- Construct's aliases are `pulumirpc.Alias` messages; `alias_option` makes each the URN or
  `pulumi.Alias` the SDK's resource options take.
- A child's URN qualifies its type by its parents' (`pkg/resource/deploy/deployment.go`,
  `generateURN`); `resource_type_of` reads the resource's own type back, for the plugin and the
  local Cloudflare stand-in alike.
"""

from typing import Any, Final

import pulumi
from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.proto import alias_pb2
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_TEXT

from ._machines import UNKNOWN

__all__ = [
    "UNKNOWN_TEXT",
    "alias_option",
    "is_unknown",
    "readable",
    "resource_type_of",
    "unknown",
    "wire_value",
]

# rpc.go: `UnknownBoolValue` … `UnknownObjectValue`; the engine picks one by the value's type.
UNKNOWN_MARKERS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        UNKNOWN_TEXT,  # 04da6b54-…, the string one
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)
# The signature key and the output value's signature (sdk/go/common/resource/sig: Key, OutputValue).
SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
OUTPUT_VALUE_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def resource_type_of(urn: str) -> str:
    """A URN's own resource type: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`,
    where the qualified type is the parents' types and its own joined by `$` (the name may hold
    `::` itself)."""
    parts = urn.split("::", 3)
    qualified = parts[2] if len(parts) == 4 else ""
    return qualified.rsplit("$", 1)[-1]


def is_unknown(prop: PropertyValue) -> bool:
    value = prop.value
    return isinstance(value, Computed) or (isinstance(value, str) and value in UNKNOWN_MARKERS)


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


def readable(properties: struct_pb2.Struct) -> struct_pb2.Struct:
    """`properties` with every output value, at any depth, carrying `value` (the unknown marker
    when the engine left it out), `secret` and `dependencies`: the same values, in the one
    spelling the SDK's unmarshal accepts."""
    return struct_pb2.Struct(
        fields={key: _readable(value) for key, value in properties.fields.items()}
    )


def _readable(value: struct_pb2.Value) -> struct_pb2.Value:
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        items = [_readable(item) for item in value.list_value.values]
        return struct_pb2.Value(list_value=struct_pb2.ListValue(values=items))
    if kind != "struct_value":
        return value
    fields = {key: _readable(item) for key, item in value.struct_value.fields.items()}
    sig = fields.get(SIG_KEY)
    if sig is not None and sig.string_value == OUTPUT_VALUE_SIG:
        fields.setdefault("value", struct_pb2.Value(string_value=UNKNOWN_TEXT))
        fields.setdefault("secret", struct_pb2.Value(bool_value=False))
        fields.setdefault("dependencies", struct_pb2.Value(list_value=struct_pb2.ListValue()))
    return struct_pb2.Value(struct_value=struct_pb2.Struct(fields=fields))


def alias_option(alias: alias_pb2.Alias) -> str | pulumi.Alias:
    """One of Construct's aliases as the SDK's `ResourceOptions.aliases` takes it. In a spec, an
    empty field means "as the resource is now", which is what leaving a `pulumi.Alias` argument
    out means too; `noParent` is a parent of None (the root stack)."""
    if alias.WhichOneof("alias") == "urn":
        return alias.urn
    spec = alias.spec
    given: dict[str, Any] = {
        option: text
        for option, text in (
            ("name", spec.name),
            ("type_", spec.type),
            ("stack", spec.stack),
            ("project", spec.project),
        )
        if text
    }
    parent = spec.WhichOneof("parent")
    if parent == "parentUrn" and spec.parentUrn:
        given["parent"] = spec.parentUrn
    elif parent == "noParent" and spec.noParent:
        given["parent"] = None
    return pulumi.Alias(**given)
