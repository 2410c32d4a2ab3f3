"""State written by every release keeps working with this code: the golden fixtures in
`tests/fixtures/state/` (one file per release, never regenerated) are read, diffed, updated and
deleted through the SDK's servicer exactly as the engine would, with their own `__provider`."""

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dill
import pytest

from cloudflare_service_token._renewal import parse_timestamp
from tests.conftest import ACCOUNT_ID
from tests.renewal_world import World, component_run, dynamic_inputs, renewal_world

FIXTURES = Path(__file__).parent / "fixtures" / "state"
# Where each provider class lives. State stores them by this path: it may never change.
PROVIDER_CLASSES = {
    "TokenRenewal": "cloudflare_service_token._providers.TokenRenewalProvider",
    "RenewalSchedule": "cloudflare_service_token._providers.RenewalScheduleProvider",
    "SecretRotation": "cloudflare_service_token._providers.SecretRotationProvider",
}


def records() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        document = json.loads(path.read_text())
        for record in document["records"]:
            found.append((f"{document['release']}/{record['resource']}/{record['stage']}", record))
    return found


RECORDS = records()
IDS = [name for name, _ in RECORDS]


@pytest.fixture
def world() -> Iterator[World]:
    with renewal_world() as world:
        yield world


def test_every_release_so_far_has_fixtures_for_each_resource():
    # The version being built counts: record its fixtures when bumping it
    # (scripts/record_state_fixtures.py).
    releases = {"0.1.0", "0.2.0", version("pulumi-cloudflare-service-token")}
    assert releases <= {path.stem for path in FIXTURES.glob("*.json")}
    kinds = {(name.split("/")[0], record["resource"]) for name, record in RECORDS}
    assert {(release, kind) for release in releases for kind in PROVIDER_CLASSES} <= kinds


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=IDS)
def test_the_stored_provider_still_loads_from_the_same_module_and_class(name, record):
    expected = PROVIDER_CLASSES[record["resource"]]
    why = (
        f"{name}: state stores this provider by reference, as {expected}. Stacks written by "
        f"that release could no longer be refreshed or destroyed: keep the class at that path "
        f"(an alias there is enough) and never rename it"
    )
    for side in ("inputs", "outputs"):
        try:
            provider = dill.loads(base64.b64decode(record[side]["__provider"]))  # noqa: S301
        except (AttributeError, ImportError) as error:
            pytest.fail(f"{why}; loading it failed: {error}")
        loaded_as = f"{type(provider).__module__}.{type(provider).__qualname__}"
        assert loaded_as == expected, f"{why}; it now loads as {loaded_as}"


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=IDS)
def test_read_returns_the_stored_state_and_calls_nothing(world: World, name, record):
    read_id, state = world.engine.read(record["id"], record["outputs"])

    assert read_id == record["id"]
    assert state == record["outputs"]
    assert world.api.calls() == 0


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=IDS)
def test_delete_succeeds_and_calls_nothing(world: World, name, record):
    world.engine.delete(record["id"], record["outputs"])

    assert world.api.calls() == 0


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=IDS)
def test_the_same_program_shows_no_diff_against_old_state(world: World, name, record):
    world.clock.set(parse_timestamp(record["recorded_at"].replace("+00:00", "Z")))
    news = current_inputs(world, record)

    checked = world.engine.check(record["inputs"], news)
    diff = world.engine.diff(record["id"], record["outputs"], checked)

    assert (diff.changes, diff.replaces) == (False, [])


def current_inputs(world: World, record: dict[str, Any]) -> dict[str, Any]:
    """What this release's component registers for the program that wrote the record: the
    stored inputs, plus any input added since, taken from a run of the current component."""
    kind = record["resource"]
    stored = record["inputs"]
    if kind == "TokenRenewal":
        args: dict[str, Any] = {"min_days_for_renewal": int(stored["min_days"])}
    elif kind == "RenewalSchedule":
        args = {"min_days_for_renewal": int(stored["min_days"]), "renewal_strategy": "replace"}
    else:
        args = {"secret_version": int(stored["secret_version"])}
    registered = dynamic_inputs(component_run(world.clock, **args), f":{kind}")
    # The token the record belongs to, not the one this run made up.
    return {**registered, **{k: v for k, v in stored.items() if k != "__provider"}}


def test_a_tracker_from_0_1_0_renews_when_due_with_one_call(world: World):
    record = fixture("0.1.0", "TokenRenewal", "created")
    world.api.add_token(account_id=ACCOUNT_ID, token_id=record["inputs"]["token_id"])
    world.clock.set(parse_timestamp(record["outputs"]["renew_after"]) + timedelta(days=1))
    news = world.engine.check(record["inputs"], current_inputs(world, record))

    assert world.engine.diff(record["id"], record["outputs"], news).changes is True
    renewed = world.engine.update(record["id"], record["outputs"], news)

    assert world.api.calls("refresh") == 1
    assert parse_timestamp(renewed["expires_at"]) == world.clock.now() + timedelta(days=365)


def test_a_schedule_from_0_1_0_replaces_the_token_when_due(world: World):
    record = fixture("0.1.0", "RenewalSchedule", "created")
    world.clock.set(parse_timestamp(record["outputs"]["expires_at"]) - timedelta(days=29))
    news = world.engine.check(record["inputs"], current_inputs(world, record))

    assert world.engine.diff(record["id"], record["outputs"], news).changes is True
    bumped = world.engine.update(record["id"], record["outputs"], news)

    assert bumped["generation"] == record["outputs"]["generation"] + 1
    assert world.api.calls() == 0


def test_a_rotation_from_0_1_0_rotates_nothing_on_upgrade_and_rotates_on_the_next_bump(
    world: World,
):
    """0.1.0 let the Cloudflare provider rotate; its record counts as the version reached."""
    record = fixture("0.1.0", "SecretRotation", "rotated")
    news = current_inputs(world, record)
    world.api.add_token(account_id=ACCOUNT_ID, token_id=news["token_id"])
    world.clock.set(datetime.fromisoformat(record["recorded_at"]) + timedelta(days=30))

    upgraded = world.engine.update(record["id"], record["outputs"], news)
    bumped = {**news, "secret_version": int(record["inputs"]["secret_version"]) + 1}
    diff = world.engine.diff(record["id"], upgraded, world.engine.check(news, bumped))
    rotated = world.engine.update(record["id"], upgraded, bumped)

    assert upgraded["token_id"] == news["token_id"]
    assert diff.changes is True and diff.replaces == []
    assert world.api.calls("rotate") == 1
    assert parse_timestamp(rotated["previous_secret_expires_at"]) == world.clock.now() + timedelta(
        hours=24
    )


def fixture(release: str, kind: str, stage: str) -> dict[str, Any]:
    return next(r for name, r in RECORDS if name == f"{release}/{kind}/{stage}")
