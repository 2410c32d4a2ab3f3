"""Drive dynamic providers exactly as the Pulumi engine does: through the SDK's own gRPC servicer
(`pulumi/dynamic/__main__.py`), served in-process on loopback, so a `FakeClock` and the fake
Cloudflare API apply to the providers a program registers.

This is the kit's one use of the SDK's internals for dynamic providers: the servicer module starts
serving when imported (its last line is `main()`), so its source is compiled without that one
call. Checked against pulumi 3.226 to 3.272.
"""

import ast
import asyncio
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pulumi.dynamic
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"


def _servicer_class() -> type:
    path = Path(pulumi.dynamic.__file__).with_name("__main__.py")
    tree = ast.parse(path.read_text(), str(path))
    tree.body = [
        node
        for node in tree.body
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "main"
        )
    ]
    namespace: dict[str, Any] = {"__name__": "pulumi_dynamic_servicer"}
    exec(compile(tree, str(path), "exec"), namespace)  # noqa: S102 - the SDK's own source
    return namespace["DynamicResourceProviderServicer"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Diff:
    changes: bool | None
    replaces: list[str]


class DynamicProviderHarness:
    """A gRPC client of the dynamic-provider servicer, taking and returning plain dicts."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self._stub = stub
        self._loop = asyncio.new_event_loop()

    def configure(self, config: dict[str, str]) -> None:
        self._stub.Configure(provider_pb2.ConfigureRequest(args=self._struct(config)))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self._stub.Check(
            provider_pb2.CheckRequest(olds=self._struct(olds), news=self._struct(news))
        )
        if response.failures:
            raise AssertionError([(f.property, f.reason) for f in response.failures])
        return self._dict(response.inputs)

    def create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._stub.Create(provider_pb2.CreateRequest(properties=self._struct(props)))
        return response.id, self._dict(response.properties)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Diff:
        response = self._stub.Diff(
            provider_pb2.DiffRequest(id=id_, olds=self._struct(olds), news=self._struct(news))
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return Diff(changes=changes, replaces=list(response.replaces))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self._stub.Update(
            provider_pb2.UpdateRequest(id=id_, olds=self._struct(olds), news=self._struct(news))
        )
        return self._dict(response.properties)

    def read(self, id_: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._stub.Read(provider_pb2.ReadRequest(id=id_, properties=self._struct(props)))
        return response.id, self._dict(response.properties)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._stub.Delete(provider_pb2.DeleteRequest(id=id_, properties=self._struct(props)))

    def up(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """What the engine does for a new resource: Check, then Create."""
        return self.create(self.check({}, inputs))

    def close(self) -> None:
        self._loop.close()

    def _struct(self, props: dict[str, Any]) -> struct_pb2.Struct:
        return self._loop.run_until_complete(rpc.serialize_properties(props, {}))

    @staticmethod
    def _dict(struct: struct_pb2.Struct) -> dict[str, Any]:
        return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


@contextmanager
def serve_dynamic_providers() -> Iterator[DynamicProviderHarness]:
    """A fresh servicer (fresh provider cache) on a free loopback port, for one block."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(_servicer_class()(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    harness = DynamicProviderHarness(provider_pb2_grpc.ResourceProviderStub(channel))
    try:
        yield harness
    finally:
        harness.close()
        channel.close()
        server.stop(grace=None)
