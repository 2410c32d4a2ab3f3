"""Drive the provider plugin as the engine does: over gRPC, through the SDK's own servicer
(`pulumi.provider.experimental.server.ProviderServicer`).

`serve_plugin` serves it in-process (its event loop on a thread of its own), so the clock seam and
the fake Cloudflare API apply: the many fast cases. `PluginClient` is the engine's side; it works
for the plugin in a subprocess too (`tests/hosts.py`), for the few cases that prove the wiring.
"""

import asyncio
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token._plugin import ServiceTokenProvider
from cloudflare_service_token._schema import COMPONENT_TYPE
from cloudflare_service_token._wire import is_unknown, wire_value

VERSION = "0.2.0"


def urn(type_: str, name: str = "res") -> str:
    return f"urn:pulumi:dev::consumer::{type_}::{name}"


def to_wire(value: Any, *, secret: bool = False) -> PropertyValue:
    """A plain Python value as the engine sends it (numbers as floats, UNKNOWN as unknown)."""
    return PropertyValue(wire_value(value), is_secret=secret)


def from_wire(prop: PropertyValue) -> Any:
    value = prop.value
    if is_unknown(prop):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [from_wire(v) for v in value]
    return value


def struct(props: Mapping[str, Any], secrets: tuple[str, ...] = ()) -> Any:
    return PropertyValue.marshal_map({k: to_wire(v, secret=k in secrets) for k, v in props.items()})


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
    """The engine's side of the plugin's gRPC: camelCase names, plain values."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def schema(self) -> str:
        return str(self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)

    def configure(self, args: Mapping[str, Any], variables: Mapping[str, str] | None = None) -> Any:
        secret_args = tuple(k for k in args if k in ("apiToken", "apiKey"))
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct(args, secret_args),
                variables=dict(variables or {}),
                acceptSecrets=True,
                acceptResources=True,
            )
        )

    def check(
        self, type_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        response = self.stub.Check(
            provider_pb2.CheckRequest(urn=urn(type_), olds=struct(olds), news=struct(news))
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
        response = self.stub.Diff(
            provider_pb2.DiffRequest(
                urn=urn(type_), id=id_, olds=struct(olds, secrets), news=struct(news)
            )
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return Diff(changes, list(response.replaces), response.deleteBeforeReplace)

    def create(self, type_: str, props: Mapping[str, Any], *, preview: bool = False) -> Answer:
        response = self.stub.Create(
            provider_pb2.CreateRequest(urn=urn(type_), properties=struct(props), preview=preview)
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
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                urn=urn(type_),
                id=id_,
                olds=struct(olds, secrets),
                news=struct(news),
                preview=preview,
            )
        )
        return answer(id_, response.properties)

    def read(self, type_: str, id_: str, props: Mapping[str, Any]) -> Answer:
        response = self.stub.Read(
            provider_pb2.ReadRequest(urn=urn(type_), id=id_, properties=struct(props))
        )
        return answer(response.id, response.properties)

    def construct(
        self,
        monitor: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        parent: str = "",
        preview: bool = False,
        protect: bool = False,
    ) -> tuple[str, dict[str, PropertyValue]]:
        """Construct the component as the engine asks for a remote component; `inputs` values
        may be PropertyValues (secrets, dependencies) or plain values."""
        wire = {
            key: value if isinstance(value, PropertyValue) else to_wire(value)
            for key, value in inputs.items()
        }
        response = self.stub.Construct(
            provider_pb2.ConstructRequest(
                project="consumer",
                stack="dev",
                monitorEndpoint=monitor,
                dryRun=preview,
                type=COMPONENT_TYPE,
                name=name,
                parent=parent,
                inputs=PropertyValue.marshal_map(wire),
                protect=protect,
                accepts_output_values=True,
            )
        )
        return response.urn, PropertyValue.unmarshal_map(response.state)

    def delete(self, type_: str, id_: str, props: Mapping[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(urn=urn(type_), id=id_, properties=struct(props))
        )


@contextmanager
def serve_plugin(engine_address: str = "") -> Iterator[PluginClient]:
    """A fresh plugin on a free loopback port, its event loop on a thread, for one test."""
    loop = asyncio.new_event_loop()
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def start() -> None:
        server = grpc.aio.server()
        provider = ServiceTokenProvider(VERSION, engine_address or None)
        servicer = ProviderServicer([], VERSION, provider, engine_address)
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
