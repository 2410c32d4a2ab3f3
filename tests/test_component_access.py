"""Using the token: the Service Auth policy, the expiry alert, and adopting existing tokens."""

from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
)
from cloudflare_service_token.testing import CloudflareMocks, ProgramRun, run_program
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID

TOKEN = ":ZeroTrustAccessServiceToken"
POLICY = ":ZeroTrustAccessPolicy"
ALERT = ":NotificationPolicy"
EXISTING = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"


def run_with(**args: Any) -> ProgramRun:
    full = cast(ServiceTokenArgs, {"name": "CI/CD app", "account_id": ACCOUNT_ID, **args})

    def program() -> None:
        token = ServiceTokenComponent("ci", full)
        for output in ("token_id", "policy_id", "client_secret", "headers", "single_header_value"):
            pulumi.export(output, getattr(token, output))

    return run_program(program, mocks=CloudflareMocks(now=NOW))


def test_a_policy_name_creates_a_service_auth_policy_including_the_token_by_id() -> None:
    run = run_with(service_auth_policy_name="CI can reach the app")

    policy = run.monitor.one(POLICY)
    assert policy.parent == run.monitor.one(":ServiceTokenComponent").urn
    assert policy.inputs["decision"] == "non_identity"
    assert policy.inputs["name"] == "CI can reach the app"
    assert policy.inputs["accountId"] == ACCOUNT_ID
    assert policy.inputs["includes"] == [
        {"serviceToken": {"tokenId": run.outputs["token_id"].value}}
    ]
    assert run.outputs["policy_id"].value == "ci-policy-id"


def test_the_policy_follows_the_tokens_id_so_a_replacement_moves_it_before_the_old_token_goes():
    run = run_with(
        service_auth_policy_name="CI", min_days_for_renewal=30, renewal_strategy="replace"
    )

    token = run.monitor.one(TOKEN)
    policy = run.monitor.one(POLICY)
    assert token.urn in policy.property_dependencies["includes"]
    assert token.delete_before_replace is False
    assert token.delete_before_replace_defined is True
    assert not any(r.delete_before_replace for r in run.monitor.registrations)


def test_without_a_policy_name_there_is_no_policy_and_policy_id_is_none() -> None:
    run = run_with()

    assert run.monitor.find(POLICY) == []
    assert run.outputs["policy_id"].known
    assert run.outputs["policy_id"].value is None


def test_alert_emails_create_an_expiring_token_notification_for_this_token_only() -> None:
    run = run_with(expiry_alert_emails=["ops@example.com", "oncall@example.org"])

    alert = run.monitor.one(ALERT).inputs
    assert alert["alertType"] == "expiring_service_token_alert"
    assert alert["accountId"] == ACCOUNT_ID
    assert alert["filters"] == {"tokenIds": [run.outputs["token_id"].value]}
    assert alert["mechanisms"] == {
        "emails": [{"id": "ops@example.com"}, {"id": "oncall@example.org"}]
    }
    assert alert["name"] == "Service token expiring: CI/CD app"


@pytest.mark.parametrize(
    ("args", "resource", "name"),
    [
        ({"service_auth_policy_name": "CI"}, POLICY, "ci-policy"),
        ({"expiry_alert_emails": ["ops@example.com"]}, ALERT, "ci-expiry-alert"),
    ],
)
def test_the_policy_and_the_alert_are_named_after_the_component_and_are_its_children(
    args: dict[str, Any], resource: str, name: str
) -> None:
    run = run_with(**args)

    assert run.monitor.one(resource).name == name
    assert run.monitor.one(resource).parent == run.monitor.one(":ServiceTokenComponent").urn


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        (["not-an-address"], "invalid address"),
        (["ops@example"], "invalid address"),
        (["a b@example.com"], "invalid address"),
        ([], "non-empty list"),
        ("ops@example.com", "non-empty list"),
    ],
)
def test_invalid_alert_addresses_are_refused_up_front(emails: object, message: str) -> None:
    with pytest.raises(ServiceTokenConfigError, match=message):
        run_with(expiry_alert_emails=emails)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"service_auth_policy_name": "CI"}, "service_auth_policy_name"),
        ({"expiry_alert_emails": ["ops@example.com"]}, "expiry_alert_emails"),
    ],
)
def test_policy_and_alert_need_an_account_scoped_token(extra: dict[str, Any], field: str) -> None:
    args = cast(ServiceTokenArgs, {"name": "z", "zone_id": ZONE_ID, **extra})

    with pytest.raises(ServiceTokenConfigError, match=f"`{field}` needs an account-scoped token"):
        run_program(lambda: ServiceTokenComponent("z", args))


def test_adopting_an_existing_token_imports_it_by_scope_and_id() -> None:
    run = run_with(import_token_id=EXISTING)

    token = run.monitor.one(TOKEN)
    assert token.import_id == f"accounts/{ACCOUNT_ID}/{EXISTING}"
    assert run.outputs["token_id"].value == EXISTING


def test_an_adopted_token_has_empty_secret_outputs_rather_than_wrong_ones() -> None:
    run = run_with(import_token_id=EXISTING)

    for output in ("client_secret", "headers", "single_header_value"):
        assert run.outputs[output].known, output
        assert run.outputs[output].value is None, output
        assert run.outputs[output].secret, output


def test_adopting_warns_once_that_the_secret_is_unavailable_until_rotated() -> None:
    run = run_with(import_token_id=EXISTING)

    assert run.warnings("ServiceTokenComponent::ci") == [
        "adopted an existing service token: Cloudflare never returns its client secret again, "
        "so client_secret, headers and single_header_value are empty until you rotate the "
        "secret: set secret_version (e.g. 1), then raise it by one in a later `pulumi up` to get "
        "a new secret under the same client id."
    ]
    assert run.warnings() == run.warnings("ServiceTokenComponent::ci")


@pytest.mark.parametrize("bad", ["88bf3b6d86161464f6509f7219099e57.access", "abc", ""])
def test_an_import_id_that_is_not_a_token_uuid_is_refused(bad: str) -> None:
    with pytest.raises(ServiceTokenConfigError, match=r"`import_token_id`.*UUID"):
        run_with(import_token_id=bad)


def test_importing_needs_a_plain_account_id() -> None:
    def program() -> None:
        args = {
            "name": "x",
            "account_id": pulumi.Output.from_input(ACCOUNT_ID),
            "import_token_id": EXISTING,
        }
        ServiceTokenComponent("ci", cast(ServiceTokenArgs, args))

    with pytest.raises(ServiceTokenConfigError, match="`account_id` must be a plain string"):
        run_program(program)


def test_a_token_moved_into_the_component_keeps_its_identity_through_an_alias() -> None:
    old_urn = (
        "urn:pulumi:stack::project::cloudflare:index/zeroTrustAccessServiceToken:"
        "ZeroTrustAccessServiceToken::ci"
    )

    run = run_with(
        token_aliases=[old_urn, pulumi.Alias(name="ci", parent=pulumi.ROOT_STACK_RESOURCE)]
    )

    aliases = run.monitor.one(TOKEN).aliases
    assert {"urn": old_urn} in aliases
    assert any(alias.get("spec", {}).get("name") == "ci" for alias in aliases)


def test_token_aliases_must_be_urns_or_aliases() -> None:
    with pytest.raises(ServiceTokenConfigError, match="`token_aliases`"):
        run_with(token_aliases="urn:pulumi:stack::project::x::ci")
