"""Replace strategy and secret rotation: their clocks, driven through the servicer, and what the
token receives from them."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pulumi.output import Unknown

from cloudflare_service_token._renewal import format_timestamp
from tests.conftest import NOW
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


def test_rotation_sends_the_version_and_a_previous_secret_deadline_to_the_token(world: World):
    run = component_run(world.clock, secret_version=3, previous_secret_grace="48h")

    token = run.monitor.one(TOKEN).inputs
    assert token["clientSecretVersion"] == 3
    assert token["previousClientSecretExpiresAt"] == format_timestamp(NOW + timedelta(hours=48))


def test_the_previous_secret_deadline_is_stable_across_runs_until_the_next_rotation(world: World):
    inputs = dynamic_inputs(component_run(world.clock, secret_version=1), ROTATION)
    rotation_id, outputs = world.engine.up(inputs)
    world.clock.advance(days=10)

    unchanged = world.engine.diff(rotation_id, outputs, inputs)
    bumped = {**inputs, "secret_version": 2}
    rotated_diff = world.engine.diff(rotation_id, outputs, bumped)
    rotated = world.engine.update(rotation_id, outputs, bumped)
    world.clock.advance(days=1)

    assert unchanged.changes is False
    assert rotated_diff.changes is True
    assert rotated["rotated_at"] == format_timestamp(NOW + timedelta(days=10))
    assert rotated["previous_secret_expires_at"] == format_timestamp(
        NOW + timedelta(days=10, hours=24)
    )
    assert world.engine.diff(rotation_id, rotated, bumped).changes is False


def test_a_longer_grace_moves_the_deadline_from_the_original_rotation_time(world: World):
    inputs = dynamic_inputs(component_run(world.clock, secret_version=1), ROTATION)
    rotation_id, outputs = world.engine.up(inputs)
    world.clock.advance(hours=5)
    longer = {**inputs, "grace": "72h"}

    updated = world.engine.update(rotation_id, outputs, longer)

    assert updated["rotated_at"] == outputs["rotated_at"]
    assert updated["previous_secret_expires_at"] == format_timestamp(NOW + timedelta(hours=72))
