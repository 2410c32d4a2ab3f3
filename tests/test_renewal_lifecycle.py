"""Renewal across real engine runs over simulated years: what a user sees on each `pulumi up`,
`pulumi preview` and `pulumi refresh`, failures and refusals included."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
)
from cloudflare_service_token._renewal import parse_timestamp
from cloudflare_service_token.testing import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.lifecycle import DeploymentError, Stack, Step, World, world

WEEK = timedelta(days=7)


@pytest.fixture
def env() -> Iterator[World]:
    with world(NOW, **{"cloudflare-service-token:apiMaxRetries": "0"}) as w:
        yield w


def component_stack(
    env: World, opts: pulumi.ResourceOptions | None = None, **settings: Any
) -> tuple[Stack, dict[str, Any]]:
    args: dict[str, Any] = {"name": "CI/CD app", "account_id": ACCOUNT_ID, **settings}

    def program() -> None:
        token = ServiceTokenComponent("ci", cast(ServiceTokenArgs, dict(args)), opts)
        for output in ("token_id", "client_secret", "expires_at", "renew_after", "policy_id"):
            pulumi.export(output, getattr(token, output))

    return Stack(program, env), args


def weekly_ups(stack: Stack, env: World, weeks: int) -> None:
    for _ in range(weeks):
        stack.up()
        env.clock.advance(WEEK)


def op(steps: list[Step], name: str) -> str:
    return next(step.op for step in steps if step.name == name)


def test_weekly_ups_keep_a_refreshed_token_valid_for_years_with_one_call_per_renewal(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    token_id, secret = stack.outputs["token_id"], stack.outputs["client_secret"]

    for _ in range(3 * 52):
        env.clock.advance(WEEK)
        stack.up()
        assert env.api.accepts(token_id, secret), env.clock.now()

    assert env.api.calls("refresh") == 3  # one per year, each inside the 30-day window
    assert stack.outputs["token_id"] == token_id


def test_the_components_expiry_counts_the_renewal_although_the_tokens_own_view_lags(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    env.clock.advance(days=340)

    steps = stack.up()

    token_view = parse_timestamp(stack.one(":ZeroTrustAccessServiceToken").outputs["expiresAt"])
    effective = parse_timestamp(stack.outputs["expires_at"])
    assert op(steps, "ci-renewal") == "update"
    assert token_view == NOW + timedelta(days=365)
    assert effective == env.clock.now() + timedelta(days=365)
    assert stack.outputs["renew_after"] == stack.one(":TokenRenewal").outputs["renew_after"]


def test_fractional_seconds_from_cloudflare_never_make_a_diff(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    assert ".123456Z" in stack.one(":ZeroTrustAccessServiceToken").outputs["expiresAt"]

    for _ in range(3):
        env.clock.advance(WEEK)
        assert op(stack.preview(), "ci-renewal") == "same"
        assert op(stack.up(), "ci-renewal") == "same"


def test_preview_shows_the_renewal_on_renewal_day_and_makes_no_call(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    env.clock.advance(days=335)

    steps = stack.preview()

    assert op(steps, "ci-renewal") == "update"
    assert env.api.calls("refresh") == 0


def test_a_pulumi_refresh_after_a_renewal_shows_no_change(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    env.clock.advance(days=340)
    stack.up()

    stack.refresh()

    assert op(stack.preview(), "ci-renewal") == "same"
    assert op(stack.up(), "ci-renewal") == "same"
    assert env.api.calls("refresh") == 1


def test_a_failed_renewal_changes_nothing_saved_and_the_next_up_renews(env: World):
    stack, _ = component_stack(env, min_days_for_renewal=30)
    stack.up()
    env.clock.advance(days=340)
    saved = stack.one(":TokenRenewal").outputs
    env.api.fail_next("refresh", Fault(503, 10001, "Internal error"))

    with pytest.raises(DeploymentError, match=r"HTTP 503, code 10001: Internal error"):
        stack.up()

    assert stack.one(":TokenRenewal").outputs == saved
    assert op(stack.preview(), "ci-renewal") == "update"
    assert op(stack.up(), "ci-renewal") == "update"
    assert env.api.calls("refresh") == 2


def test_replacement_renewal_creates_the_new_token_and_moves_the_policy_before_deleting(
    env: World,
):
    stack, _ = component_stack(
        env,
        min_days_for_renewal=30,
        renewal_strategy="replace",
        service_auth_policy_name="CI may call the API",
    )
    stack.up()
    old_id, old_secret = stack.outputs["token_id"], stack.outputs["client_secret"]
    env.clock.advance(days=336)

    preview = stack.preview()
    steps = stack.up()

    assert op(preview, "ci-token") == "replace"
    order = [(step.name, step.op) for step in steps if step.op != "same"]
    assert order.index(("ci-token", "replace")) < order.index(("ci-policy", "update"))
    assert order[-1] == ("ci-token", "delete")
    assert stack.outputs["token_id"] != old_id
    assert stack.one(":ZeroTrustAccessPolicy").outputs["includes"] == [
        {"serviceToken": {"tokenId": stack.outputs["token_id"]}}
    ]
    assert not env.api.accepts(old_id, old_secret)
    assert env.api.accepts(stack.outputs["token_id"], stack.outputs["client_secret"])


@pytest.mark.parametrize(
    ("opts", "settings"),
    [
        (pulumi.ResourceOptions(protect=True), {}),
        (None, {"import_token_id": "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"}),
    ],
    ids=["protected", "imported"],
)
def test_a_token_the_engine_may_not_replace_is_refused_replace_renewal_before_anything_exists(
    env: World, opts: pulumi.ResourceOptions | None, settings: dict[str, Any]
):
    """Accepted, it would fail on renewal day, a year later; refused, it fails on the first up."""
    stack, _ = component_stack(
        env, opts, min_days_for_renewal=30, renewal_strategy="replace", **settings
    )

    with pytest.raises(DeploymentError) as failed:
        weekly_ups(stack, env, weeks=60)

    assert isinstance(failed.value.error, ServiceTokenConfigError)
    assert stack.state == {}
