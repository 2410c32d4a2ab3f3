"""ServiceTokenComponent: its outputs, their secretness, and the options its token carries."""

import inspect
import json
import uuid
from typing import cast

import pulumi
import pulumi_cloudflare as cloudflare
import pytest
from pulumi.runtime import rpc

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token.testing import CloudflareMocks, run_program
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID

TOKEN = ":ZeroTrustAccessServiceToken"
OUTPUTS = ("token_id", "client_id", "client_secret", "expires_at", "headers", "single_header_value")
# With the two that only renewal and the Service Auth policy fill.
ALL_OUTPUTS = (*OUTPUTS, "renew_after", "policy_id")


def export_component(args: ServiceTokenArgs, opts: pulumi.ResourceOptions | None = None) -> None:
    token = ServiceTokenComponent("ci", args, opts)
    for output in OUTPUTS:
        pulumi.export(output, getattr(token, output))


def account_token(**extra: object) -> ServiceTokenArgs:
    return cast(ServiceTokenArgs, {"name": "CI/CD app", "account_id": ACCOUNT_ID, **extra})


def test_outputs_carry_the_token_cloudflare_created() -> None:
    run = run_program(lambda: export_component(account_token()), mocks=CloudflareMocks(now=NOW))

    values = {key: resolved.value for key, resolved in run.outputs.items()}
    assert values["client_id"].endswith(".access")
    assert len(values["client_secret"]) == 64
    assert values["expires_at"] == "2027-11-23T12:00:00Z"
    assert values["headers"] == {
        "CF-Access-Client-Id": values["client_id"],
        "CF-Access-Client-Secret": values["client_secret"],
    }
    assert json.loads(values["single_header_value"]) == {
        "cf-access-client-id": values["client_id"],
        "cf-access-client-secret": values["client_secret"],
    }


def test_token_id_is_the_cloudflare_uuid_not_the_client_id() -> None:
    run = run_program(lambda: export_component(account_token()))

    token_id = run.outputs["token_id"].value
    assert str(uuid.UUID(token_id)) == token_id
    assert token_id != run.outputs["client_id"].value


@pytest.mark.parametrize(
    ("output", "secret"),
    [
        ("client_secret", True),
        ("headers", True),
        ("single_header_value", True),
        ("client_id", False),
        ("token_id", False),
        ("expires_at", False),
    ],
)
def test_only_what_carries_the_secret_is_secret(output: str, secret: bool) -> None:
    run = run_program(lambda: export_component(account_token()))

    assert run.outputs[output].known
    assert run.outputs[output].secret is secret


def test_the_child_token_is_created_before_the_old_one_is_destroyed() -> None:
    run = run_program(lambda: export_component(account_token()))

    token = run.monitor.one(TOKEN)
    assert token.delete_before_replace is False
    assert token.delete_before_replace_defined is True
    assert "clientSecret" in token.additional_secret_outputs


def test_the_child_token_is_parented_to_the_component() -> None:
    run = run_program(lambda: export_component(account_token()))

    component = run.monitor.one(":ServiceTokenComponent")
    assert component.type == "cloudflare-service-token:index:ServiceTokenComponent"
    assert run.monitor.one(TOKEN).parent == component.urn


def test_the_token_gets_the_args_the_caller_gave() -> None:
    args = account_token(duration="17520h", enabled=False)

    run = run_program(lambda: export_component(args))

    inputs = run.monitor.one(TOKEN).inputs
    assert inputs["name"] == "CI/CD app"
    assert inputs["accountId"] == ACCOUNT_ID
    assert "zoneId" not in inputs
    assert inputs["duration"] == "17520h"
    assert inputs["enabled"] is False


def test_defaults_are_one_year_and_enabled() -> None:
    run = run_program(lambda: export_component(account_token()))

    inputs = run.monitor.one(TOKEN).inputs
    assert inputs["duration"] == "8760h"
    assert inputs["enabled"] is True


def test_a_zone_token_is_registered_with_the_zone_only() -> None:
    args = ServiceTokenArgs(name="zone app", zone_id=ZONE_ID)

    run = run_program(lambda: export_component(args))

    inputs = run.monitor.one(TOKEN).inputs
    assert inputs["zoneId"] == ZONE_ID
    assert "accountId" not in inputs


def test_the_callers_provider_reaches_the_token() -> None:
    def program() -> None:
        provider = cloudflare.Provider("other-account", api_token="not-a-real-token")
        export_component(account_token(), pulumi.ResourceOptions(provider=provider))

    run = run_program(program)

    provider = run.monitor.one("pulumi:providers:cloudflare")
    assert run.monitor.one(TOKEN).provider.startswith(provider.urn + "::")


def test_the_callers_providers_map_reaches_the_token() -> None:
    def program() -> None:
        provider = cloudflare.Provider("other-account", api_token="not-a-real-token")
        export_component(account_token(), pulumi.ResourceOptions(providers=[provider]))

    run = run_program(program)

    provider = run.monitor.one("pulumi:providers:cloudflare")
    assert run.monitor.one(TOKEN).provider.startswith(provider.urn + "::")


def test_a_callers_parent_does_not_replace_the_component_as_the_tokens_parent() -> None:
    def program() -> None:
        group = pulumi.ComponentResource("test:index:Group", "group")
        export_component(account_token(), pulumi.ResourceOptions(parent=group))

    run = run_program(program)

    component = run.monitor.one(":ServiceTokenComponent")
    group = run.monitor.one("test:index:Group")
    assert component.parent == group.urn
    assert run.monitor.one(TOKEN).parent == component.urn


def test_protect_on_the_component_reaches_the_token() -> None:
    run = run_program(
        lambda: export_component(account_token(), pulumi.ResourceOptions(protect=True))
    )

    assert run.monitor.one(TOKEN).protect is True


def test_aliases_on_the_component_are_passed_to_the_engine() -> None:
    alias = pulumi.Alias(name="old-ci")

    run = run_program(
        lambda: export_component(account_token(), pulumi.ResourceOptions(aliases=[alias]))
    )

    component = run.monitor.one(":ServiceTokenComponent")
    assert [alias["spec"]["name"] for alias in component.aliases] == ["old-ci"]


def test_in_preview_outputs_of_a_new_token_are_unknown_but_stay_secret() -> None:
    run = run_program(lambda: export_component(account_token()), preview=True)

    assert not run.outputs["client_secret"].known
    assert not run.outputs["client_id"].known
    for output in ("client_secret", "headers", "single_header_value"):
        assert run.outputs[output].secret, output
    assert run.monitor.one(TOKEN).inputs["name"] == "CI/CD app"


@pytest.mark.parametrize("output", ["client_secret", "headers", "single_header_value"])
def test_a_resource_given_a_derived_output_depends_on_the_token(output: str) -> None:
    def program() -> None:
        token = ServiceTokenComponent("ci", account_token(secret_version=1))
        pulumi.CustomResource("test:index:Consumer", "consumer", {"value": getattr(token, output)})

    run = run_program(program)

    consumer = run.monitor.one(":Consumer")
    token_urn = run.monitor.one(TOKEN).urn
    rotation_urn = run.monitor.one("SecretRotation").urn
    assert {token_urn, rotation_urn} <= set(consumer.property_dependencies["value"])
    assert consumer.inputs["value"] is not None


def test_resources_declared_per_token_carry_no_run_time_annotations() -> None:
    # The SDK rebuilds a class and its type hints from a resource class's own annotations on
    # every instance; declare string outputs under `if TYPE_CHECKING:` instead (the schedule's
    # `generation` is the one that needs the SDK to read its type).
    from cloudflare_service_token._plugin_component import PluginServiceTokenComponent
    from cloudflare_service_token._plugin_resources import PluginSecretRotation, PluginTokenRenewal
    from cloudflare_service_token._renewal_resources import SecretRotation, TokenRenewal

    for cls in (
        ServiceTokenComponent,
        PluginServiceTokenComponent,
        TokenRenewal,
        SecretRotation,
        PluginTokenRenewal,
        PluginSecretRotation,
    ):
        assert inspect.get_annotations(cls) == {}, cls.__name__


def test_every_output_is_an_output_even_when_the_setting_behind_it_is_off() -> None:
    outputs: dict[str, object] = {}

    def program() -> None:
        token = ServiceTokenComponent("ci", account_token())
        outputs.update((name, getattr(token, name)) for name in ALL_OUTPUTS)

    run_program(program)

    assert {name: type(value) for name, value in outputs.items()} == dict.fromkeys(
        outputs, pulumi.Output
    )


def test_the_component_registers_its_outputs_with_the_secret_ones_encrypted() -> None:
    # What state keeps under the component: the same names as its attributes, secrets wrapped.
    args = account_token(min_days_for_renewal=30, service_auth_policy_name="CI")
    run = run_program(lambda: export_component(args))

    registered = run.monitor.registered_outputs[run.monitor.one(":ServiceTokenComponent").urn]
    assert sorted(registered) == sorted(ALL_OUTPUTS)
    assert {name for name, value in registered.items() if rpc.is_rpc_secret(value)} == {
        "client_secret",
        "headers",
        "single_header_value",
    }
    assert registered["client_id"] == run.outputs["client_id"].value
    assert rpc.unwrap_rpc_secret(registered["headers"]) == run.outputs["headers"].value
