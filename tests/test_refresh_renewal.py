"""Refresh strategy, driven as the engine drives it: decision in diff, action in update."""

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import grpc
import pytest
from pulumi.runtime import rpc

from cloudflare_service_token._renewal import format_timestamp, parse_timestamp
from cloudflare_service_token.testing import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.renewal_world import World, component_run, dynamic_inputs, renewal_world

RENEWAL = ":TokenRenewal"
YEAR = timedelta(days=365)


@pytest.fixture
def world() -> Iterator[World]:
    with renewal_world() as world:
        yield world


def deploy(world: World, min_days: int = 30) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A first `pulumi up`: the component registers the renewal, the engine creates it, and the
    token exists in (fake) Cloudflare with the id the token resource reported."""
    inputs = dynamic_inputs(component_run(world.clock, min_days_for_renewal=min_days), RENEWAL)
    world.api.add_token(
        account_id=ACCOUNT_ID,
        token_id=inputs["token_id"],
        expires_at=parse_timestamp(inputs["token_expires_at"]),
    )
    renewal_id, outputs = world.engine.up(inputs)
    return renewal_id, inputs, outputs


def test_creating_the_renewal_records_the_tokens_expiry_without_calling_cloudflare(world: World):
    _, _, outputs = deploy(world)

    assert outputs["expires_at"] == format_timestamp(NOW + YEAR)
    assert outputs["renew_after"] == format_timestamp(NOW + YEAR - timedelta(days=30))
    assert outputs.get("last_renewed_at") is None
    assert world.api.calls() == 0


def test_before_the_window_diff_shows_no_change_and_calls_nothing(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=334)

    diff = world.engine.diff(renewal_id, outputs, inputs)

    assert diff.changes is False
    assert world.api.calls() == 0


def test_inside_the_window_diff_shows_the_renewal_without_calling_cloudflare(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=336)

    diff = world.engine.diff(renewal_id, outputs, inputs)

    assert diff.changes is True
    assert diff.replaces == []
    assert world.api.calls() == 0


def test_the_renew_after_instant_itself_is_due(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.set(parse_timestamp(outputs["renew_after"]) - timedelta(seconds=1))
    assert world.engine.diff(renewal_id, outputs, inputs).changes is False

    world.clock.set(parse_timestamp(outputs["renew_after"]))

    assert world.engine.diff(renewal_id, outputs, inputs).changes is True


def test_update_when_due_refreshes_once_and_records_the_expiry_cloudflare_returned(world: World):
    renewal_id, inputs, outputs = deploy(world)
    renewed_at = world.clock.advance(days=340)

    renewed = world.engine.update(renewal_id, outputs, inputs)

    # It reads Cloudflare's view first: the token is still due there, so it refreshes.
    assert [r.operation for r in world.api.requests] == ["get", "refresh"]
    assert renewed["expires_at"] == format_timestamp(renewed_at + YEAR)
    in_cloudflare = (world.api.token(inputs["token_id"]) or {})["expires_at"]
    assert renewed["expires_at"] == format_timestamp(parse_timestamp(in_cloudflare))
    assert renewed["last_renewed_at"] == format_timestamp(renewed_at)
    assert renewed["renew_after"] == format_timestamp(renewed_at + YEAR - timedelta(days=30))


def test_after_a_refresh_the_next_diff_is_quiet_although_the_token_still_reports_the_old_expiry(
    world: World,
):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    renewed = world.engine.update(renewal_id, outputs, inputs)
    world.clock.advance(days=1)

    diff = world.engine.diff(renewal_id, renewed, inputs)

    assert inputs["token_expires_at"] == outputs["expires_at"]  # the token's view is stale
    assert diff.changes is False
    assert world.api.calls("refresh") == 1


def test_a_pulumi_refresh_of_the_token_catching_up_with_our_renewal_is_no_change(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    renewed = world.engine.update(renewal_id, outputs, inputs)
    caught_up = {**inputs, "token_expires_at": renewed["expires_at"]}

    assert world.engine.diff(renewal_id, renewed, caught_up).changes is False
    assert world.api.calls("refresh") == 1


def test_a_new_expiry_reported_by_the_token_counts_even_when_earlier(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    renewed = world.engine.update(renewal_id, outputs, inputs)
    # e.g. a shorter duration: Cloudflare and then the token resource report the new expiry
    sooner = world.clock.now() + timedelta(days=20)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"], expires_at=sooner)
    changed = {**inputs, "token_expires_at": format_timestamp(sooner)}

    diff = world.engine.diff(renewal_id, renewed, changed)
    after = world.engine.update(renewal_id, renewed, changed)

    assert diff.changes is True
    assert world.api.calls("refresh") == 2  # 20 days left is inside the 30-day window
    assert parse_timestamp(after["expires_at"]) == world.clock.now() + YEAR


def test_switching_renewal_on_for_a_token_already_inside_the_window_renews_it_at_once(
    world: World,
):
    inputs = dynamic_inputs(component_run(world.clock, min_days_for_renewal=30), RENEWAL)
    soon = world.clock.now() + timedelta(days=10)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"], expires_at=soon)
    existing = {**inputs, "token_expires_at": format_timestamp(soon)}

    _, outputs = world.engine.up(existing)

    assert world.api.calls("refresh") == 1
    assert outputs["expires_at"] == format_timestamp(world.clock.now() + YEAR)
    assert outputs["last_renewed_at"] == format_timestamp(world.clock.now())


def test_read_changes_nothing_and_calls_nothing_even_when_due(world: World):
    renewal_id, _, outputs = deploy(world)
    world.clock.advance(days=360)

    read_id, state = world.engine.read(renewal_id, outputs)

    assert read_id == renewal_id
    assert {k: v for k, v in state.items() if k != "__provider"} == {
        k: v for k, v in outputs.items() if k != "__provider"
    }
    assert world.api.calls() == 0


def test_a_replaced_token_replaces_the_renewal_which_calls_nothing(world: World):
    renewal_id, inputs, outputs = deploy(world)
    new_token = {**inputs, "token_id": "a3b1c2d4-0000-4000-8000-000000000001"}

    diff = world.engine.diff(renewal_id, outputs, new_token)
    new_id, _ = world.engine.create(world.engine.check(outputs, new_token))
    world.engine.delete(renewal_id, outputs)

    assert diff.replaces == ["token_id"]
    assert new_id != renewal_id
    assert world.api.calls() == 0


def test_a_token_that_already_expired_is_refreshed_with_a_warning(
    world: World, caplog: pytest.LogCaptureFixture
):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=400)

    with caplog.at_level(logging.WARNING, logger="cloudflare_service_token"):
        renewed = world.engine.update(renewal_id, outputs, inputs)

    assert "expired at" in caplog.text
    assert parse_timestamp(renewed["expires_at"]) > world.clock.now()
    assert world.api.calls("refresh") == 1


def test_min_days_that_are_not_whole_days_fail_check(world: World):
    _, inputs, _ = deploy(world)

    with pytest.raises(AssertionError, match="min_days"):
        world.engine.check({}, {**inputs, "min_days": 1.5})


def test_a_refresh_that_leaves_the_token_expired_fails_saying_so(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=400)
    stale = {
        "success": True,
        "errors": [],
        "messages": [],
        "result": {"id": inputs["token_id"], "expires_at": outputs["expires_at"]},
    }
    world.api.fail_next("refresh", Fault(200, body=json.dumps(stale).encode()))

    with pytest.raises(grpc.RpcError, match=r"still expires at .* in the past"):
        world.engine.update(renewal_id, outputs, inputs)
    assert world.engine.diff(renewal_id, outputs, inputs).changes is True


@pytest.mark.parametrize(
    ("setting", "value"), [("min_days", 45), ("account_id", "0" * 32)], ids=["window", "account"]
)
def test_a_changed_setting_is_a_diff_and_the_update_records_it_without_a_call(
    world: World, setting: str, value: object
):
    renewal_id, inputs, outputs = deploy(world)
    changed = {**inputs, setting: value}

    diff = world.engine.diff(renewal_id, outputs, changed)
    updated = world.engine.update(renewal_id, outputs, changed)

    assert diff.changes is True and diff.replaces == []
    assert updated[setting] == value
    assert world.api.calls() == 0


def test_the_window_in_force_sets_renew_after(world: World):
    renewal_id, inputs, outputs = deploy(world)

    updated = world.engine.update(renewal_id, outputs, {**inputs, "min_days": 45})

    assert updated["renew_after"] == format_timestamp(NOW + YEAR - timedelta(days=45))


@pytest.mark.parametrize("unknown", ["account_id", "token_expires_at", "min_days"])
def test_an_input_not_known_until_the_update_is_a_diff_never_a_guess(world: World, unknown: str):
    renewal_id, inputs, outputs = deploy(world)

    diff = world.engine.diff(renewal_id, outputs, {**inputs, unknown: rpc.UNKNOWN})

    assert diff.changes is True
    assert diff.replaces == []


def test_a_token_id_not_known_until_the_update_replaces_the_tracker(world: World):
    renewal_id, inputs, outputs = deploy(world)

    diff = world.engine.diff(renewal_id, outputs, {**inputs, "token_id": rpc.UNKNOWN})

    assert diff.replaces == ["token_id"]


def test_a_refresh_answer_without_the_expiry_is_followed_by_one_read(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    no_expiry = {"success": True, "errors": [], "messages": [], "result": {"id": "x"}}
    world.api.fail_next("refresh", Fault(200, body=json.dumps(no_expiry).encode()))

    renewed = world.engine.update(renewal_id, outputs, inputs)

    assert [r.operation for r in world.api.requests] == ["get", "refresh", "get"]
    in_cloudflare = (world.api.token(inputs["token_id"]) or {})["expires_at"]
    assert renewed["expires_at"] == format_timestamp(parse_timestamp(in_cloudflare))


def test_an_answer_without_success_is_an_error_even_with_a_result(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    later = format_timestamp(world.clock.now() + YEAR)
    no_success = {"errors": [], "result": {"id": "x", "expires_at": later}}
    world.api.fail_next("refresh", Fault(200, body=json.dumps(no_success).encode()))

    with pytest.raises(grpc.RpcError, match="did not succeed with the refresh"):
        world.engine.update(renewal_id, outputs, inputs)


def test_renewal_authenticates_with_an_api_key_and_email_when_that_is_what_is_configured():
    with renewal_world(**{"cloudflare:apiToken": ""}) as world:
        world.api.api_key, world.api.email = "global-key", "ops@example.com"
        world.engine.configure(
            {
                "cloudflare:apiKey": "global-key",
                "cloudflare:email": "ops@example.com",
                "cloudflare:baseUrl": world.base_url,
            }
        )
        renewal_id, inputs, outputs = deploy(world)
        world.clock.advance(days=340)

        renewed = world.engine.update(renewal_id, outputs, inputs)

        assert [r.authorized for r in world.api.requests] == [True, True]
        assert {r.credentials for r in world.api.requests} == {("api_key", "email")}
        assert parse_timestamp(renewed["expires_at"]) == world.clock.now() + YEAR


def test_a_token_renewed_by_an_interrupted_up_is_recorded_without_refreshing_again(
    world: World, caplog: pytest.LogCaptureFixture
):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    # The killed `up` had sent its refresh, and Cloudflare carried it out.
    carried_out = world.clock.now() + YEAR + timedelta(microseconds=250_000)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"], expires_at=carried_out)
    world.clock.advance(hours=2)

    with caplog.at_level(logging.WARNING, logger="cloudflare_service_token"):
        recorded = world.engine.update(renewal_id, outputs, inputs)

    assert [r.operation for r in world.api.requests] == ["get"]
    assert recorded["expires_at"] == format_timestamp(carried_out)
    assert recorded.get("last_renewed_at") == outputs.get("last_renewed_at")
    assert world.engine.diff(renewal_id, recorded, inputs).changes is False
    assert "was renewed already" in caplog.text


def test_a_token_moved_but_still_inside_the_window_is_refreshed(world: World):
    renewal_id, inputs, outputs = deploy(world)
    world.clock.advance(days=340)
    a_little_later = world.clock.now() + timedelta(days=29)
    world.api.add_token(
        account_id=ACCOUNT_ID, token_id=inputs["token_id"], expires_at=a_little_later
    )

    renewed = world.engine.update(renewal_id, outputs, inputs)

    assert [r.operation for r in world.api.requests] == ["get", "refresh"]
    assert renewed["last_renewed_at"] == format_timestamp(world.clock.now())
