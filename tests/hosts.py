"""Provider hosts started the way the engine starts them: a separate process in a fresh working
directory, told the engine's address, printing its gRPC port on stdout.

The engine side is faked on loopback: `FakeEngine` answers the Engine service a host may call
(logs, the root resource) and keeps every log record, so tests can search them for secrets.
Each process is ended by its own pid.
"""

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)

import cloudflare_service_token
from cloudflare_service_token.testing import RecordingMonitor

# A guard against a host that never starts, not a performance figure (those are the bench's).
START_TIMEOUT_SECONDS = 60


@dataclass
class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Engine service: keeps log messages; holds the root resource URN."""

    logs: list[str] = field(default_factory=list)
    root: str = ""

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        self.logs.append(f"{request.severity}: {request.message}")
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()


@contextmanager
def serve_engine() -> Iterator[tuple[FakeEngine, str]]:
    engine = FakeEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield engine, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


@dataclass
class HostProcess:
    process: subprocess.Popen[bytes]
    port: int
    engine: FakeEngine
    stderr: list[str]
    stub: provider_pb2_grpc.ResourceProviderStub

    def output(self) -> str:
        """Everything the host wrote to stderr so far (what the engine would show or log)."""
        return "".join(self.stderr)


def host_environment(home: Path) -> dict[str, str]:
    """What a host inherits: the user's PATH and a home, and nothing of this test process but
    the location of the package under test, which a real project has installed in its venv."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(cloudflare_service_token.__file__).parents[1]),
    }


@contextmanager
def start_host(
    command: list[str], workdir: Path, env: dict[str, str] | None = None
) -> Iterator[HostProcess]:
    """Run `command + [engine address]` in `workdir`; yield once it has printed its port."""
    with (
        serve_engine() as (engine, address),
        run_host([*command, address], workdir, env) as (process, port, stderr),
    ):
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        try:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            yield HostProcess(process, port, engine, stderr, stub)
        finally:
            channel.close()


@contextmanager
def run_host(
    command: list[str], workdir: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int, list[str]]]:
    """Run `command` (the engine's address included) in `workdir` with what a host inherits
    (`env`, else `host_environment`); yield the process, the port it printed and what it writes
    to stderr; end it by its own pid."""
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env=env if env is not None else host_environment(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    readers: list[threading.Thread] = []
    try:
        stderr: list[str] = []
        yield process, _port_from(process, stderr, readers), stderr
    finally:
        _end(process, readers)


PLUGIN_DIR = Path(__file__).parents[1] / "provider"


def plugin_command() -> list[str]:
    """How the Python language host runs a source plugin: its interpreter on the plugin folder
    (which runs `__main__.py`), the engine's address appended."""
    return [sys.executable, "-u", str(PLUGIN_DIR)]


class MonitorServicer(resource_pb2_grpc.ResourceMonitorServicer):
    """A resource monitor on loopback, for a plugin's Construct: answers with a
    `RecordingMonitor`, which keeps every registration for the test."""

    def __init__(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor

    def SupportsFeature(self, request: Any, context: Any) -> Any:  # noqa: N802
        answer = self.monitor.SupportsFeature(request)  # type: ignore[no-untyped-call]
        return resource_pb2.SupportsFeatureResponse(hasSupport=answer.hasSupport)

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.GetDeploymentInfo(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.RegisterResource(request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.RegisterResourceOutputs(request)

    def ReadResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.ReadResource(request)

    def Invoke(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.Invoke(request)  # type: ignore[no-untyped-call]

    def RegisterPackage(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.monitor.RegisterPackage(request)  # type: ignore[no-untyped-call]

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:  # noqa: N802
        return empty_pb2.Empty()


@contextmanager
def serve_monitor(monitor: RecordingMonitor) -> Iterator[str]:
    """Serve `monitor` on a free loopback port; yields its address."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(MonitorServicer(monitor), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


def dynamic_host_command() -> list[str]:
    """How the CLI's `pulumi-resource-pulumi-python` starts the host under `toolchain: uv`:
    `<project>/.venv/bin/python -u -m pulumi.dynamic <engine address>` (CLI 3.145 and later)."""
    return [sys.executable, "-u", "-m", "pulumi.dynamic"]


def _port_from(
    process: subprocess.Popen[bytes], stderr: list[str], readers: list[threading.Thread]
) -> int:
    stdout = process.stdout
    assert stdout is not None and process.stderr is not None
    lines: queue.Queue[bytes] = queue.Queue()
    readers.append(threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True))
    readers.append(threading.Thread(target=_collect, args=(process.stderr, stderr), daemon=True))
    for reader in readers:
        reader.start()
    try:
        first = lines.get(timeout=START_TIMEOUT_SECONDS)
    except queue.Empty:
        raise AssertionError(f"the host printed no port; stderr: {''.join(stderr)}") from None
    if not first.strip().isdigit():
        raise AssertionError(f"the host printed {first!r}, not a port; stderr: {''.join(stderr)}")
    return int(first)


def _collect(stream: Any, into: list[str]) -> None:
    for line in iter(stream.readline, b""):
        into.append(line.decode(errors="replace"))


def _end(process: subprocess.Popen[bytes], readers: list[threading.Thread]) -> None:
    """Stop the host by its own pid, as the engine does when a deployment ends."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for reader in readers:  # they end at end of file, now that the process is gone
        reader.join(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
