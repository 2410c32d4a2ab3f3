"""The local Cloudflare stand-in started as the engine starts a provider plugin: a separate process
given the engine's flags and address, printing its port on stdout, then answering gRPC; once by
`python -m`, once through the `pulumi-resource-cloudflare` file the testing kit writes. Each
process is ended by its own pid."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

from cloudflare_service_token.testing import FakeCloudflareApi, write_local_cloudflare_plugin
from tests.conftest import ACCOUNT_ID
from tests.engine_shapes import ENGINE_FLAGS, Secret
from tests.hosts import run_host
from tests.local_cloudflare_harness import TOKEN_TYPE, EngineClient

# Starts real processes (hosts, plugins, pip, pytest): `-m process`, run by CI after the
# fast suite.
pytestmark = pytest.mark.process

API_TOKEN = "sentinel-api-token-that-must-not-leak"
MODULE = "cloudflare_service_token.testing.local_cloudflare"


@contextmanager
def started(command: list[str], workdir: Path) -> Iterator[tuple[EngineClient, list[str]]]:
    """Run `command` in `workdir` with only what a plugin inherits; yield a client on the port
    it printed, and what it writes to stderr."""
    with (
        run_host(command, workdir) as (_, port, stderr),
        grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        yield EngineClient(provider_pb2_grpc.ResourceProviderStub(channel)), stderr


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
