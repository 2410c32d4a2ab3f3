"""Replace strategy and secret rotation: their clocks, driven through the servicer, and what the
token receives from them."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pulumi
import pytest
from pulumi.output import Unknown

from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token._renewal_resources import RenewalSchedule
from cloudflare_service_token.testing import CloudflareMocks, run_program
from tests.conftest import ACCOUNT_ID, NOW
from tests.renewal_world import World, component_run, dynamic_inputs, renewal_world

SCHEDULE = ":RenewalSchedule"
ROTATION = ":SecretRotation"
TOKEN = ":ZeroTrustAccessServiceToken"


@pytest.fixture
def world() -> Iterator[World]:
    with renewal_world() as world:
        yield world


def test_the_replace_strategy_feeds_the_schedule_generation_to_the_tokens_replacement_trigger(
    world: World,
):
    run = component_run(world.clock, min_days_for_renewal=30, renewal_strategy="replace")

    token = run.monitor.one(TOKEN)
    assert token.replacement_trigger == 1
    assert token.delete_before_replace is False
    assert token.delete_before_replace_defined is True
    assert not run.monitor.find(":TokenRenewal")


def test_the_schedule_generation_reaches_the_program_as_an_int():
    # The engine's numbers arrive as floats; the SDK makes them ints from the declared type.
    def program() -> None:
        schedule = RenewalSchedule(
            "ci-schedule", duration="8760h", min_days=30, opts=pulumi.ResourceOptions()
        )
        pulumi.export("generation", schedule.generation)

    run = run_program(program, mocks=CloudflareMocks(now=NOW))

    assert type(run.outputs["generation"].value) is int


def test_in_preview_a_schedule_that_may_change_makes_the_trigger_unknown_so_preview_shows_replace(
    world: World,
):
    run = component_run(
        world.clock, preview=True, min_days_for_renewal=30, renewal_strategy="replace"
    )

    assert isinstance(run.monitor.one(TOKEN).replacement_trigger, Unknown)


def test_the_schedule_generation_changes_exactly_when_renewal_is_due(world: World):
    inputs = dynamic_inputs(
        component_run(world.clock, min_days_for_renewal=30, renewal_strategy="replace"), SCHEDULE
    )
    schedule_id, outputs = world.engine.up(inputs)
    assert outputs["generation"] == 1
    assert outputs["expires_at"] == format_timestamp(NOW + timedelta(days=365))

    world.clock.set(NOW + timedelta(days=335, seconds=-1))
    quiet = world.engine.diff(schedule_id, outputs, inputs)
    world.clock.set(NOW + timedelta(days=335))
    due = world.engine.diff(schedule_id, outputs, inputs)
    renewed = world.engine.update(schedule_id, outputs, inputs)

    assert (quiet.changes, due.changes) == (False, True)
    assert renewed["generation"] == 2
    assert renewed["started_at"] == format_timestamp(world.clock.now())
    assert renewed["expires_at"] == format_timestamp(world.clock.now() + timedelta(days=365))
    assert world.engine.diff(schedule_id, renewed, inputs).changes is False
    assert world.api.calls() == 0


def test_a_new_window_applies_without_an_update_so_preview_shows_no_replacement(world: World):
    inputs = dynamic_inputs(
        component_run(world.clock, min_days_for_renewal=30, renewal_strategy="replace"), SCHEDULE
    )
    schedule_id, outputs = world.engine.up(inputs)
    wider = {**inputs, "min_days": 60}

    assert world.engine.diff(schedule_id, outputs, wider).changes is False
    world.clock.set(NOW + timedelta(days=305))
    assert world.engine.diff(schedule_id, outputs, wider).changes is True
    assert world.engine.update(schedule_id, outputs, wider)["generation"] == 2


def test_a_shorter_duration_brings_the_predicted_expiry_forward_a_longer_one_does_not(
    world: World,
):
    inputs = dynamic_inputs(
        component_run(world.clock, min_days_for_renewal=30, renewal_strategy="replace"), SCHEDULE
    )
    schedule_id, outputs = world.engine.up(inputs)
    shorter, longer = {**inputs, "duration": "4380h"}, {**inputs, "duration": "17520h"}

    assert world.engine.diff(schedule_id, outputs, longer).changes is False
    assert world.engine.diff(schedule_id, outputs, shorter).changes is True
    updated = world.engine.update(schedule_id, outputs, shorter)

    assert updated["generation"] == 1
    assert updated["expires_at"] == format_timestamp(NOW + timedelta(hours=4380))


def test_the_component_derives_renew_after_from_the_schedule_and_its_own_window(world: World):
    run = component_run(world.clock, min_days_for_renewal=45, renewal_strategy="replace")

    assert run.outputs["renew_after"].value == format_timestamp(NOW + timedelta(days=320))


def test_rotation_is_a_resource_after_the_token_and_the_provider_never_rotates(world: World):
    run = component_run(world.clock, secret_version=3, previous_secret_grace="48h")

    token = run.monitor.one(TOKEN)
    rotation = run.monitor.one(ROTATION)
    assert "clientSecretVersion" not in token.inputs
    assert "previousClientSecretExpiresAt" not in token.inputs
    assert token.urn in rotation.dependencies
    assert rotation.inputs["token_id"] == run.outputs["token_id"].value
    assert (rotation.inputs["secret_version"], rotation.inputs["grace"]) == (3, "48h")
    assert rotation.additional_secret_outputs == ["client_secret"]


def test_a_token_from_before_0_2_keeps_its_rotation_fields_and_shows_no_diff(world: World):
    run = component_run(world.clock, secret_version=2)

    ignored = run.monitor.one(TOKEN).ignore_changes
    assert ignored == ["clientSecretVersion", "previousClientSecretExpiresAt"]


def rotation_resource(world: World, **args: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A first `up` with rotation on: the token exists in (fake) Cloudflare; check, create."""
    inputs = dynamic_inputs(component_run(world.clock, **args), ROTATION)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"])
    rotation_id, outputs = world.engine.up(inputs)
    return rotation_id, inputs, outputs


def test_tracking_starts_without_rotating_and_an_unchanged_version_is_no_diff(world: World):
    rotation_id, inputs, outputs = rotation_resource(world, secret_version=1)
    world.clock.advance(days=10)

    assert outputs.get("client_secret") is None
    assert outputs.get("rotated_at") is None
    assert world.engine.diff(rotation_id, outputs, inputs).changes is False
    # One read when tracking starts (Cloudflare's view, for the first rotation to compare with).
    assert [r.operation for r in world.api.requests] == ["get"]


def test_a_higher_version_is_a_diff_and_the_update_rotates_once_with_a_fresh_deadline(
    world: World,
):
    rotation_id, inputs, outputs = rotation_resource(world, secret_version=1)
    world.clock.advance(days=10)
    bumped = world.engine.check(inputs, {**inputs, "secret_version": 2})

    before = world.api.calls()
    diff = world.engine.diff(rotation_id, outputs, bumped)
    assert world.api.calls() == before
    rotated = world.engine.update(rotation_id, outputs, bumped)

    assert diff.changes is True and diff.replaces == []
    assert world.api.calls("rotate") == 1
    assert rotated["rotated_at"] == format_timestamp(world.clock.now())
    assert rotated["previous_secret_expires_at"] == format_timestamp(
        world.clock.now() + timedelta(hours=24)
    )
    assert rotated["client_secret"]
    assert world.api.accepts(inputs["token_id"], rotated["client_secret"])
    world.clock.advance(days=1)
    assert world.engine.diff(rotation_id, rotated, bumped).changes is False


def test_a_new_grace_is_recorded_and_applies_from_the_next_rotation(world: World):
    rotation_id, inputs, outputs = rotation_resource(world, secret_version=1)
    rotated = world.engine.update(rotation_id, outputs, {**inputs, "secret_version": 2})
    world.clock.advance(hours=5)
    longer = {**inputs, "secret_version": 2, "grace": "72h"}

    diff = world.engine.diff(rotation_id, rotated, longer)
    recorded = world.engine.update(rotation_id, rotated, longer)

    assert diff.changes is True
    assert world.api.calls("rotate") == 1
    assert recorded["grace"] == "72h"
    assert recorded["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    assert recorded["client_secret"] == rotated["client_secret"]


def test_a_lower_version_fails_check_naming_the_version_reached(world: World):
    _, inputs, _ = rotation_resource(world, secret_version=3)

    with pytest.raises(
        AssertionError, match=r"lower than the version the secret already has \(3\)"
    ):
        world.engine.check(inputs, {**inputs, "secret_version": 2})


def test_a_new_token_replaces_the_rotation_which_starts_afresh_with_one_read(world: World):
    rotation_id, inputs, outputs = rotation_resource(world, secret_version=4)
    new_token_id = "a3b1c2d4-0000-4000-8000-000000000001"
    world.api.add_token(account_id=ACCOUNT_ID, token_id=new_token_id)
    new_token = {**inputs, "token_id": new_token_id}
    before = world.api.calls()

    diff = world.engine.diff(rotation_id, outputs, new_token)
    _, created = world.engine.create(world.engine.check(inputs, new_token))

    assert diff.replaces == ["token_id"]
    assert created.get("client_secret") is None
    assert [r.operation for r in world.api.requests[before:]] == ["get"]
    assert world.api.calls("rotate") == 0
