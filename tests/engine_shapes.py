"""What the engine sends a provider over gRPC, for the tests' engine-side clients: the
plugin's (`tests/plugin_harness.py`) and the local Cloudflare stand-in's
(`tests/local_cloudflare_harness.py`).

Every shape below is the engine's, read from pulumi/pulumi (CLI 3.274 era), and is built here
independently of the plugin's own `_wire`, so a provider that misreads the engine fails here:

- URNs (`pkg/resource/deploy/deployment.go`, `generateURN`): a child's type is qualified by its
  parent's, `Parent$Child`, except under the root stack. The plugin's custom resources are always
  the component's children: `…::cloudflare-service-token:index:ServiceTokenComponent$`
  `cloudflare-service-token:index:TokenRenewal::ci-renewal`, and so are the stand-in's
  (`…ServiceTokenComponent$cloudflare:index/…::<name>`). Requests also carry `name` and `type`
  (`urn.Type()`, the last segment), as `sdk/go/common/resource/plugin/provider_plugin.go` sets
  them (`address`); the SDK hands a provider the qualified type instead.
- Values (`sdk/go/common/resource/plugin/rpc.go`, `MarshalPropertyValue`): numbers are doubles;
  a secret is a secret-signature object (the provider answers `acceptSecrets`); an unknown is a
  marker string, and only in previews; in Construct, whose inputs keep output values when the
  plugin answered `acceptOutputs`, an Output is an output-value object that leaves out `value`
  when unknown, `secret` when false and `dependencies` when empty. Signatures:
  `sdk/go/common/resource/sig`.
- Configure (`provider_plugin.go`, `Configure`): `args` (secrets kept) and `variables` (every
  input again as `<package>:config:<key>` text, non-text as JSON, secrets unwrapped:
  `config_variables`), with `acceptSecrets`, `acceptResources`, `sends_old_inputs(_to_delete)`.
  Stack config reaches `args` as text (`pkg/resource/deploy/target.go`, `GetPackageConfig`); an
  explicit provider's inputs keep their types.
- Diff and Update (`provider_plugin.go`; `pkg/resource/deploy/step.go`) send the old outputs as
  `olds` and the old inputs as `oldInputs`, and the resource's `ignoreChanges`; the engine has
  already put the old inputs' values in place of the ignored ones in `news`
  (`processIgnoreChanges`), leaving out those the old inputs lack. Read sends the old outputs as
  `properties` and the old inputs as `inputs`, both empty for an import; Delete sends both too.
- Construct (`provider_plugin.go`, `Construct`; `proto/pulumi/provider.proto`): aliases as
  `pulumirpc.Alias` messages, a URN or a spec (name, type, stack, project, parentUrn | noParent;
  empty fields mean "as now": `alias_urn`, `alias_spec`); `accepts_output_values`; property
  dependencies beside the inputs.
- Command line (`sdk/go/common/resource/plugin/plugin.go`, `buildPluginArguments`):
  `[--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>`: `ENGINE_FLAGS`.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypedDict

from google.protobuf import struct_pb2
from pulumi.runtime.proto import alias_pb2, provider_pb2

from cloudflare_service_token._machines import UNKNOWN

SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
OUTPUT_VALUE_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_MARKERS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        UNKNOWN_STRING,
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)
# What a `pulumi up --logflow --logtostderr -v=9 --tracing …` puts before the engine's address.
ENGINE_FLAGS: Final = ("--logtostderr", "-v=9", "--tracing", "127.0.0.1:9")


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """A secret value: a secret-signature object on the wire."""

    value: Any


@dataclass(frozen=True)
class OutputValue:
    """An Output given to a component (Construct only): UNKNOWN `value` while unknown."""

    value: Any = UNKNOWN
    secret: bool = False
    dependencies: tuple[str, ...] = ()


def engine_value(value: Any) -> struct_pb2.Value:
    """A Python value as the engine marshals it."""
    if isinstance(value, OutputValue):
        fields = {SIG_KEY: struct_pb2.Value(string_value=OUTPUT_VALUE_SIG)}
        if value.value is not UNKNOWN:
            fields["value"] = engine_value(value.value)
        if value.secret:
            fields["secret"] = struct_pb2.Value(bool_value=True)
        if value.dependencies:
            urns = [struct_pb2.Value(string_value=urn) for urn in value.dependencies]
            fields["dependencies"] = struct_pb2.Value(list_value=struct_pb2.ListValue(values=urns))
        return struct_pb2.Value(struct_value=struct_pb2.Struct(fields=fields))
    if isinstance(value, Secret):
        fields = {
            SIG_KEY: struct_pb2.Value(string_value=SECRET_SIG),
            "value": engine_value(value.value),
        }
        return struct_pb2.Value(struct_value=struct_pb2.Struct(fields=fields))
    if value is UNKNOWN:
        return struct_pb2.Value(string_value=UNKNOWN_STRING)
    if value is None:
        return struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)
    if isinstance(value, bool):
        return struct_pb2.Value(bool_value=value)
    if isinstance(value, int | float):
        return struct_pb2.Value(number_value=float(value))
    if isinstance(value, str):
        return struct_pb2.Value(string_value=value)
    if isinstance(value, list | tuple):
        items = [engine_value(item) for item in value]
        return struct_pb2.Value(list_value=struct_pb2.ListValue(values=items))
    if isinstance(value, Mapping):
        return struct_pb2.Value(struct_value=struct(value))
    raise TypeError(f"the engine sends no {type(value).__name__}")


def struct(props: Mapping[str, Any], secrets: tuple[str, ...] = ()) -> struct_pb2.Struct:
    """Properties as the engine sends them; the keys in `secrets` as secrets."""
    return struct_pb2.Struct(
        fields={
            key: engine_value(Secret(value) if key in secrets else value)
            for key, value in props.items()
        }
    )


def config_variables(package: str, args: Mapping[str, Any]) -> dict[str, str]:
    """Configure's `variables`: each input under `<package>:config:<key>`, unwrapped, as text."""
    plain = {
        key: value.value if isinstance(value, Secret) else value for key, value in args.items()
    }
    return {f"{package}:config:{key}": _go_json(value) for key, value in plain.items()}


def _go_json(value: Any) -> str:
    """Text as Go's `json.Marshal` writes it (a whole double without a fraction); text as is."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


# -- URNs, aliases, Check -----------------------------------------------------------------------


class Address(TypedDict):
    """The fields that name a resource in a request: its URN, and its `name` and `type` beside."""

    urn: str
    name: str
    type: str


def address(urn: str) -> Address:
    """A request's `urn`, with the `name` and `type` (its own, without its parents') the engine
    sets beside it."""
    _, _, qualified_type, name = urn.split("::", 3)
    return Address(urn=urn, name=name, type=qualified_type.rsplit("$", 1)[-1])


def send_check(
    call: Callable[[provider_pb2.CheckRequest], Any],
    urn: str,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
) -> list[tuple[str, str]]:
    """Check, or CheckConfig for a provider's own URN (`call`, the stub's method), as the engine
    sends it; the failures answered, as (property, reason)."""
    response = call(provider_pb2.CheckRequest(**address(urn), olds=struct(olds), news=struct(news)))
    return [(f.property, f.reason) for f in response.failures]


def alias_urn(urn: str) -> alias_pb2.Alias:
    return alias_pb2.Alias(urn=urn)


def alias_spec(
    *,
    name: str = "",
    type_: str = "",
    stack: str = "",
    project: str = "",
    parent_urn: str = "",
    no_parent: bool = False,
) -> alias_pb2.Alias:
    spec = alias_pb2.Alias.Spec(name=name, type=type_, stack=stack, project=project)
    if parent_urn:
        spec.parentUrn = parent_urn
    elif no_parent:
        spec.noParent = True
    return alias_pb2.Alias(spec=spec)
