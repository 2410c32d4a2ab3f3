"""A provider's gRPC server in this test process, its event loop on a thread of its own, so that
what the test installs (the clock seam, the fake Cloudflare API) applies inside it: for the many
fast cases that `tests/hosts.py` would otherwise run as processes."""

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

# A guard against a server that never starts or stops, not a timing.
_START_TIMEOUT_SECONDS = 30
_STOP_TIMEOUT_SECONDS = 10


@contextmanager
def serve_in_process(
    start: Callable[[], Awaitable[tuple[grpc.aio.Server, int]]], what: str
) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """Run `start` (which serves on a free loopback port and returns the server and the port) on
    a fresh event loop on a thread, for one test; yield a stub connected to it. `what` names
    the server in the error when it does not start."""
    loop = asyncio.new_event_loop()
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def begin() -> None:
        started["server"], started["port"] = await start()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(begin())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(_START_TIMEOUT_SECONDS):
        raise RuntimeError(f"{what} did not start")
    channel = grpc.insecure_channel(f"127.0.0.1:{started['port']}")
    try:
        yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        channel.close()
        stopped = asyncio.run_coroutine_threadsafe(started["server"].stop(None), loop)
        stopped.result(_STOP_TIMEOUT_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT_SECONDS)
        loop.close()
