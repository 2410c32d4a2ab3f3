"""The public testing kit answers like the Cloudflare provider, so users' tests mean something."""

import re
import uuid
from datetime import timedelta
from typing import Any

import pulumi
import pulumi_cloudflare as cloudflare
import pytest
from pulumi.runtime import MockResourceArgs, rpc

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent, _providers
from cloudflare_service_token.testing import (
    CloudflareMocks,
    FakeClock,
    FakeCloudflareApi,
    LogRecord,
    StackOutput,
    run_program,
)
from cloudflare_service_token.testing._mocks import SERVICE_TOKEN_TYPE
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID


def declare(**kwargs: object) -> None:
    token = cloudflare.ZeroTrustAccessServiceToken("t", name="t", **kwargs)  # type: ignore[call-overload]
    pulumi.export("id", token.id)
    pulumi.export("client_id", token.client_id)
    pulumi.export("client_secret", token.client_secret)
    pulumi.export("expires_at", token.expires_at)


def test_a_mock_token_looks_like_a_cloudflare_token() -> None:
    run = run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=CloudflareMocks(now=NOW))

    values = {key: out.value for key, out in run.outputs.items()}
    assert uuid.UUID(values["id"])
    assert re.fullmatch(r"[0-9a-f]{32}\.access", values["client_id"])
    assert re.fullmatch(r"[0-9a-f]{64}", values["client_secret"])
    assert values["expires_at"] == "2027-11-23T12:00:00Z"


@pytest.mark.parametrize(
    ("duration", "expires_at"),
    [
        ("24h", "2026-11-24T12:00:00Z"),
        ("1.5h", "2026-11-23T13:30:00Z"),
        # Cloudflare reports creation + 876,000 h for a token that never expires.
        ("forever", "2126-10-30T12:00:00Z"),
    ],
)
def test_expiry_is_now_plus_duration(duration: str, expires_at: str | None) -> None:
    run = run_program(
        lambda: declare(zone_id=ZONE_ID, duration=duration), mocks=CloudflareMocks(now=NOW)
    )

    assert run.outputs["expires_at"].value == expires_at


def test_the_clock_can_move_between_runs() -> None:
    moments = iter([NOW, NOW.replace(year=2030)])
    mocks = CloudflareMocks(now=lambda: next(moments))

    first = run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=mocks)
    second = run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=mocks)

    assert first.outputs["expires_at"].value.startswith("2027")
    assert second.outputs["expires_at"].value.startswith("2031")


def test_the_same_program_gets_the_same_values_every_run() -> None:
    first = run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=CloudflareMocks(now=NOW))
    second = run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=CloudflareMocks(now=NOW))

    assert first.outputs == second.outputs


def test_an_imported_token_has_its_id_and_no_secret() -> None:
    token_id = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"

    def program() -> None:
        declare(
            account_id=ACCOUNT_ID,
            opts=pulumi.ResourceOptions(import_=f"accounts/{ACCOUNT_ID}/{token_id}"),
        )

    run = run_program(program)

    assert run.outputs["id"].value == token_id
    assert run.outputs["client_secret"].value is None


def test_stack_references_answer_with_published_outputs_and_their_secretness() -> None:
    mocks = CloudflareMocks(
        stacks={"o/p/s": {"a": StackOutput("plain"), "b": StackOutput("hidden", secret=True)}}
    )

    def program() -> None:
        ref = pulumi.StackReference("o/p/s")
        pulumi.export("a", ref.get_output("a"))
        pulumi.export("b", ref.get_output("b"))

    run = run_program(program, mocks=mocks)

    assert (run.outputs["a"].value, run.outputs["a"].secret) == ("plain", False)
    assert (run.outputs["b"].value, run.outputs["b"].secret) == ("hidden", True)


def test_a_reference_to_an_unpublished_stack_fails_clearly() -> None:
    with pytest.raises(Exception, match="publish_stack"):
        run_program(lambda: pulumi.StackReference("o/p/missing").get_output("a"))


def test_the_monitor_records_options_in_the_order_registered() -> None:
    def program() -> None:
        cloudflare.ZeroTrustAccessServiceToken(
            "t",
            name="t",
            account_id=ACCOUNT_ID,
            opts=pulumi.ResourceOptions(delete_before_replace=True, replacement_trigger="r1"),
        )

    run = run_program(program)

    token = run.monitor.one(":ZeroTrustAccessServiceToken")
    assert token.delete_before_replace is True
    assert token.replacement_trigger == "r1"
    assert token.custom is True
    assert run.monitor.registrations[0].type == "pulumi:pulumi:Stack"
    assert run.monitor.registrations[0].custom is False


def test_the_monitor_records_the_providers_map_given() -> None:
    def program() -> None:
        provider = cloudflare.Provider("other", api_token="not-a-real-token")
        team = pulumi.ComponentResource(
            "acme:index:Team", "team", None, pulumi.ResourceOptions(providers=[provider])
        )
        team.register_outputs({})

    run = run_program(program)

    provider = run.monitor.one("pulumi:providers:cloudflare")
    assert list(run.monitor.one(":Team").providers) == ["cloudflare"]
    assert run.monitor.one(":Team").providers["cloudflare"].startswith(provider.urn + "::")


def test_one_says_what_it_looked_for_and_how_many_it_found() -> None:
    run = run_program(lambda: None)

    with pytest.raises(AssertionError, match="expected one :Team registration, found 0"):
        run.monitor.one(":Team")


def test_the_monitor_records_what_each_component_registers_as_its_outputs() -> None:
    def program() -> None:
        team = pulumi.ComponentResource("acme:index:Team", "team")
        team.register_outputs({"size": 3, "key": pulumi.Output.secret("k")})

    run = run_program(program)

    team = run.monitor.one(":Team")
    assert run.monitor.registered_outputs[team.urn] == {
        "size": 3,
        "key": rpc.wrap_rpc_secret("k"),
    }


def test_a_run_records_each_warning_with_the_resource_it_is_about() -> None:
    def program() -> None:
        team = pulumi.ComponentResource("acme:index:Team", "team")
        pulumi.log.warn("about the team", resource=team)
        pulumi.log.warn("about nothing")
        pulumi.log.info("for the record")

    run = run_program(program)

    assert run.warnings("::team") == ["about the team"]
    assert sorted(run.warnings()) == ["about nothing", "about the team"]
    assert LogRecord("info", "for the record", "") in run.logs
    assert all(log.severity != "debug" for log in run.logs)


def test_the_mocks_refuse_a_naive_now_as_the_fake_clock_does() -> None:
    naive = NOW.replace(tzinfo=None)

    with pytest.raises(ValueError, match="timezone-aware") as from_mocks:
        CloudflareMocks(now=naive)
    with pytest.raises(ValueError, match="timezone-aware") as from_clock:
        FakeClock(naive)

    fix = "pass e.g. datetime(2026, 11, 23, tzinfo=UTC)"
    assert fix in str(from_mocks.value) and fix in str(from_clock.value)


def test_the_mocks_refuse_a_clock_that_returns_naive_times_when_they_read_it() -> None:
    mocks = CloudflareMocks(now=lambda: NOW.replace(tzinfo=None))

    with pytest.raises(Exception, match="timezone-aware"):
        run_program(lambda: declare(account_id=ACCOUNT_ID), mocks=mocks)


def test_the_monitor_refuses_two_resources_with_one_urn_as_the_engine_does() -> None:
    def program() -> None:
        declare(account_id=ACCOUNT_ID)
        cloudflare.ZeroTrustAccessServiceToken("t", name="again", account_id=ACCOUNT_ID)

    with pytest.raises(Exception, match="Duplicate resource URN"):
        run_program(program)


# -- a kit run never calls out ------------------------------------------------------------------


class TokensNearExpiry(CloudflareMocks):
    """Mocks whose service tokens are 10 days from expiry: inside a 30-day renewal window."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        if args.typ == SERVICE_TOKEN_TYPE and state.get("expiresAt"):
            soon = NOW + timedelta(days=10)
            state["expiresAt"] = soon.isoformat().replace("+00:00", "Z")
            self.api.add_token(account_id=ACCOUNT_ID, token_id=resource_id, expires_at=soon)
        return resource_id, state


def test_a_kit_run_that_renews_calls_only_the_kits_fake_whatever_the_environment_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = FakeCloudflareApi(api_token="sentinel-shell-api-token")
    with elsewhere.serve() as base_url:
        # A developer's shell, pointing at an API the run must never reach.
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "sentinel-shell-api-token")
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", base_url)
        monkeypatch.setattr(_providers, "_stack_config", {})
        mocks = TokensNearExpiry(now=NOW)

        def program() -> None:
            args = ServiceTokenArgs(name="ci", account_id=ACCOUNT_ID, min_days_for_renewal=30)
            pulumi.export("expires_at", ServiceTokenComponent("ci", args).expires_at)

        run = run_program(program, mocks=mocks)

    assert elsewhere.requests == []
    assert [r.operation for r in mocks.api.requests] == ["get", "refresh"]
    assert run.outputs["expires_at"].value == "2027-11-23T12:00:00Z"


def test_a_kit_run_that_starts_rotation_reads_the_token_from_the_kits_fake() -> None:
    mocks = CloudflareMocks(now=NOW)

    def program() -> None:
        args = ServiceTokenArgs(name="ci", account_id=ACCOUNT_ID, secret_version=1)
        ServiceTokenComponent("ci", args)

    run_program(program, mocks=mocks)

    assert [r.operation for r in mocks.api.requests] == ["get"]


def test_a_call_about_a_token_the_kit_does_not_hold_is_refused_with_a_message() -> None:
    class ForeignToken(CloudflareMocks):
        def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            resource_id, state = super().new_resource(args)
            if args.typ == SERVICE_TOKEN_TYPE:
                self.api.delete_token(str(resource_id))
            return resource_id, state

    def program() -> None:
        args = ServiceTokenArgs(name="ci", account_id=ACCOUNT_ID, secret_version=1)
        ServiceTokenComponent("ci", args)

    with pytest.raises(Exception, match="the kit never calls the real one"):
        run_program(program, mocks=ForeignToken(now=NOW))
