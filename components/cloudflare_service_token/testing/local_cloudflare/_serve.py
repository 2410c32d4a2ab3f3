"""Serve the stand-in as the engine runs a provider plugin: `<command> [--logtostderr] [-v=N]
[--tracing <endpoint>] <engine address>`, the port printed on stdout, then gRPC until stopped.

The SDK's `server.main` takes the first word after its flags as the engine's address, which is
the tracing endpoint when the engine passes `--tracing`; this reads the last one instead and
serves the SDK's own `ProviderServicer`.
"""

import asyncio
import contextlib
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import grpc
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2_grpc

from ._provider import LocalCloudflareProvider

# The version pulumi-cloudflare reports when its distribution is missing.
_FALLBACK_VERSION = "6.0.0"
_USAGE = "usage: python -m cloudflare_service_token.testing.local_cloudflare <engine address>"


def plugin_version() -> str:
    """The installed pulumi-cloudflare's version, read without importing it (that takes
    seconds): the engine asked for that version, and this stands in for it."""
    try:
        return version("pulumi_cloudflare")
    except PackageNotFoundError:
        return _FALLBACK_VERSION


def engine_address(argv: Sequence[str]) -> str:
    """The engine's address: the last word that is neither a flag nor the tracing endpoint."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--tracing":
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    if not words:
        raise SystemExit(_USAGE)
    return words[-1]


async def serve(argv: Sequence[str]) -> None:
    address = engine_address(argv)
    server = grpc.aio.server()
    servicer = ProviderServicer(list(argv), plugin_version(), LocalCloudflareProvider(), address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    # The engine reads this first line as the port; nothing may be printed before it.
    print(port, flush=True)
    await server.wait_for_termination()


def main(argv: Sequence[str] | None = None) -> None:
    # The engine interrupts its plugins when a deployment ends: that is a normal exit.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sys.argv[1:] if argv is None else argv))
