"""What the plugin tells its users is in their words: the schema's camelCase names,
`renewalStrategy: "replace"`, their language's `aliases` option; a message, not a Python
traceback. Library mode keeps its Python wording."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import grpc
import pytest

from cloudflare_service_token import ServiceTokenComponent
from cloudflare_service_token._errors import ServiceTokenConfigError
from cloudflare_service_token._plugin_messages import for_plugin_users
from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token.testing import CloudflareMocks
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID
from tests.hosts import HostProcess, plugin_command, start_host
from tests.machine_inputs import TOKEN_ID
from tests.plugin_harness import ROTATION, TRACKER, PluginClient, construct_recorded, serve_plugin


def is_traceback_free(message: str) -> bool:
    return "Traceback" not in message and 'File "' not in message and ".py" not in message


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    with start_host(plugin_command(), Path(tmp_path_factory.mktemp("consumer"))) as started:
        yield started


@pytest.fixture
def client() -> Iterator[PluginClient]:
    with serve_plugin() as served:
        yield served


def construct_refused(plugin: HostProcess, inputs: dict[str, object]) -> str:
    with pytest.raises(grpc.RpcError) as failed:
        construct_recorded(PluginClient(plugin.stub), CloudflareMocks(now=NOW), inputs)
    return failed.value.details() or ""


@pytest.mark.process
def test_construct_advises_the_replace_strategy_in_schema_words(plugin: HostProcess):
    message = construct_refused(
        plugin, {"name": "CI/CD app", "zoneId": ZONE_ID, "minDaysForRenewal": 30}
    )

    assert message == (
        "`renewalStrategy` 'refresh' needs an account-scoped token: Cloudflare documents "
        "refresh for accounts only, and this token has `zoneId`; use "
        'renewalStrategy: "replace" or an accountId.'
    )


@pytest.mark.process
def test_construct_advises_aliases_without_python(plugin: HostProcess):
    message = construct_refused(
        plugin, {"name": "CI/CD app", "accountId": ACCOUNT_ID, "tokenAliases": [1]}
    )

    assert message.startswith("`tokenAliases` ([1.0]) must be a list of URNs (strings)")
    assert "`aliases` resource option of your language" in message
    assert "pulumi.Alias" not in message and is_traceback_free(message)


def test_a_failed_renewal_reaches_the_user_as_its_message(client: PluginClient):
    client.configure({"baseUrl": "http://127.0.0.1:9"})

    with pytest.raises(grpc.RpcError) as failed:
        client.create(
            TRACKER,
            {
                "tokenId": TOKEN_ID,
                "accountId": ACCOUNT_ID,
                "tokenExpiresAt": format_timestamp(NOW + timedelta(days=5)),
                "minDays": 30,
            },
        )

    message = failed.value.details() or ""
    assert message.startswith("no Cloudflare credentials for renewal: set ")
    assert "`cloudflare-service-token:apiToken`" in message and is_traceback_free(message)


def test_check_names_the_grace_in_schema_words(client: PluginClient):
    failures = client.check(
        ROTATION,
        {},
        {"tokenId": TOKEN_ID, "accountId": ACCOUNT_ID, "secretVersion": 1, "grace": "1 year"},
    )

    assert failures == [
        (
            "grace",
            "`previousSecretGrace` ('1 year') has unknown unit ' year'; use one of ns, us, ms, "
            "s, m, h, e.g. '8760h'.",
        )
    ]


@pytest.mark.parametrize(
    ("library", "plugin_words"),
    [
        ("use renewal_strategy='replace' instead", 'use renewalStrategy: "replace" instead'),
        ("`min_days_for_renewal` (400)", "`minDaysForRenewal` (400)"),
        ("set secret_version (e.g. 1)", "set secretVersion (e.g. 1)"),
        ("must be True or False; pass a bool", "must be true or false; pass a bool"),
        ("`name` (None) must be", "`name` (null) must be"),
        ("set `cloudflare-service-token:apiToken`", "set `cloudflare-service-token:apiToken`"),
    ],
)
def test_library_wording_becomes_schema_wording(library: str, plugin_words: str):
    assert for_plugin_users(library) == plugin_words


def test_library_mode_keeps_its_python_wording():
    with pytest.raises(ServiceTokenConfigError, match=r"renewal_strategy='replace'"):
        ServiceTokenComponent(
            "ci", {"name": "CI/CD app", "zone_id": ZONE_ID, "min_days_for_renewal": 30}
        )
