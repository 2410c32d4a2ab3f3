"""The plugin's own settings are checked when the engine hands them over (CheckConfig and
Configure), in both forms the engine uses: stack config as text, an explicit provider's typed
inputs. A bad one fails the first preview, naming the key, the problem and the fix; `0` retries
means none. Library mode reads the same numbers the same way."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import grpc
import pytest

from cloudflare_service_token._cloudflare_api import ApiSettings
from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token.testing import FakeCloudflareApi
from cloudflare_service_token.testing._fake_api import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import Secret
from tests.plugin_harness import TRACKER, PluginClient, serve_plugin

SENTINEL = "sentinel-api-token-3c4d-must-never-leak"
TIMEOUT_KEY = "`cloudflare-service-token:apiTimeoutSeconds`"
RETRIES_KEY = "`cloudflare-service-token:apiMaxRetries`"


@pytest.fixture
def client() -> Iterator[PluginClient]:
    with serve_plugin() as served:
        yield served


@pytest.fixture
def api() -> Iterator[tuple[FakeCloudflareApi, str]]:
    fake = FakeCloudflareApi(api_token=SENTINEL, now=lambda: NOW)
    with fake.serve() as base_url:
        yield fake, base_url


def refused(configure: Any) -> str:
    with pytest.raises(grpc.RpcError) as failed:
        configure()
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return failed.value.details() or ""


def renew_due_token(client: PluginClient, fake: FakeCloudflareApi) -> None:
    token = fake.add_token(account_id=ACCOUNT_ID, expires_at=NOW + timedelta(days=5))
    client.create(
        TRACKER,
        {
            "tokenId": token["id"],
            "accountId": ACCOUNT_ID,
            "tokenExpiresAt": format_timestamp(NOW + timedelta(days=5)),
            "minDays": 30,
        },
    )


# -- a bad setting fails at once, saying what to set --------------------------------------------


def test_a_timeout_with_a_unit_fails_configure_naming_the_key_and_the_fix(client: PluginClient):
    message = refused(lambda: client.configure_from_stack_config({"apiTimeoutSeconds": "30s"}))

    assert message.startswith(f"{TIMEOUT_KEY} ('30s') must be a number of seconds")
    assert "e.g. 30" in message
    assert "Traceback" not in message and "float" not in message


def test_a_bad_setting_fails_check_config_under_its_name(client: PluginClient):
    failures = client.check_config(
        {"apiToken": Secret(SENTINEL), "apiTimeoutSeconds": "30s", "apiMaxRetries": "-1"}
    )

    assert [name for name, _ in failures] == ["apiMaxRetries", "apiTimeoutSeconds"]
    assert failures[0][1].startswith(f"{RETRIES_KEY} ('-1') must be a whole number, 0 or more")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("apiTimeoutSeconds", 0.0),
        ("apiTimeoutSeconds", "soon"),
        ("apiMaxRetries", 1.5),
        ("apiMaxRetries", True),
        ("baseUrl", "api.cloudflare.com"),
    ],
)
def test_each_bad_setting_is_refused_by_name(client: PluginClient, setting: str, value: Any):
    message = refused(lambda: client.configure({setting: value}))

    assert message.startswith(f"`cloudflare-service-token:{setting}`")


def test_a_bad_setting_never_echoes_the_credentials(client: PluginClient):
    message = refused(
        lambda: client.configure(
            {"apiToken": Secret(12345.0), "baseUrl": f"https://{SENTINEL}@example.com"}
        )
    )

    assert "`cloudflare-service-token:apiToken` must be a string" in message
    assert "12345" not in message and SENTINEL not in message


def test_good_settings_in_either_form_pass_check_config(client: PluginClient):
    assert client.check_config({"apiTimeoutSeconds": "12.5", "apiMaxRetries": "0"}) == []
    assert client.check_config({"apiTimeoutSeconds": 12.5, "apiMaxRetries": 0.0}) == []


# -- zero retries means zero --------------------------------------------------------------------


def test_zero_retries_on_an_explicit_provider_means_one_attempt(
    client: PluginClient, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    client.configure({"apiToken": Secret(SENTINEL), "baseUrl": base_url, "apiMaxRetries": 0.0})
    fake.fail_next("refresh", Fault(status=503, message="Service unavailable"))

    with pytest.raises(grpc.RpcError) as failed:
        renew_due_token(client, fake)

    assert fake.calls("refresh") == 1
    assert "after 0 retries" in (failed.value.details() or "")


def test_zero_retries_in_stack_config_means_one_attempt(
    client: PluginClient, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    client.configure_from_stack_config(
        {"apiToken": SENTINEL, "baseUrl": base_url, "apiMaxRetries": "0"}
    )
    fake.fail_next("refresh", Fault(status=503, message="Service unavailable"))

    with pytest.raises(grpc.RpcError):
        renew_due_token(client, fake)

    assert fake.calls("refresh") == 1


# -- library mode reads the numbers the same way --------------------------------------------


@pytest.mark.parametrize(
    ("config", "timeout", "retries"),
    [
        ({}, 30.0, 2),
        ({"cloudflare-service-token:apiMaxRetries": "0"}, 30.0, 0),
        ({"cloudflare-service-token:apiMaxRetries": 0}, 30.0, 0),
        ({"cloudflare-service-token:apiTimeoutSeconds": "7.5"}, 7.5, 2),
        ({"cloudflare-service-token:apiTimeoutSeconds": ""}, 30.0, 2),
    ],
)
def test_api_settings_take_zero_as_zero_and_only_absence_as_the_default(
    config: dict[str, Any], timeout: float, retries: int
):
    settings = ApiSettings.resolve(config, environ={})

    assert (settings.timeout_seconds, settings.max_retries) == (timeout, retries)
