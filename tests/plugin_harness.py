"""Drive the provider plugin as the engine does, sending what the engine sends.

`serve_plugin` serves it in-process (its event loop on a thread of its own), through the same
servicer the plugin's entry point serves, so the clock seam and the fake Cloudflare API apply:
the many fast cases. `PluginClient` is the engine's side; it drives the plugin in a subprocess
too (`tests/hosts.py`), for the few cases that prove the wiring.

Every shape below is the engine's, read from pulumi/pulumi (CLI 3.274 era), and is built here
independently of the plugin's own `_wire`, so a plugin that misreads the engine fails here:

- URNs (`pkg/resource/deploy/deployment.go`, `generateURN`): a child's type is qualified by its
  parent's, `Parent$Child`, except under the root stack. The plugin's custom resources are always
  the component's children: `…::cloudflare-service-token:index:ServiceTokenComponent$`
  `cloudflare-service-token:index:TokenRenewal::ci-renewal`. Requests also carry `name` and
  `type` (`urn.Type()`, the last segment), as `sdk/go/common/resource/plugin/provider_plugin.go`
  sets them; the SDK hands the plugin the qualified type instead.
- Values (`sdk/go/common/resource/plugin/rpc.go`, `MarshalPropertyValue`): numbers are doubles;
  a secret is a secret-signature object; an unknown (previews only) is a marker string; in
  Construct, whose inputs keep output values when the plugin answered `acceptOutputs`, an Output
  is an output-value object that leaves out `value` when unknown, `secret` when false and
  `dependencies` when empty. Signatures: `sdk/go/common/resource/sig`.
- Configure (`provider_plugin.go`, `Configure`): `args` (secrets kept) and `variables` (every
  input again as `<package>:config:<key>` text, non-text as JSON, secrets unwrapped), with
  `acceptSecrets`, `acceptResources`, `sends_old_inputs(_to_delete)`. Stack config reaches `args`
  as text (`pkg/resource/deploy/target.go`, `GetPackageConfig`); an explicit provider's inputs
  keep their types.
- Construct (`provider_plugin.go`, `Construct`; `proto/pulumi/provider.proto`): aliases as
  `pulumirpc.Alias` messages, a URN or a spec (name, type, stack, project, parentUrn | noParent;
  empty fields mean "as now"); `accepts_output_values`; property dependencies beside the inputs.
- Command line (`sdk/go/common/resource/plugin/plugin.go`, `buildPluginArguments`):
  `[--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>`: `ENGINE_FLAGS`.
"""

import asyncio
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import grpc
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import MockResourceArgs, Mocks
from pulumi.runtime.proto import alias_pb2, provider_pb2, provider_pb2_grpc

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token._plugin import ServiceTokenProvider
from cloudflare_service_token._plugin_server import PluginServicer, start
from cloudflare_service_token._schema import COMPONENT_TYPE, PACKAGE
from cloudflare_service_token.testing import RecordingMonitor
from tests.hosts import serve_monitor

VERSION = "0.2.0"
STACK, PROJECT = "dev", "consumer"
ROOT_STACK: Final = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
COMPONENT_NAME: Final = "ci"

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


def from_wire(prop: PropertyValue) -> Any:
    """A value the plugin answered, as the engine reads it: every unknown marker is UNKNOWN."""
    value = prop.value
    if isinstance(value, str) and value in UNKNOWN_MARKERS:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [from_wire(v) for v in value]
    return value


def _variables(args: Mapping[str, Any]) -> dict[str, str]:
    """Configure's `variables`: each input under `<package>:config:<key>`, unwrapped, as text."""
    plain = {
        key: value.value if isinstance(value, Secret) else value for key, value in args.items()
    }
    return {f"{PACKAGE}:config:{key}": _go_json(value) for key, value in plain.items()}


def _go_json(value: Any) -> str:
    """Text as Go's `json.Marshal` writes it (a whole double without a fraction); text as is."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


# -- URNs and aliases --------------------------------------------------------------------------


def component_urn(name: str = COMPONENT_NAME) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{COMPONENT_TYPE}::{name}"


def child_urn(type_: str, name: str | None = None) -> str:
    """The URN of one of the component's custom resources, its type qualified by the
    component's, named as the component names it (`<component>-renewal`, …)."""
    kind = type_.rsplit(":", 1)[-1]
    suffix = {"TokenRenewal": "renewal", "RenewalSchedule": "schedule"}.get(kind, "rotation")
    return f"urn:pulumi:{STACK}::{PROJECT}::{COMPONENT_TYPE}${type_}::" + (
        name or f"{COMPONENT_NAME}-{suffix}"
    )


def _name(urn: str) -> str:
    """The `name` field the engine sets beside a URN."""
    return urn.split("::", 3)[3]


def _type(urn: str) -> str:
    """The `type` field the engine sets beside a URN: its own type, without its parents'."""
    return urn.split("::", 3)[2].rsplit("$", 1)[-1]


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


# -- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Properties the plugin answered: plain values, and which of them it marked secret."""

    id: str
    properties: dict[str, Any]
    secret: frozenset[str]


def answer(id_: str, wire: Any) -> Answer:
    values = PropertyValue.unmarshal_map(wire)
    return Answer(
        id_,
        {k: from_wire(v) for k, v in values.items()},
        frozenset(k for k, v in values.items() if v.is_secret),
    )


@dataclass(frozen=True)
class Diff:
    changes: bool | None
    replaces: list[str]
    delete_before_replace: bool


class PluginClient:
    """The engine's side of the plugin's gRPC: camelCase names, plain values (or `Secret`,
    `OutputValue`, UNKNOWN), the engine's URNs."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def schema(self) -> str:
        return str(self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)

    def check_config(self, args: Mapping[str, Any]) -> list[tuple[str, str]]:
        urn = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:{PACKAGE}::default"
        response = self.stub.CheckConfig(
            provider_pb2.CheckRequest(
                urn=urn, name=_name(urn), type=_type(urn), olds=struct({}), news=struct(args)
            )
        )
        return [(f.property, f.reason) for f in response.failures]

    def configure(
        self, args: Mapping[str, Any], *, variables: Mapping[str, str] | None = None
    ) -> Any:
        """Configure as the engine does: an explicit provider's typed inputs (wrap credentials
        in `Secret`), each again in `variables` unless these are given (an older engine's
        form)."""
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct(args),
                variables=_variables(args) if variables is None else dict(variables),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
            )
        )

    def configure_from_stack_config(
        self, config: Mapping[str, str], secret_keys: tuple[str, ...] = ("apiToken", "apiKey")
    ) -> Any:
        """The default provider's Configure: each `cloudflare-service-token:<key>` of the stack
        config as text, the secret ones secret."""
        return self.configure(
            {key: Secret(value) if key in secret_keys else value for key, value in config.items()}
        )

    def check(
        self, type_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        urn = child_urn(type_)
        response = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=urn, name=_name(urn), type=_type(urn), olds=struct(olds), news=struct(news)
            )
        )
        return [(f.property, f.reason) for f in response.failures]

    def diff(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        secrets: tuple[str, ...] = (),
    ) -> Diff:
        urn = child_urn(type_)
        response = self.stub.Diff(
            provider_pb2.DiffRequest(
                urn=urn,
                name=_name(urn),
                type=_type(urn),
                id=id_,
                olds=struct(olds, secrets),
                news=struct(news),
            )
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return Diff(changes, list(response.replaces), response.deleteBeforeReplace)

    def create(self, type_: str, props: Mapping[str, Any], *, preview: bool = False) -> Answer:
        urn = child_urn(type_)
        response = self.stub.Create(
            provider_pb2.CreateRequest(
                urn=urn, name=_name(urn), type=_type(urn), properties=struct(props), preview=preview
            )
        )
        return answer(response.id, response.properties)

    def update(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        preview: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> Answer:
        urn = child_urn(type_)
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                urn=urn,
                name=_name(urn),
                type=_type(urn),
                id=id_,
                olds=struct(olds, secrets),
                news=struct(news),
                preview=preview,
            )
        )
        return answer(id_, response.properties)

    def read(self, type_: str, id_: str, props: Mapping[str, Any]) -> Answer:
        urn = child_urn(type_)
        response = self.stub.Read(
            provider_pb2.ReadRequest(
                urn=urn, name=_name(urn), type=_type(urn), id=id_, properties=struct(props)
            )
        )
        return answer(response.id, response.properties)

    def delete(self, type_: str, id_: str, props: Mapping[str, Any]) -> None:
        urn = child_urn(type_)
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                urn=urn, name=_name(urn), type=_type(urn), id=id_, properties=struct(props)
            )
        )

    def construct(
        self,
        monitor: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        parent: str = ROOT_STACK,
        preview: bool = False,
        protect: bool = False,
        aliases: tuple[alias_pb2.Alias, ...] = (),
    ) -> tuple[str, dict[str, PropertyValue]]:
        """Construct the component as the engine asks for a remote component. `inputs` values
        are plain, `Secret`, `OutputValue` or UNKNOWN; an output value's dependencies are also
        the input's property dependencies, as the program registered them."""
        dependencies = {
            key: provider_pb2.ConstructRequest.PropertyDependencies(urns=value.dependencies)
            for key, value in inputs.items()
            if isinstance(value, OutputValue) and value.dependencies
        }
        response = self.stub.Construct(
            provider_pb2.ConstructRequest(
                project=PROJECT,
                stack=STACK,
                monitorEndpoint=monitor,
                dryRun=preview,
                type=COMPONENT_TYPE,
                name=name,
                parent=parent,
                inputs=struct(inputs),
                inputDependencies=dependencies,
                protect=protect,
                aliases=list(aliases),
                accepts_output_values=True,
            )
        )
        return response.urn, PropertyValue.unmarshal_map(response.state)


class PreviewMocks(Mocks):
    """What the engine answers in a preview: nothing new exists, so no outputs beyond inputs."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return "", dict(args.inputs)

    def call(self, args: Any) -> tuple[dict[str, Any], None]:
        return {}, None


def construct_recorded(
    client: PluginClient, mocks: Mocks, inputs: Mapping[str, Any], **options: Any
) -> tuple[RecordingMonitor, str, dict[str, PropertyValue]]:
    """Construct `inputs` as the engine would, against a recording monitor answering with
    `mocks`; the monitor keeps every registration the component made."""
    monitor = RecordingMonitor(mocks)
    with serve_monitor(monitor) as address:
        urn, state = client.construct(address, COMPONENT_NAME, inputs, **options)
    return monitor, urn, state


@contextmanager
def serve_plugin(engine_address: str = "") -> Iterator[PluginClient]:
    """A fresh plugin on a free loopback port, its event loop on a thread, for one test."""
    loop = asyncio.new_event_loop()
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def begin() -> None:
        provider = ServiceTokenProvider(VERSION, engine_address or None)
        servicer = PluginServicer([], VERSION, provider, engine_address)
        started["server"], started["port"] = await start(servicer)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(begin())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the in-process plugin did not start")
    channel = grpc.insecure_channel(f"127.0.0.1:{started['port']}")
    try:
        yield PluginClient(provider_pb2_grpc.ResourceProviderStub(channel))
    finally:
        channel.close()
        asyncio.run_coroutine_threadsafe(started["server"].stop(None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
