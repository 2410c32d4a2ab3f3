"""No credential leaks: the API token and the client secret stay out of pickled providers,
dynamic resources' state, and what the providers return or log."""

import base64
import logging
from collections.abc import Iterator
from typing import Any, cast

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._providers import (
    RenewalScheduleProvider,
    SecretRotationProvider,
    TokenRenewalProvider,
)
from cloudflare_service_token.testing import FakeCloudflareApi, run_program
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import Secret
from tests.machine_inputs import TOKEN_ID
from tests.plugin_harness import serve_plugin
from tests.renewal_world import API_TOKEN, World, component_run, renewal_world

PROVIDERS = [TokenRenewalProvider, RenewalScheduleProvider, SecretRotationProvider]


@pytest.fixture
def world() -> Iterator[World]:
    with renewal_world() as world:
        yield world


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_a_configured_provider_pickles_without_the_api_token(provider_class: type) -> None:
    provider = provider_class()
    provider.configure(
        ConfigureRequest(Config({"cloudflare:apiToken": API_TOKEN}, project_name="p"))
    )

    pickled = base64.b64decode(serialize_provider(provider))

    assert API_TOKEN.encode() not in pickled


def test_the_registered_dynamic_resources_carry_neither_secret(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", API_TOKEN)
    runs = [
        component_run(world.clock, min_days_for_renewal=30, secret_version=1),
        component_run(world.clock, min_days_for_renewal=30, renewal_strategy="replace"),
    ]

    for run in runs:
        client_secret = run.outputs["client_secret"].value
        for registration in run.monitor.registrations:
            if registration.type.startswith("pulumi-python:dynamic"):
                text = repr(registration.inputs) + base64.b64decode(
                    registration.inputs["__provider"]
                ).decode("latin-1")
                assert API_TOKEN not in text, registration.type
                assert client_secret not in text, registration.type
        assert all(API_TOKEN not in repr(out.value) for out in run.outputs.values())


def test_a_renewal_returns_and_logs_no_credential(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    run = component_run(world.clock, min_days_for_renewal=30)
    inputs = dict(run.monitor.one(":TokenRenewal").inputs)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"])
    renewal_id, outputs = world.engine.up(inputs)
    world.clock.advance(days=400)

    with caplog.at_level(logging.DEBUG):
        renewed = world.engine.update(renewal_id, outputs, inputs)

    assert world.api.calls("refresh") == 1
    for text in (repr(renewed), caplog.text):
        assert API_TOKEN not in text
        assert run.outputs["client_secret"].value not in text


def test_api_settings_keep_credentials_out_of_their_repr() -> None:
    from cloudflare_service_token._cloudflare_api import ApiSettings

    settings = ApiSettings.resolve({"cloudflare:apiToken": API_TOKEN}, environ={})

    assert settings.api_token == API_TOKEN
    assert API_TOKEN not in repr(settings)


# -- a secret input stays secret, even when it is wrong -----------------------------------------

BAD_SECRET = "sentinel-secret-input-not-an-id"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("account_id", BAD_SECRET, "`account_id` (a secret, not shown) must be 32 hex"),
        ("duration", BAD_SECRET, "`duration` (a secret, not shown) must be a positive Go"),
        ("name", "   ", "`name` (a secret, not shown) must be a non-empty string"),
        ("enabled", BAD_SECRET, "`enabled` (a secret, not shown) must be True or False"),
    ],
)
def test_a_secret_argument_that_fails_validation_is_named_not_shown(
    field: str, value: str, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    args = {"name": "CI/CD app", "account_id": ACCOUNT_ID, field: pulumi.Output.secret(value)}

    with caplog.at_level(logging.DEBUG), pytest.raises(Exception, match="not shown") as failed:
        run_program(lambda: ServiceTokenComponent("ci", cast(ServiceTokenArgs, args)))

    assert named in str(failed.value)
    for text in (str(failed.value), caplog.text):
        assert value.strip() == "" or value not in text


def test_a_plain_output_that_fails_validation_still_shows_its_value() -> None:
    args = {"name": "CI/CD app", "account_id": pulumi.Output.from_input("abc")}

    with pytest.raises(Exception, match=r"`account_id` \('abc'\) must be 32 hex"):
        run_program(lambda: ServiceTokenComponent("ci", cast(ServiceTokenArgs, args)))


@pytest.mark.parametrize(
    ("kind", "news"),
    [
        (
            "cloudflare-service-token:index:TokenRenewal",
            {"tokenId": TOKEN_ID, "tokenExpiresAt": None, "minDays": 30},
        ),
        (
            "cloudflare-service-token:index:SecretRotation",
            {"tokenId": TOKEN_ID, "secretVersion": 1, "grace": "24h"},
        ),
    ],
    ids=["TokenRenewal", "SecretRotation"],
)
def test_the_plugin_returns_a_secret_input_as_a_secret_output(
    kind: str, news: dict[str, Any]
) -> None:
    api = FakeCloudflareApi(api_token=API_TOKEN, now=lambda: NOW)
    api.add_token(account_id=ACCOUNT_ID, token_id=TOKEN_ID)
    with api.serve() as base_url, serve_plugin() as client:
        client.configure({"apiToken": API_TOKEN, "baseUrl": base_url})
        created = client.create(kind, {**news, "accountId": Secret(ACCOUNT_ID)})
        updated = client.update(
            kind, created.id, created.properties, {**news, "accountId": Secret(ACCOUNT_ID)}
        )

    assert "accountId" in created.secret
    assert "accountId" in updated.secret
    assert "tokenId" not in created.secret
