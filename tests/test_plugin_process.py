"""The provider plugin started as the engine starts it: its folder run by a fresh interpreter in
a fresh working directory, the engine's address appended, its port read from stdout; then driven
over gRPC. Construct registers against a fake resource monitor on loopback.

The scenario table (`test_host_scenarios.py`) covers the decisions in-process; these prove the
wiring: the entry point, the schema, Configure, each verb, Construct, and that the sentinel API
token appears in no response, state or log.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.provider.experimental.property_value import PropertyValue

from cloudflare_service_token._renewal import format_timestamp, parse_timestamp
from cloudflare_service_token._schema import package_schema
from cloudflare_service_token._wire import is_unknown
from cloudflare_service_token.testing import CloudflareMocks, FakeCloudflareApi, RecordingMonitor
from tests.conftest import ACCOUNT_ID
from tests.engine_shapes import ENGINE_FLAGS, OutputValue, Secret
from tests.hosts import HostProcess, plugin_command, serve_monitor, start_host
from tests.plugin_harness import (
    ROOT_STACK,
    TRACKER,
    PluginClient,
    PreviewMocks,
    construct_recorded,
)

# Starts real processes (hosts, plugins, pip, pytest): `-m process`, run by CI after the
# fast suite.
pytestmark = pytest.mark.process

SENTINEL = "sentinel-api-token-9f8e7d-must-never-leak"


def wall_now() -> datetime:
    """The plugin runs on the real clock: every decision below is days from a boundary."""
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    with start_host(plugin_command(), tmp_path_factory.mktemp("consumer")) as started:
        yield started


@pytest.fixture
def api() -> Iterator[tuple[FakeCloudflareApi, str]]:
    fake = FakeCloudflareApi(api_token=SENTINEL, now=wall_now)
    with fake.serve() as base_url:
        yield fake, base_url


def construct(
    plugin: HostProcess, inputs: dict[str, Any], *, preview: bool = False
) -> tuple[RecordingMonitor, str, dict[str, PropertyValue]]:
    mocks = PreviewMocks() if preview else CloudflareMocks(now=wall_now)
    return construct_recorded(PluginClient(plugin.stub), mocks, inputs, preview=preview)


def test_the_plugin_serves_its_schema(plugin: HostProcess):
    served = json.loads(PluginClient(plugin.stub).schema())

    assert served == package_schema(served["version"])


def test_a_component_constructs_with_renewal_rotation_and_secret_outputs(plugin: HostProcess):
    monitor, urn, state = construct(
        plugin,
        {
            "name": "CI/CD app",
            "accountId": ACCOUNT_ID,
            "minDaysForRenewal": 30,
            "secretVersion": 1,
            "serviceAuthPolicyName": "CI/CD app",
        },
    )

    component = monitor.one(":ServiceTokenComponent")
    assert (component.urn, component.parent) == (urn, ROOT_STACK)
    token = monitor.one(":ZeroTrustAccessServiceToken")
    assert token.parent == urn
    assert (token.delete_before_replace_defined, token.delete_before_replace) == (True, False)
    assert "clientSecret" in token.additional_secret_outputs
    renewal = monitor.one("cloudflare-service-token:index:TokenRenewal")
    assert (renewal.parent, renewal.custom) == (urn, True)
    assert renewal.inputs["minDays"] == 30
    assert renewal.property_dependencies["tokenId"] == [token.urn]
    rotation = monitor.one("cloudflare-service-token:index:SecretRotation")
    assert (rotation.parent, rotation.additional_secret_outputs) == (urn, ["clientSecret"])
    assert monitor.one(":ZeroTrustAccessPolicy").parent == urn
    for secret in ("clientSecret", "headers", "singleHeaderValue"):
        assert state[secret].is_secret, secret
    assert isinstance(state["clientSecret"].value, str) and state["clientSecret"].value
    assert not state["tokenId"].is_secret and state["tokenId"].value
    assert SENTINEL not in repr(state) + plugin.output() + repr(plugin.engine.logs)


def test_the_replace_strategy_constructs_a_schedule_that_triggers_replacement(
    plugin: HostProcess,
):
    monitor, urn, _ = construct(
        plugin,
        {
            "name": "CI/CD app",
            "accountId": ACCOUNT_ID,
            "minDaysForRenewal": 30,
            "renewalStrategy": "replace",
        },
    )

    schedule = monitor.one("cloudflare-service-token:index:RenewalSchedule")
    assert (schedule.parent, schedule.inputs["duration"]) == (urn, "8760h")
    token = monitor.one(":ZeroTrustAccessServiceToken")
    assert token.replacement_trigger is not None
    assert token.delete_before_replace is False


def test_a_preview_construct_leaves_what_only_the_update_knows_unknown_and_secret(
    plugin: HostProcess,
):
    _, _, state = construct(
        plugin,
        {"name": "CI/CD app", "accountId": ACCOUNT_ID, "minDaysForRenewal": 30},
        preview=True,
    )

    assert is_unknown(state["clientSecret"]) and state["clientSecret"].is_secret
    assert is_unknown(state["expiresAt"])


def test_a_secret_input_stays_secret_into_the_token(plugin: HostProcess):
    monitor, _, _ = construct(
        plugin, {"name": OutputValue("CI/CD app", secret=True), "accountId": ACCOUNT_ID}
    )

    assert monitor.one(":ZeroTrustAccessServiceToken").inputs["name"] is not None
    assert "name" in _secret_keys(monitor.one(":ZeroTrustAccessServiceToken"))


def _secret_keys(registration: Any) -> set[str]:
    from pulumi.runtime import rpc

    return {key for key, value in registration.inputs.items() if rpc.is_rpc_secret(value)}


def test_a_bad_argument_fails_construct_in_schema_names_before_anything_is_registered(
    plugin: HostProcess,
):
    monitor = RecordingMonitor(CloudflareMocks(now=wall_now))
    with serve_monitor(monitor) as address, pytest.raises(grpc.RpcError) as failed:
        PluginClient(plugin.stub).construct(
            address, "ci", {"name": "CI/CD app", "accountId": ACCOUNT_ID, "minDaysForRenewal": 400}
        )

    assert "`minDaysForRenewal` (400)" in (failed.value.details() or "")
    assert monitor.registrations == []


def test_construct_names_a_bad_secret_input_without_showing_it(plugin: HostProcess):
    secret = "sentinel-secret-input-not-an-id"
    monitor = RecordingMonitor(CloudflareMocks(now=wall_now))
    with serve_monitor(monitor) as address, pytest.raises(grpc.RpcError) as failed:
        PluginClient(plugin.stub).construct(
            address, "ci", {"name": "CI/CD app", "accountId": OutputValue(secret, secret=True)}
        )

    details = failed.value.details() or ""
    assert "`accountId` (a secret, not shown) must be 32 hex characters" in details
    assert secret not in details and secret not in plugin.output()


def test_a_tracker_lives_its_whole_life_in_the_plugin_with_one_read_and_one_refresh(
    plugin: HostProcess, api: tuple[FakeCloudflareApi, str], tmp_path: Path
):
    fake, base_url = api
    client = PluginClient(plugin.stub)
    client.configure({"apiToken": Secret(SENTINEL), "baseUrl": base_url})
    now = wall_now()
    token = fake.add_token(account_id=ACCOUNT_ID, expires_at=now + timedelta(days=10))
    news = {
        "tokenId": token["id"],
        "accountId": ACCOUNT_ID,
        "tokenExpiresAt": format_timestamp(now + timedelta(days=10)),
        "minDays": 30,
    }

    assert client.check(TRACKER, {}, news) == []
    previewed = client.create(TRACKER, news, preview=True)
    assert is_unknown_text(previewed.properties["expiresAt"]) and fake.calls() == 0
    created = client.create(TRACKER, news)
    assert fake.calls("refresh") == 1  # due on creation: renewed in the same `up`
    renewed_until = parse_timestamp(created.properties["expiresAt"])
    assert renewed_until > now + timedelta(days=300)
    assert client.diff(TRACKER, created.id, created.properties, news).changes is False
    read = client.read(TRACKER, created.id, created.properties)
    client.delete(TRACKER, created.id, created.properties)

    assert read.properties == created.properties
    assert [r.operation for r in fake.requests] == ["get", "refresh"]
    everything = repr(created) + repr(read) + plugin.output() + repr(plugin.engine.logs)
    assert SENTINEL not in everything


def is_unknown_text(value: Any) -> bool:
    from cloudflare_service_token._machines import UNKNOWN

    return value is UNKNOWN


def test_check_names_a_bad_input_by_its_schema_name(plugin: HostProcess):
    failures = PluginClient(plugin.stub).check(
        TRACKER,
        {},
        {
            "tokenId": "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "accountId": ACCOUNT_ID,
            "tokenExpiresAt": None,
            "minDays": -1,
        },
    )

    assert [prop for prop, _ in failures] == ["minDays"]


def test_without_credentials_a_due_renewal_fails_naming_the_plugin_config(
    tmp_path: Path, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    with start_host(plugin_command(), tmp_path) as fresh:
        client = PluginClient(fresh.stub)
        client.configure({"baseUrl": base_url})
        now = wall_now()
        with pytest.raises(grpc.RpcError) as failed:
            client.create(
                TRACKER,
                {
                    "tokenId": "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "accountId": ACCOUNT_ID,
                    "tokenExpiresAt": format_timestamp(now + timedelta(days=5)),
                    "minDays": 30,
                },
            )

    assert "`cloudflare-service-token:apiToken`" in (failed.value.details() or "")
    assert fake.calls() == 0


def track_expired_token(client: PluginClient, fake: FakeCloudflareApi) -> str:
    """Track a token that expired two days ago, which the plugin renews at once; its id."""
    expired = wall_now() - timedelta(days=2)
    token = fake.add_token(account_id=ACCOUNT_ID, expires_at=expired)
    client.create(
        TRACKER,
        {
            "tokenId": token["id"],
            "accountId": ACCOUNT_ID,
            "tokenExpiresAt": format_timestamp(expired),
            "minDays": 30,
        },
    )
    return str(token["id"])


def test_renewing_an_expired_token_warns_through_the_engine_log(
    plugin: HostProcess, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    client = PluginClient(plugin.stub)
    client.configure(
        {},
        variables={
            "cloudflare-service-token:config:apiToken": SENTINEL,
            "cloudflare-service-token:config:baseUrl": base_url,
        },
    )

    token_id = track_expired_token(client, fake)

    assert fake.calls("refresh") == 1  # credentials from the legacy `variables` form
    warnings = [log for log in plugin.engine.logs if f"service token {token_id} expired" in log]
    assert len(warnings) == 1
    assert SENTINEL not in repr(plugin.engine.logs)


def test_behind_the_engines_flags_the_plugin_still_logs_to_the_engine(
    tmp_path: Path, api: tuple[FakeCloudflareApi, str]
):
    # `pulumi up --logflow --logtostderr -v=9 --tracing …`: the flags come before the address.
    fake, base_url = api
    with start_host([*plugin_command(), *ENGINE_FLAGS], tmp_path) as traced:
        client = PluginClient(traced.stub)
        client.configure({"apiToken": Secret(SENTINEL), "baseUrl": base_url})

        token_id = track_expired_token(client, fake)

        assert [log for log in traced.engine.logs if f"service token {token_id}" in log]
