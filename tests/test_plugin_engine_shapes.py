"""The plugin reads what the engine sends (shapes: `tests/engine_shapes.py`): the component's
children under URNs qualified by the component's type, Construct inputs as output values, aliases
as protobuf messages, and the engine's flags before its address on the command line."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime import rpc

from cloudflare_service_token._plugin_server import engine_address
from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token._wire import resource_type_of
from cloudflare_service_token.testing import CloudflareMocks, RecordingMonitor
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import ENGINE_FLAGS, OutputValue, Secret, alias_spec, alias_urn
from tests.hosts import HostProcess, plugin_command, start_host
from tests.machine_inputs import TOKEN_ID
from tests.plugin_harness import (
    ROOT_STACK,
    ROTATION,
    SCHEDULE,
    TRACKER,
    PluginClient,
    PreviewMocks,
    child_urn,
    component_urn,
    construct_recorded,
    serve_configured_plugin,
)

NETWORK = "urn:pulumi:dev::consumer::aws:ec2/vpc:Vpc::net"


@pytest.fixture
def client() -> Iterator[PluginClient]:
    with serve_configured_plugin() as served:
        yield served


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    """Construct runs the Pulumi runtime, whose settings are process-wide: in a plugin process
    of its own, as the engine runs it."""
    with start_host(plugin_command(), Path(tmp_path_factory.mktemp("consumer"))) as started:
        yield started


def construct(
    plugin: HostProcess, inputs: dict[str, Any], *, preview: bool = False, **options: Any
) -> tuple[RecordingMonitor, str]:
    mocks = PreviewMocks() if preview else CloudflareMocks(now=lambda: datetime.now(UTC))
    monitor, urn, _ = construct_recorded(
        PluginClient(plugin.stub), mocks, inputs, preview=preview, **options
    )
    return monitor, urn


ACCOUNT_TOKEN = {"name": "CI/CD app", "accountId": ACCOUNT_ID}


# -- the component's children: URNs with the component's type before their own --------------


def test_a_child_urn_names_its_own_type_after_its_parents():
    assert child_urn(TRACKER).split("::")[2] == (
        "cloudflare-service-token:index:ServiceTokenComponent$" + TRACKER
    )
    assert resource_type_of(child_urn(TRACKER)) == TRACKER
    nested = f"urn:pulumi:dev::app::my:app:Site$my:app:Api${SCHEDULE}::a::b"
    assert resource_type_of(nested) == SCHEDULE


def test_a_tracker_under_the_component_lives_through_every_verb(client: PluginClient):
    news = {
        "tokenId": TOKEN_ID,
        "accountId": ACCOUNT_ID,
        "tokenExpiresAt": format_timestamp(NOW + timedelta(days=200)),
        "minDays": 30,
    }

    assert client.check(TRACKER, {}, news) == []
    created = client.create(TRACKER, news)
    assert client.diff(TRACKER, created.id, created.properties, news).changes is False
    updated = client.update(TRACKER, created.id, created.properties, {**news, "minDays": 40})
    assert client.read(TRACKER, created.id, updated.properties).properties == updated.properties
    client.delete(TRACKER, created.id, updated.properties)

    assert updated.properties["renewAfter"] == format_timestamp(NOW + timedelta(days=160))


def test_a_schedule_and_a_rotation_under_the_component_are_served(client: PluginClient):
    schedule = client.create(SCHEDULE, {"duration": "8760h", "minDays": 30})
    rotation = client.create(
        ROTATION,
        {"tokenId": TOKEN_ID, "accountId": ACCOUNT_ID, "secretVersion": 1, "grace": "24h"},
    )

    assert schedule.properties["generation"] == 1
    assert (rotation.id, rotation.properties["secretVersion"]) == ("secret-rotation", 1)


# -- Construct's inputs: output values as the engine leaves them --------------------------------


@pytest.mark.process
def test_an_unknown_output_input_constructs_in_a_preview(plugin: HostProcess):
    monitor, _ = construct(
        plugin, {**ACCOUNT_TOKEN, "name": OutputValue(), "minDaysForRenewal": 30}, preview=True
    )

    assert isinstance(monitor.one(":ZeroTrustAccessServiceToken").inputs["name"], Unknown)


@pytest.mark.process
def test_a_secret_output_input_without_dependencies_stays_secret(plugin: HostProcess):
    monitor, _ = construct(plugin, {**ACCOUNT_TOKEN, "name": OutputValue("CI/CD app", secret=True)})

    name = monitor.one(":ZeroTrustAccessServiceToken").inputs["name"]
    assert rpc.is_rpc_secret(name) and rpc.unwrap_rpc_secret(name) == "CI/CD app"


@pytest.mark.process
def test_a_known_output_input_with_dependencies_carries_them_to_the_token(plugin: HostProcess):
    monitor, _ = construct(
        plugin, {**ACCOUNT_TOKEN, "accountId": OutputValue(ACCOUNT_ID, dependencies=(NETWORK,))}
    )

    token = monitor.one(":ZeroTrustAccessServiceToken")
    assert token.inputs["accountId"] == ACCOUNT_ID
    assert token.property_dependencies["accountId"] == [NETWORK]


@pytest.mark.process
def test_a_plain_secret_input_stays_secret(plugin: HostProcess):
    monitor, _ = construct(plugin, {**ACCOUNT_TOKEN, "name": Secret("CI/CD app")})

    name = monitor.one(":ZeroTrustAccessServiceToken").inputs["name"]
    assert rpc.is_rpc_secret(name) and rpc.unwrap_rpc_secret(name) == "CI/CD app"


# -- Construct's aliases: protobuf messages ------------------------------------------------------


@pytest.mark.process
def test_the_components_aliases_reach_its_registration(plugin: HostProcess):
    old_parent = "urn:pulumi:dev::consumer::my:app:Site::web"
    monitor, urn = construct(
        plugin,
        ACCOUNT_TOKEN,
        aliases=(
            alias_spec(name="old-ci", no_parent=True),
            alias_spec(type_="old:index:Token", parent_urn=old_parent),
            alias_urn(component_urn("older-ci")),
        ),
    )

    component = monitor.one(":ServiceTokenComponent")
    assert component.urn == urn
    assert component.aliases == [
        {"spec": {"name": "old-ci", "noParent": True}},
        {"spec": {"type": "old:index:Token", "parentUrn": old_parent}},
        {"urn": component_urn("older-ci")},
    ]


@pytest.mark.process
def test_token_aliases_still_reach_the_token_beside_the_components_aliases(plugin: HostProcess):
    earlier = (
        "urn:pulumi:dev::consumer::cloudflare:index/zeroTrustAccessServiceToken:"
        "ZeroTrustAccessServiceToken::ci"
    )
    monitor, _ = construct(
        plugin,
        {**ACCOUNT_TOKEN, "tokenAliases": [earlier]},
        aliases=(alias_spec(name="old-ci"),),
    )

    assert {"urn": earlier} in monitor.one(":ZeroTrustAccessServiceToken").aliases


# -- the command line: the engine's flags before its address -----------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["127.0.0.1:5000"],
        [*ENGINE_FLAGS, "127.0.0.1:5000"],
        ["--tracing=file:///tmp/t.json", "--logflow", "127.0.0.1:5000"],
    ],
)
def test_the_engine_address_is_found_among_the_engines_flags(args: list[str]):
    assert engine_address(args) == "127.0.0.1:5000"


def test_without_an_address_there_is_no_engine_to_log_to():
    assert engine_address(["--tracing", "127.0.0.1:9"]) is None


@pytest.mark.process
def test_the_component_is_constructed_under_the_stack_by_default(plugin: HostProcess):
    monitor, _ = construct(plugin, ACCOUNT_TOKEN)

    assert monitor.one(":ServiceTokenComponent").parent == ROOT_STACK
