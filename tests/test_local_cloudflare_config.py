"""The local Cloudflare stand-in's configuration and refusals: credentials and the base URL as the
engine passes pulumi-cloudflare's config, else from the environment; nothing off loopback; no type
but the three it serves; no credential in any message."""

import grpc
import pytest

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token._wire import resource_type_of
from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi
from cloudflare_service_token.testing.local_cloudflare._serve import engine_address
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import Secret
from tests.local_cloudflare_harness import (
    ALERT_TYPE,
    COMPONENT_TYPE,
    POLICY_TYPE,
    TOKEN_TYPE,
    serve_local_cloudflare,
    urn,
)

API_TOKEN = "sentinel-api-token-for-the-stand-in"
TOKEN = {"name": "ci", "accountId": ACCOUNT_ID}


def configure_error(args: dict[str, object], environ: dict[str, str] | None = None) -> str:
    with serve_local_cloudflare(environ) as engine, pytest.raises(grpc.RpcError) as refused:
        engine.configure(args)
    return str(refused.value.details())


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.cloudflare.com/client/v4",
        "http://10.0.0.7:8080/client/v4",
        "http://127.0.0.2:8080/client/v4",
        "http://localhost.example.com/client/v4",
        "ftp://127.0.0.1/client/v4",
    ],
)
def test_a_base_url_off_loopback_is_refused_as_the_local_stand_in_for_tests_and_demos(
    base_url,
) -> None:
    details = configure_error({"baseUrl": base_url, "apiToken": Secret(API_TOKEN)})

    assert "is not a loopback address" in details
    assert "local stand-in for tests and demos" in details
    assert "must never reach a real account" in details
    assert API_TOKEN not in details


def test_a_refused_base_url_is_shown_without_the_credentials_it_carries() -> None:
    details = configure_error(
        {"baseUrl": "https://user:hunter2@api.cloudflare.com/client/v4?key=k9", "apiToken": "t"}
    )

    assert "https://api.cloudflare.com/client/v4" in details
    assert "hunter2" not in details and "k9" not in details


def test_no_base_url_is_refused_rather_than_defaulting_to_cloudflare() -> None:
    details = configure_error({"apiToken": Secret(API_TOKEN)})

    assert "no baseUrl" in details and "CLOUDFLARE_BASE_URL" in details


def test_a_base_url_from_the_environment_is_held_to_loopback_too() -> None:
    details = configure_error(
        {},
        {
            "CLOUDFLARE_BASE_URL": "https://api.cloudflare.com/client/v4",
            "CLOUDFLARE_API_TOKEN": "t",
        },
    )

    assert "is not a loopback address" in details


def test_check_config_flags_a_base_url_off_loopback() -> None:
    with serve_local_cloudflare() as engine:
        failures = engine.check_config({"baseUrl": "https://api.cloudflare.com/client/v4"})
        fine = engine.check_config({"baseUrl": "http://[::1]:8080/client/v4", "apiToken": "t"})
        unknown = engine.check_config({"baseUrl": UNKNOWN})

    assert [prop for prop, _ in failures] == ["baseUrl"]
    assert "local stand-in for tests and demos" in failures[0][1]
    assert fine == [] and unknown == []


def test_missing_credentials_are_refused_with_the_settings_that_give_them() -> None:
    details = configure_error({"baseUrl": "http://127.0.0.1:9/client/v4"})

    assert "no credentials" in details
    assert "cloudflare:apiToken" in details and "CLOUDFLARE_API_TOKEN" in details


def test_a_config_change_is_an_update_of_the_provider_never_a_replacement() -> None:
    with serve_local_cloudflare() as engine:
        diff = engine.diff_config(
            {"baseUrl": "http://127.0.0.1:1000/client/v4", "version": "6.23.1"},
            {"baseUrl": "http://127.0.0.1:2000/client/v4", "version": "6.23.1"},
        )

    # Unknown: the engine compares the config itself and updates the provider.
    assert diff.changes == 0 and diff.replaces == [] and diff.delete_before_replace is False


def created_with(args: dict[str, object], environ: dict[str, str] | None = None, **api_args: str):
    """Configure with `args` (the base URL filled in unless given) and create a token."""
    api = FakeCloudflareApi(now=FakeClock(NOW).now, **api_args)  # type: ignore[arg-type]
    with api.serve() as base_url, serve_local_cloudflare(environ) as engine:
        filled = {key: base_url if value == "BASE" else value for key, value in args.items()}
        engine.configure(filled)
        created = engine.create(TOKEN_TYPE, TOKEN)
    return api, created


def test_the_api_token_from_the_providers_args_signs_the_calls() -> None:
    api, created = created_with(
        {"baseUrl": "BASE", "apiToken": Secret(API_TOKEN)}, api_token=API_TOKEN
    )

    assert created.id and [r.authorized for r in api.requests] == [True]


def test_an_api_key_and_email_sign_the_calls_when_there_is_no_api_token() -> None:
    api, created = created_with(
        {"baseUrl": "BASE", "apiKey": Secret("global-key"), "email": "ops@example.com"},
        api_key="global-key",
        email="ops@example.com",
    )

    assert created.id and [r.authorized for r in api.requests] == [True]


def test_the_engines_config_variables_stand_in_for_the_args() -> None:
    api = FakeCloudflareApi(api_token=API_TOKEN, now=FakeClock(NOW).now)
    with api.serve() as base_url, serve_local_cloudflare() as engine:
        engine.configure(
            {},
            {"cloudflare:config:baseUrl": base_url, "cloudflare:config:apiToken": API_TOKEN},
        )
        created = engine.create(TOKEN_TYPE, TOKEN)

    assert created.id


def test_the_environment_is_the_fallback_for_the_base_url_and_token() -> None:
    api = FakeCloudflareApi(api_token=API_TOKEN, now=FakeClock(NOW).now)
    with api.serve() as base_url:
        environ = {"CLOUDFLARE_BASE_URL": base_url, "CLOUDFLARE_API_TOKEN": API_TOKEN}
        with serve_local_cloudflare(environ) as engine:
            engine.configure({"version": "6.23.1"})
            created = engine.create(TOKEN_TYPE, TOKEN)

    assert created.id and api.requests[0].authorized


@pytest.mark.parametrize(
    "type_",
    [
        "cloudflare:index/dnsRecord:DnsRecord",
        "cloudflare:index/accessServiceToken:AccessServiceToken",
    ],
)
def test_a_type_it_does_not_serve_is_refused_naming_the_type_and_the_three_it_serves(
    type_,
) -> None:
    with serve_local_cloudflare() as engine, pytest.raises(grpc.RpcError) as refused:
        engine.check(type_, TOKEN)

    details = str(refused.value.details())
    assert f"does not serve {type_!r}" in details
    for served in (TOKEN_TYPE, POLICY_TYPE, ALERT_TYPE):
        assert served in details


def test_a_call_before_configure_is_refused_clearly() -> None:
    with serve_local_cloudflare() as engine, pytest.raises(grpc.RpcError) as refused:
        engine.create(TOKEN_TYPE, TOKEN)

    assert "was not configured" in str(refused.value.details())


def test_the_type_is_read_from_a_parent_qualified_urn_whose_name_may_hold_colons() -> None:
    assert resource_type_of(urn(TOKEN_TYPE, "ci-token")) == TOKEN_TYPE
    assert resource_type_of(urn(POLICY_TYPE, "odd::name")) == POLICY_TYPE
    root_child = f"urn:pulumi:dev::proj::{ALERT_TYPE}::alert"
    assert resource_type_of(root_child) == ALERT_TYPE
    assert resource_type_of(f"urn:pulumi:dev::proj::{COMPONENT_TYPE}::ci") == COMPONENT_TYPE


@pytest.mark.parametrize(
    ("argv", "address"),
    [
        (["127.0.0.1:1"], "127.0.0.1:1"),
        (["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:1"], "127.0.0.1:1"),
        (["--tracing=127.0.0.1:9", "127.0.0.1:1"], "127.0.0.1:1"),
    ],
)
def test_the_engine_address_is_the_last_word_after_the_engines_flags(argv, address) -> None:
    assert engine_address(argv) == address


def test_no_engine_address_is_a_usage_error() -> None:
    with pytest.raises(SystemExit, match="usage"):
        engine_address(["--tracing", "127.0.0.1:9"])
