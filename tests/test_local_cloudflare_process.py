"""The local Cloudflare stand-in started as the engine starts a provider plugin: a separate process
given the engine's flags and address, printing its port on stdout, then answering gRPC; once by
`python -m`, once through the `pulumi-resource-cloudflare` file the testing kit writes. Each
process is ended by its own pid."""

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import IO

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

import cloudflare_service_token
from cloudflare_service_token.testing import FakeCloudflareApi, write_local_cloudflare_plugin
from tests.conftest import ACCOUNT_ID
from tests.engine_shapes import Secret
from tests.local_cloudflare_harness import TOKEN_TYPE, EngineClient

# Starts real processes (hosts, plugins, pip, pytest): `-m process`, run by CI after the
# fast suite.
pytestmark = pytest.mark.process

# A guard against a plugin that never starts, not a performance figure.
START_TIMEOUT_SECONDS = 60
ENGINE_FLAGS = ("--logtostderr", "-v=9", "--tracing", "127.0.0.1:9")
API_TOKEN = "sentinel-api-token-that-must-not-leak"
MODULE = "cloudflare_service_token.testing.local_cloudflare"


@contextmanager
def started(command: list[str], workdir: Path) -> Iterator[tuple[EngineClient, list[str]]]:
    """Run `command` in `workdir` with only what a plugin inherits; yield a client on the port
    it printed, and what it writes to stderr."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(cloudflare_service_token.__file__).parents[1]),
    }
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    lines: queue.Queue[bytes] = queue.Queue()
    stderr: list[str] = []
    readers = [
        threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=_collect, args=(process.stderr, stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        first = lines.get(timeout=START_TIMEOUT_SECONDS)
        assert first.strip().isdigit(), f"printed {first!r}, not a port; stderr: {stderr}"
        with grpc.insecure_channel(f"127.0.0.1:{int(first)}") as channel:
            yield EngineClient(provider_pb2_grpc.ResourceProviderStub(channel)), stderr
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=10)
        process.stdout.close()
        process.stderr.close()


def _collect(stream: IO[bytes], into: list[str]) -> None:
    for line in iter(stream.readline, b""):
        into.append(line.decode(errors="replace"))


def test_python_m_serves_the_plugin_reports_pulumi_cloudflares_version_and_configures(
    tmp_path,
) -> None:
    api = FakeCloudflareApi(api_token=API_TOKEN)
    command = [sys.executable, "-u", "-m", MODULE, *ENGINE_FLAGS, "127.0.0.1:1"]
    with api.serve() as base_url, started(command, tmp_path) as (engine, stderr):
        info = engine.stub.GetPluginInfo(empty_pb2.Empty())
        configured = engine.configure({"baseUrl": base_url, "apiToken": Secret(API_TOKEN)})
        token = engine.create(TOKEN_TYPE, {"name": "ci", "accountId": ACCOUNT_ID})

    assert info.version == version("pulumi_cloudflare")
    assert configured.acceptSecrets and configured.supportsPreview
    assert token.id and token.secret == {"clientSecret"}
    assert [r.operation for r in api.requests] == ["create"]
    assert API_TOKEN not in "".join(stderr)
    assert token.values["clientSecret"] not in "".join(stderr)


def test_the_written_plugin_file_runs_the_stand_in_for_the_engine(tmp_path) -> None:
    plugin = write_local_cloudflare_plugin(tmp_path / "plugins")
    text = plugin.read_text()

    with started([str(plugin), *ENGINE_FLAGS, "127.0.0.1:1"], tmp_path) as (engine, stderr):
        info = engine.stub.GetPluginInfo(empty_pb2.Empty())
        with_error = None
        try:
            engine.configure(
                {"baseUrl": "https://api.cloudflare.com/client/v4", "apiToken": Secret(API_TOKEN)}
            )
        except grpc.RpcError as refused:
            with_error = str(refused.details())

    assert plugin.name == "pulumi-resource-cloudflare" and os.access(plugin, os.X_OK)
    assert text.startswith("#!/bin/sh\n") and f"-m {MODULE}" in text and '"$@"' in text
    assert sys.executable in text
    assert info.version == version("pulumi_cloudflare")
    assert with_error is not None and "is not a loopback address" in with_error
    assert API_TOKEN not in with_error and API_TOKEN not in "".join(stderr)
