"""The plugin's gRPC server: started as the engine starts a plugin, answering as the engine reads.

Built on the SDK's `ProviderServicer` (pulumi 3.272; this module is the one that leans on its
internals). On top of it:

- The engine's address is found among the flags the engine puts before it on the command line
  (pulumi/pulumi `sdk/go/common/resource/plugin/plugin.go`, `buildPluginArguments`:
  `[--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>`). The SDK's `main` took the
  tracing endpoint for the address.
- Construct's inputs and aliases are made readable for the SDK first (`_wire`).
"""

import asyncio
import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

import grpc
import pulumi
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ._wire import alias_option, readable

# Engine flags followed by a separate value; every other flag is one argument (`-v=9`).
_FLAGS_WITH_VALUE: Final = frozenset({"--tracing"})
# The engine's own limit on a message's size (rpcutil's channel options): 400 MiB.
_CHANNEL_OPTIONS: Final = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


def engine_address(args: Sequence[str]) -> str | None:
    """The engine's address from the plugin's arguments (without the program's name): the last
    argument that is neither a flag nor a flag's value."""
    positional: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _FLAGS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            positional.append(arg)
    return positional[-1] if positional else None


class PluginServicer(ProviderServicer):
    async def Construct(  # noqa: N802 - gRPC method name
        self, request: provider_pb2.ConstructRequest, context: Any
    ) -> Any:
        spelled = provider_pb2.ConstructRequest()
        spelled.CopyFrom(request)
        spelled.inputs.CopyFrom(readable(request.inputs))
        return await super().Construct(spelled, context)

    @staticmethod
    def _construct_options(request: provider_pb2.ConstructRequest) -> pulumi.ResourceOptions:
        options = ProviderServicer._construct_options(request)
        options.aliases = [alias_option(alias) for alias in request.aliases]
        return options


async def start(servicer: PluginServicer, host: str = "127.0.0.1") -> tuple[grpc.aio.Server, int]:
    """Serve `servicer` on a free port of `host`; returns the server and the port."""
    server = grpc.aio.server(options=_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"{host}:0")
    await server.start()
    return server, port


def run(args: Sequence[str], version: str, make_provider: Callable[[str | None], Any]) -> None:
    """Serve until the engine stops the plugin: print the port, the one line the engine reads."""
    address = engine_address(args)

    async def serve() -> None:
        servicer = PluginServicer(list(args), version, make_provider(address), address or "")
        server, port = await start(servicer)
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    # The engine interrupts its plugins at the end of a deployment.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
