"""No credential leaks: the API token and the client secret stay out of pickled providers,
dynamic resources' state, and what the providers return or log."""

import base64
import logging
from collections.abc import Iterator

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from cloudflare_service_token._providers import (
    RenewalScheduleProvider,
    SecretRotationProvider,
    TokenRenewalProvider,
)
from tests.conftest import ACCOUNT_ID
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
