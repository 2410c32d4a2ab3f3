"""What the component declares for each renewal setting, and the outputs it derives from them."""

from datetime import timedelta
from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token.testing import CloudflareMocks, FakeClock, run_program
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID
from tests.renewal_world import component_run

DYNAMIC = "pulumi-python:dynamic/cloudflare-service-token:"


def dynamic_types(**args: Any) -> list[str]:
    run = component_run(FakeClock(NOW), **args)
    return sorted(
        r.type.removeprefix(DYNAMIC)
        for r in run.monitor.registrations
        if r.type.startswith(DYNAMIC)
    )


@pytest.mark.parametrize(
    ("args", "declared"),
    [
        ({}, []),
        ({"min_days_for_renewal": 0}, []),
        ({"min_days_for_renewal": 1}, ["TokenRenewal"]),
        ({"min_days_for_renewal": 30}, ["TokenRenewal"]),
        ({"min_days_for_renewal": 30, "renewal_strategy": "replace"}, ["RenewalSchedule"]),
        ({"secret_version": 1}, ["SecretRotation"]),
        ({"min_days_for_renewal": 30, "secret_version": 2}, ["SecretRotation", "TokenRenewal"]),
    ],
)
def test_each_setting_declares_only_the_resources_it_needs(
    args: dict[str, Any], declared: list[str]
) -> None:
    assert dynamic_types(**args) == declared


@pytest.mark.parametrize(
    ("args", "resource"),
    [
        ({"min_days_for_renewal": 30}, ":TokenRenewal"),
        ({"min_days_for_renewal": 30, "renewal_strategy": "replace"}, ":RenewalSchedule"),
        ({"secret_version": 1}, ":SecretRotation"),
    ],
)
def test_each_renewal_resource_is_a_child_of_the_component(
    args: dict[str, Any], resource: str
) -> None:
    # Its URN, and so its identity in state, runs through the component.
    run = component_run(FakeClock(NOW), **args)

    component = run.monitor.one(":ServiceTokenComponent")
    assert run.monitor.one(resource).parent == component.urn
    assert run.monitor.one(resource).urn.startswith(f"urn:pulumi:stack::project::{component.type}$")


@pytest.mark.parametrize(
    "args",
    [{}, {"min_days_for_renewal": 30}, {"secret_version": 1}],
    ids=["no renewal", "refresh", "rotation"],
)
def test_only_the_replace_strategy_gives_the_token_a_replacement_trigger(
    args: dict[str, Any],
) -> None:
    run = component_run(FakeClock(NOW), **args)

    assert run.monitor.one(":ZeroTrustAccessServiceToken").replacement_trigger is None


def test_without_renewal_expires_at_is_the_tokens_and_there_is_no_renew_after() -> None:
    run = component_run(FakeClock(NOW))

    assert run.outputs["expires_at"].value == format_timestamp(NOW + timedelta(days=365))
    assert run.outputs["renew_after"].known
    assert run.outputs["renew_after"].value is None


def test_refresh_renewal_watches_the_token_it_belongs_to() -> None:
    run = component_run(FakeClock(NOW), min_days_for_renewal=30)

    renewal = run.monitor.one(":TokenRenewal")
    token = run.monitor.one(":ZeroTrustAccessServiceToken")
    assert renewal.parent == run.monitor.one(":ServiceTokenComponent").urn
    assert renewal.inputs["token_id"] == run.outputs["token_id"].value
    assert renewal.inputs["account_id"] == ACCOUNT_ID
    assert renewal.inputs["token_expires_at"] == format_timestamp(NOW + timedelta(days=365))
    assert renewal.inputs["min_days"] == 30
    assert token.urn in renewal.dependencies


@pytest.mark.parametrize("strategy", ["refresh", "replace"])
def test_renew_after_is_the_expiry_minus_the_window(strategy: str) -> None:
    run = component_run(FakeClock(NOW), min_days_for_renewal=30, renewal_strategy=strategy)

    assert run.outputs["expires_at"].value == format_timestamp(NOW + timedelta(days=365))
    assert run.outputs["renew_after"].value == format_timestamp(NOW + timedelta(days=335))


def test_a_zone_token_can_renew_by_replacement() -> None:
    def program() -> None:
        args = ServiceTokenArgs(
            name="zone app", zone_id=ZONE_ID, min_days_for_renewal=30, renewal_strategy="replace"
        )
        pulumi.export("renew_after", ServiceTokenComponent("z", args).renew_after)

    run = run_program(program, mocks=CloudflareMocks(now=NOW))

    assert run.outputs["renew_after"].value == format_timestamp(NOW + timedelta(days=335))
    assert run.monitor.one(":ZeroTrustAccessServiceToken").replacement_trigger == 1


def test_a_window_too_long_for_a_duration_given_as_an_output_fails_the_deployment() -> None:
    def program() -> None:
        args = {
            "name": "x",
            "account_id": ACCOUNT_ID,
            "duration": pulumi.Output.from_input("240h"),
            "min_days_for_renewal": 10,
        }
        ServiceTokenComponent("ci", cast(ServiceTokenArgs, args))

    with pytest.raises(Exception, match=r"`min_days_for_renewal` \(10\) must be less than"):
        run_program(program)


def test_in_preview_a_new_tokens_renewal_outputs_are_unknown() -> None:
    run = component_run(FakeClock(NOW), preview=True, min_days_for_renewal=30)

    assert not run.outputs["expires_at"].known
    assert not run.outputs["renew_after"].known
    assert run.monitor.one(":TokenRenewal").inputs["min_days"] == 30


class MocksWithoutExpiry(CloudflareMocks):
    """A provider state that lacks the token's expiry (never seen from Cloudflare, but possible
    in state written by other tools)."""

    def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
        id_, state = super().new_resource(args)
        if args.typ.endswith(":ZeroTrustAccessServiceToken"):
            state.pop("expiresAt", None)
        return id_, state


def test_a_token_without_an_expiry_warns_on_every_run_instead_of_never_renewing_silently() -> None:
    def program() -> None:
        args = ServiceTokenArgs(name="x", account_id=ACCOUNT_ID, min_days_for_renewal=30)
        ServiceTokenComponent("ci", args)

    for _ in range(2):
        run = run_program(program, mocks=MocksWithoutExpiry(now=NOW))

        # Shown under the component in `pulumi up`.
        assert run.warnings("ServiceTokenComponent::ci") == [
            "the service token reports no expiry, so `min_days_for_renewal` (30) cannot renew "
            "it: Cloudflare gives every token one (a 'forever' token about 100 years out); run "
            "`pulumi refresh` to read it."
        ]


def test_a_token_with_an_expiry_gives_no_such_warning() -> None:
    run = component_run(FakeClock(NOW), min_days_for_renewal=30)

    assert run.warnings() == []


def test_a_forever_token_reports_cloudflares_far_future_expiry_and_declares_no_renewal() -> None:
    run = component_run(FakeClock(NOW), duration="forever")

    assert run.outputs["expires_at"].value == format_timestamp(NOW + timedelta(hours=876_000))
    assert run.outputs["renew_after"].value is None
    assert not run.monitor.find(":TokenRenewal")
