"""Drive the local Cloudflare stand-in as the engine drives a provider plugin.

`serve_local_cloudflare` serves it in-process (`tests/in_process.py`) through the SDK's
`ProviderServicer`, as its entry point does; `EngineClient` sends what the engine sends
(`tests/engine_shapes.py`, where each shape cites the engine's source): the component's children
under parent-qualified URNs, values as the engine marshals them, Diff and Update with the old
outputs, the old inputs and `ignoreChanges`, Read and Delete with both, Configure's `args` and
`variables`. It reads the answers as the engine does, and rejects an unknown outside a preview.
"""

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
from tests.engine_shapes import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN_STRING,
    Secret,
    address,
    config_variables,
    send_check,
    struct,
)
from tests.in_process import serve_in_process

VERSION: Final = "6.23.1"
TOKEN_TYPE: Final = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
POLICY_TYPE: Final = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy"
ALERT_TYPE: Final = "cloudflare:index/notificationPolicy:NotificationPolicy"
COMPONENT_TYPE: Final = "cloudflare-service-token:index:ServiceTokenComponent"
PROVIDER_URN: Final = "urn:pulumi:dev::proj::pulumi:providers:cloudflare::default_6_23_1"


def urn(type_: str, name: str) -> str:
    """A child of the component, as the engine names it."""
    return f"urn:pulumi:dev::proj::{COMPONENT_TYPE}${type_}::{name}"


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


def answer(id_: str, properties: struct_pb2.Struct, *, preview: bool = False) -> Answer:
    """The plugin's answer; outside a preview the engine rejects an unknown (`RejectUnknowns`),
    and so does this."""
    values = {key: read_value(value) for key, value in properties.fields.items()}
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

    @classmethod
    def answered(cls, response: provider_pb2.DiffResponse) -> "Diff":
        return cls(
            response.changes,
            list(response.replaces),
            list(response.diffs),
            response.deleteBeforeReplace,
        )

    @property
    def some(self) -> bool:
        return self.changes == provider_pb2.DiffResponse.DIFF_SOME


class EngineClient:
    """The engine's side of the provider's gRPC."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def configure(self, args: Mapping[str, Any], variables: Mapping[str, str] | None = None) -> Any:
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct(args),
                variables=(
                    config_variables("cloudflare", args) if variables is None else dict(variables)
                ),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
            )
        )

    def check_config(self, news: Mapping[str, Any]) -> list[tuple[str, str]]:
        plain = {key: _unwrapped(value) for key, value in news.items()}
        return send_check(self.stub.CheckConfig, PROVIDER_URN, {}, plain)

    def diff_config(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
        response = self.stub.DiffConfig(
            provider_pb2.DiffRequest(
                urn=PROVIDER_URN, olds=struct(olds), old_inputs=struct(olds), news=struct(news)
            )
        )
        return Diff.answered(response)

    def check(
        self, type_: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        return send_check(self.stub.Check, urn(type_, "ci"), olds or {}, news)

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
                **address(urn(type_, "ci")),
                id=state.id,
                olds=struct(state.wire),
                old_inputs=struct(old_inputs),
                news=struct(news),
                ignoreChanges=list(ignore_changes),
            )
        )
        return Diff.answered(response)

    def create(self, type_: str, props: Mapping[str, Any], *, preview: bool = False) -> Answer:
        response = self.stub.Create(
            provider_pb2.CreateRequest(
                **address(urn(type_, "ci")), properties=struct(props), preview=preview
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
                **address(urn(type_, "ci")),
                id=state.id,
                olds=struct(state.wire),
                old_inputs=struct(old_inputs),
                news=struct(news),
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
                **address(urn(type_, "ci")),
                id=id_,
                properties=struct(state or {}),
                inputs=struct(inputs or {}),
            )
        )
        return answer(response.id, response.properties), answer(response.id, response.inputs)

    def delete(self, type_: str, state: Answer, old_inputs: Mapping[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                **address(urn(type_, "ci")),
                id=state.id,
                properties=struct(state.wire),
                old_inputs=struct(old_inputs),
            )
        )


@contextmanager
def serve_local_cloudflare(environ: Mapping[str, str] | None = None) -> Iterator[EngineClient]:
    """A fresh stand-in on a free loopback port, its event loop on a thread, for one test. It
    sees `environ` (default: nothing) as its environment."""

    async def begin() -> tuple[grpc.aio.Server, int]:
        server = grpc.aio.server()
        provider = LocalCloudflareProvider(environ={} if environ is None else environ)
        servicer = ProviderServicer([], VERSION, provider, "127.0.0.1:1")
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        return server, port

    with serve_in_process(begin, "the in-process stand-in") as stub:
        yield EngineClient(stub)
