"""The plugin's gRPC server: started as the engine starts a plugin, answering as the engine reads.

Built on the SDK's `ProviderServicer` (pulumi 3.272; this module is the one that leans on its
internals). On top of it:

- The engine's address is found among the flags the engine puts before it on the command line
  (pulumi/pulumi `sdk/go/common/resource/plugin/plugin.go`, `buildPluginArguments`:
  `[--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>`). The SDK's `main` took the
  tracing endpoint for the address.
- Construct's inputs and aliases are made readable for the SDK first (`_wire`).
- An error a user can act on (a bad argument or setting, a Cloudflare refusal) reaches the user
  as its message in the schema's words. The SDK re-raises every error with a Python traceback
  appended to its message, raising inside its `except`, so the original is the re-raised
  error's `__context__`; that is where it is found.
"""

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, TypeVar

import grpc
import pulumi
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ._cloudflare_api import CloudflareApiError
from ._errors import ServiceTokenConfigError
from ._machines import RenewalError
from ._plugin_messages import for_plugin_users
from ._wire import alias_option, readable

# Errors whose message tells the user what to do; any other is a bug, reported with its traceback.
USER_ERRORS: Final = (ServiceTokenConfigError, CloudflareApiError, RenewalError)
# Engine flags followed by a separate value; every other flag is one argument (`-v=9`).
_FLAGS_WITH_VALUE: Final = frozenset({"--tracing"})
# The engine's own limit on a message's size (rpcutil's channel options): 400 MiB.
_CHANNEL_OPTIONS: Final = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]

Request = TypeVar("Request")
Response = TypeVar("Response")


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
        return await self._answer(super().Construct, spelled, context)

    @staticmethod
    def _construct_options(request: provider_pb2.ConstructRequest) -> pulumi.ResourceOptions:
        options = ProviderServicer._construct_options(request)
        options.aliases = [alias_option(alias) for alias in request.aliases]
        return options

    async def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().CheckConfig, request, context)

    async def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Configure, request, context)

    async def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Check, request, context)

    async def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Diff, request, context)

    async def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Create, request, context)

    async def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Update, request, context)

    async def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Read, request, context)

    async def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await self._answer(super().Delete, request, context)

    @staticmethod
    async def _answer(
        verb: Callable[[Request, Any], Awaitable[Response]], request: Request, context: Any
    ) -> Response:
        try:
            return await verb(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            cause = _user_error(error)
            if cause is None:
                raise
            code = (
                grpc.StatusCode.INVALID_ARGUMENT
                if isinstance(cause, ServiceTokenConfigError)
                else grpc.StatusCode.UNKNOWN
            )
            await context.abort(code, for_plugin_users(str(cause)))
            raise  # not reached: abort raises


def _user_error(error: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, USER_ERRORS):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


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
