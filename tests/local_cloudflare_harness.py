"""Drive the local Cloudflare stand-in as the engine drives a provider plugin.

`serve_local_cloudflare` serves it in-process (its event loop on a thread of its own) through the
SDK's `ProviderServicer`, as its entry point does; `EngineClient` sends what the engine sends,
built here independently of the plugin's own wire code, so a plugin that misreads the engine
fails here. The shapes are pulumi/pulumi's (`sdk/go/common/resource/plugin/provider_plugin.go`,
`rpc.go` `MarshalPropertyValue`, `pkg/resource/deploy/step.go`):

- URNs: a child's type is qualified by its parent's (`Parent$Child`); the component's children
  are `…::cloudflare-service-token:index:ServiceTokenComponent$cloudflare:index/…::<name>`.
  Requests also carry `name` and `type` (the last type segment).
- Values: numbers are doubles; a secret is a secret-signature object (the plugin answers
  `acceptSecrets`); an unknown is the string marker, and only in previews.
- Diff and Update send the old outputs as `olds` and the old inputs as `oldInputs`, and the
  resource's `ignoreChanges`; the engine has already put the old inputs' values in place of the
  ignored ones in `news` (`processIgnoreChanges`), leaving out those the old inputs lack. Read sends
  the old outputs as `properties` and the old inputs as `inputs`, both empty for an import;
  Delete sends both too.
- Configure: `args` (secrets kept) and `variables` (`cloudflare:config:<key>`, text).
"""

import asyncio
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import grpc
from google.protobuf import struct_pb2
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token.testing.local_cloudflare._provider import LocalCloudflareProvider

VERSION: Final = "6.23.1"
TOKEN_TYPE: Final = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
POLICY_TYPE: Final = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy"
ALERT_TYPE: Final = "cloudflare:index/notificationPolicy:NotificationPolicy"
COMPONENT_TYPE: Final = "cloudflare-service-token:index:ServiceTokenComponent"

SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class Secret:
    """A secret value: a secret-signature object on the wire."""

    value: Any


def urn(type_: str, name: str) -> str:
    """A child of the component, as the engine names it."""
    return f"urn:pulumi:dev::proj::{COMPONENT_TYPE}${type_}::{name}"


def engine_value(value: Any) -> struct_pb2.Value:
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
    if isinstance(value, Mapping):
        return struct_pb2.Value(struct_value=engine_struct(value))
    return struct_pb2.Value(
        list_value=struct_pb2.ListValue(values=[engine_value(item) for item in value])
    )


def engine_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return struct_pb2.Struct(fields={key: engine_value(value) for key, value in props.items()})


def read_value(value: struct_pb2.Value) -> Any:
    """A value the plugin answered: secrets as `Secret`, the unknown marker as UNKNOWN."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG_KEY in fields and fields[SIG_KEY].string_value == SECRET_SIG:
            return Secret(read_value(fields["value"]))
        return {key: read_value(item) for key, item in fields.items()}
    if kind == "list_value":
        return [read_value(item) for item in value.list_value.values]
    if kind == "string_value":
        return UNKNOWN if value.string_value == UNKNOWN_STRING else value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    return None


@dataclass(frozen=True)
class Answer:
    """Properties the plugin answered: `values` plain (secrets unwrapped), `secret` the keys
    it marked secret, `wire` as answered (for the next request, as the engine keeps state)."""

    id: str
    wire: dict[str, Any]

    @property
    def values(self) -> dict[str, Any]:
        return {key: _unwrapped(value) for key, value in self.wire.items()}

    @property
    def secret(self) -> frozenset[str]:
        return frozenset(key for key, value in self.wire.items() if isinstance(value, Secret))


def answer(id_: str, struct: struct_pb2.Struct, *, preview: bool = False) -> Answer:
    """The plugin's answer; outside a preview the engine rejects an unknown (`RejectUnknowns`),
    and so does this."""
    values = {key: read_value(value) for key, value in struct.fields.items()}
    if not preview and _contains_unknown(values):
        raise AssertionError(f"an unknown outside a preview, which the engine rejects: {values}")
    return Answer(id_, values)


def _contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Secret):
        return _contains_unknown(value.value)
    if isinstance(value, Mapping):
        return any(_contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(item) for item in value)
    return False


def _unwrapped(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


@dataclass(frozen=True)
class Diff:
    changes: int
    replaces: list[str]
    diffs: list[str]
    delete_before_replace: bool

    @property
    def some(self) -> bool:
        return self.changes == provider_pb2.DiffResponse.DIFF_SOME


class EngineClient:
    """The engine's side of the provider's gRPC."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def configure(self, args: Mapping[str, Any], variables: Mapping[str, str] | None = None) -> Any:
        plain = {key: _unwrapped(value) for key, value in args.items()}
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=engine_struct(args),
                variables=dict(
                    variables
                    if variables is not None
                    else {f"cloudflare:config:{k}": str(v) for k, v in plain.items()}
                ),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
            )
        )

    def check_config(self, news: Mapping[str, Any]) -> list[tuple[str, str]]:
        provider_urn = "urn:pulumi:dev::proj::pulumi:providers:cloudflare::default_6_23_1"
        response = self.stub.CheckConfig(
            provider_pb2.CheckRequest(
                urn=provider_urn,
                name="default_6_23_1",
                type="pulumi:providers:cloudflare",
                olds=engine_struct({}),
                news=engine_struct({k: _unwrapped(v) for k, v in news.items()}),
            )
        )
        return [(f.property, f.reason) for f in response.failures]

    def diff_config(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
        response = self.stub.DiffConfig(
            provider_pb2.DiffRequest(
                urn="urn:pulumi:dev::proj::pulumi:providers:cloudflare::default_6_23_1",
                olds=engine_struct(olds),
                old_inputs=engine_struct(olds),
                news=engine_struct(news),
            )
        )
        return Diff(
            response.changes,
            list(response.replaces),
            list(response.diffs),
            response.deleteBeforeReplace,
        )

    def check(
        self, type_: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        response = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                olds=engine_struct(olds or {}),
                news=engine_struct(news),
            )
        )
        return [(f.property, f.reason) for f in response.failures]

    def diff(
        self,
        type_: str,
        state: Answer,
        old_inputs: Mapping[str, Any],
        news: Mapping[str, Any],
        ignore_changes: tuple[str, ...] = (),
    ) -> Diff:
        response = self.stub.Diff(
            provider_pb2.DiffRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                id=state.id,
                olds=engine_struct(state.wire),
                old_inputs=engine_struct(old_inputs),
                news=engine_struct(news),
                ignoreChanges=list(ignore_changes),
            )
        )
        return Diff(
            response.changes,
            list(response.replaces),
            list(response.diffs),
            response.deleteBeforeReplace,
        )

    def create(self, type_: str, props: Mapping[str, Any], *, preview: bool = False) -> Answer:
        response = self.stub.Create(
            provider_pb2.CreateRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                properties=engine_struct(props),
                preview=preview,
            )
        )
        return answer(response.id, response.properties, preview=preview)

    def update(
        self,
        type_: str,
        state: Answer,
        old_inputs: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        preview: bool = False,
        ignore_changes: tuple[str, ...] = (),
    ) -> Answer:
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                id=state.id,
                olds=engine_struct(state.wire),
                old_inputs=engine_struct(old_inputs),
                news=engine_struct(news),
                preview=preview,
                ignoreChanges=list(ignore_changes),
            )
        )
        return answer(state.id, response.properties, preview=preview)

    def read(
        self,
        type_: str,
        id_: str,
        state: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
    ) -> tuple[Answer, Answer]:
        """Outputs and inputs; an import sends neither state nor inputs."""
        response = self.stub.Read(
            provider_pb2.ReadRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                id=id_,
                properties=engine_struct(state or {}),
                inputs=engine_struct(inputs or {}),
            )
        )
        return answer(response.id, response.properties), answer(response.id, response.inputs)

    def delete(self, type_: str, state: Answer, old_inputs: Mapping[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                urn=urn(type_, "ci"),
                name="ci",
                type=type_,
                id=state.id,
                properties=engine_struct(state.wire),
                old_inputs=engine_struct(old_inputs),
            )
        )


@contextmanager
def serve_local_cloudflare(environ: Mapping[str, str] | None = None) -> Iterator[EngineClient]:
    """A fresh stand-in on a free loopback port, its event loop on a thread, for one test. It
    sees `environ` (default: nothing) as its environment."""
    loop = asyncio.new_event_loop()
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def start() -> None:
        server = grpc.aio.server()
        provider = LocalCloudflareProvider(environ={} if environ is None else environ)
        servicer = ProviderServicer([], VERSION, provider, "127.0.0.1:1")
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        started["port"] = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        started["server"] = server

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the in-process stand-in did not start")
    channel = grpc.insecure_channel(f"127.0.0.1:{started['port']}")
    try:
        yield EngineClient(provider_pb2_grpc.ResourceProviderStub(channel))
    finally:
        channel.close()
        asyncio.run_coroutine_threadsafe(started["server"].stop(None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
