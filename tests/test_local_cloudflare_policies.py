"""The local Cloudflare stand-in's Access policy and notification policy, driven as the engine
drives pulumi-cloudflare 6: pulumi-cloudflare's names on the wire, the API's names in the calls,
an account change replaces, anything else updates, previews call nothing, Read and Delete take a
404 as gone."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import Secret
from tests.local_cloudflare_harness import (
    ALERT_TYPE,
    POLICY_TYPE,
    Answer,
    EngineClient,
    serve_local_cloudflare,
)

API_TOKEN = "sentinel-api-token-for-the-stand-in"


@dataclass
class World:
    api: FakeCloudflareApi
    engine: EngineClient
    token_id: str

    def policy_inputs(self, **change: object) -> dict[str, object]:
        inputs = {
            "accountId": ACCOUNT_ID,
            "name": "ci service auth",
            "decision": "non_identity",
            "includes": [{"serviceToken": {"tokenId": self.token_id}}],
        }
        return {**inputs, **change}

    def alert_inputs(self, **change: object) -> dict[str, object]:
        inputs = {
            "accountId": ACCOUNT_ID,
            "name": "Service token expiring: ci",
            "alertType": "expiring_service_token_alert",
            "mechanisms": {"emails": [{"id": "ops@example.com"}]},
            "filters": {"tokenIds": [self.token_id]},
        }
        return {**inputs, **change}


@pytest.fixture
def world() -> Iterator[World]:
    api = FakeCloudflareApi(api_token=API_TOKEN, now=FakeClock(NOW).now)
    token_id = api.add_token(account_id=ACCOUNT_ID, name="ci")["id"]
    with api.serve() as base_url, serve_local_cloudflare() as engine:
        engine.configure({"baseUrl": base_url, "apiToken": Secret(API_TOKEN)})
        yield World(api, engine, token_id)


def policy(world: World) -> Answer:
    return world.engine.create(POLICY_TYPE, world.policy_inputs())


def alert(world: World) -> Answer:
    return world.engine.create(ALERT_TYPE, world.alert_inputs())


# -- Access policy -------------------------------------------------------------------------------


def test_a_policy_is_created_with_the_apis_rule_names_and_answers_in_pulumis(world) -> None:
    created = policy(world)

    stored = world.api.policy(created.id)
    assert stored is not None and stored["account_id"] == ACCOUNT_ID
    assert stored["include"] == [{"service_token": {"token_id": world.token_id}}]
    assert world.api.requests[0].body == {
        "name": "ci service auth",
        "decision": "non_identity",
        "include": [{"service_token": {"token_id": world.token_id}}],
        "exclude": [],
        "require": [],
    }
    assert created.values["includes"] == [{"serviceToken": {"tokenId": world.token_id}}]
    assert created.values["id"] == created.id and created.values["reusable"] is True
    assert created.values["sessionDuration"] == "24h"
    assert created.secret == frozenset()


def test_a_preview_policy_calls_nothing_and_keeps_an_unknown_token_id(world) -> None:
    planned = world.engine.create(
        POLICY_TYPE,
        world.policy_inputs(includes=[{"serviceToken": {"tokenId": UNKNOWN}}]),
        preview=True,
    )

    assert world.api.requests == []
    assert planned.id == "" and planned.values["id"] is UNKNOWN
    assert planned.values["includes"] == [{"serviceToken": {"tokenId": UNKNOWN}}]


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"accountId": "1" * 32}, ["accountId"]),
        ({"name": "renamed"}, []),
        ({"includes": [{"serviceToken": {"tokenId": UNKNOWN}}]}, []),
        ({"excludes": [{"everyone": {}}]}, []),
    ],
)
def test_a_policys_account_change_replaces_it_and_anything_else_updates(
    world, change, replaces
) -> None:
    created = policy(world)

    diff = world.engine.diff(
        POLICY_TYPE, created, world.policy_inputs(), world.policy_inputs(**change)
    )

    assert diff.some and diff.replaces == replaces and diff.delete_before_replace is False


def test_a_policy_with_the_same_rules_is_no_change(world) -> None:
    created = policy(world)

    diff = world.engine.diff(POLICY_TYPE, created, world.policy_inputs(), world.policy_inputs())

    assert not diff.some


def test_a_policy_update_puts_the_whole_policy(world) -> None:
    created = policy(world)
    other = world.api.add_token(account_id=ACCOUNT_ID, name="next")["id"]
    moved = world.policy_inputs(includes=[{"serviceToken": {"tokenId": other}}])

    updated = world.engine.update(POLICY_TYPE, created, world.policy_inputs(), moved)

    assert updated.values["includes"] == [{"serviceToken": {"tokenId": other}}]
    assert world.api.requests[-1].method == "PUT"
    assert world.api.policy(created.id)["include"] == [{"service_token": {"token_id": other}}]


def test_a_policy_read_reports_it_and_a_policy_gone_answers_an_empty_id(world) -> None:
    created = policy(world)

    outputs, inputs = world.engine.read(
        POLICY_TYPE, created.id, created.wire, world.policy_inputs()
    )
    world.api.delete_policy(created.id)
    gone, _ = world.engine.read(POLICY_TYPE, created.id, created.wire, world.policy_inputs())

    assert outputs.values == created.values and inputs.values == world.policy_inputs()
    assert gone.id == ""


def test_a_policy_is_imported_by_account_and_policy_id(world) -> None:
    created = policy(world)

    outputs, inputs = world.engine.read(POLICY_TYPE, f"{ACCOUNT_ID}/{created.id}")

    assert outputs.id == created.id
    assert inputs.values == {**world.policy_inputs(), "sessionDuration": "24h"}


def test_a_policy_delete_removes_it_and_one_already_gone_is_deleted(world) -> None:
    created = policy(world)

    world.engine.delete(POLICY_TYPE, created, world.policy_inputs())
    world.engine.delete(POLICY_TYPE, created, world.policy_inputs())

    assert world.api.policies() == []
    assert [r.operation for r in world.api.requests] == [
        "policy.create",
        "policy.delete",
        "policy.delete",
    ]


def test_policy_inputs_the_stand_in_does_not_model_are_refused_by_check(world) -> None:
    failures = world.engine.check(
        POLICY_TYPE, world.policy_inputs(approvalRequired=True, decision="let_me_in")
    )

    assert [prop for prop, _ in failures] == ["approvalRequired", "decision"]
    assert "not modeled by the local Cloudflare stand-in" in failures[0][1]


def test_a_policy_without_its_required_inputs_fails_check(world) -> None:
    failures = world.engine.check(POLICY_TYPE, {"name": "x"})

    assert sorted(prop for prop, _ in failures) == ["accountId", "decision"]


# -- notification policy -------------------------------------------------------------------------


def test_an_alert_is_created_with_the_apis_names_and_answers_in_pulumis(world) -> None:
    created = alert(world)

    assert world.api.requests[0].body == {
        "name": "Service token expiring: ci",
        "alert_type": "expiring_service_token_alert",
        "enabled": True,
        "mechanisms": {"email": [{"id": "ops@example.com"}]},
        "filters": {"token_id": [world.token_id]},
    }
    assert created.values["mechanisms"] == {"emails": [{"id": "ops@example.com"}]}
    assert created.values["filters"] == {"tokenIds": [world.token_id]}
    assert created.values["id"] == created.id and created.values["enabled"] is True
    assert [r.operation for r in world.api.requests] == ["alert.create"]


def test_a_preview_alert_calls_nothing(world) -> None:
    planned = world.engine.create(
        ALERT_TYPE, world.alert_inputs(filters={"tokenIds": [UNKNOWN]}), preview=True
    )

    assert world.api.requests == []
    assert planned.values["id"] is UNKNOWN
    assert planned.values["filters"] == {"tokenIds": [UNKNOWN]}


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"accountId": "1" * 32}, ["accountId"]),
        ({"name": "renamed"}, []),
        ({"mechanisms": {"emails": [{"id": "oncall@example.org"}]}}, []),
        ({"filters": {"tokenIds": [UNKNOWN]}}, []),
    ],
)
def test_an_alerts_account_change_replaces_it_and_anything_else_updates(
    world, change, replaces
) -> None:
    created = alert(world)

    diff = world.engine.diff(
        ALERT_TYPE, created, world.alert_inputs(), world.alert_inputs(**change)
    )

    assert diff.some and diff.replaces == replaces


def test_an_alert_with_the_same_inputs_is_no_change(world) -> None:
    created = alert(world)

    assert not world.engine.diff(
        ALERT_TYPE, created, world.alert_inputs(), world.alert_inputs()
    ).some


def test_an_alert_update_and_read(world) -> None:
    created = alert(world)
    changed = world.alert_inputs(mechanisms={"emails": [{"id": "oncall@example.org"}]})

    updated = world.engine.update(ALERT_TYPE, created, world.alert_inputs(), changed)
    outputs, inputs = world.engine.read(ALERT_TYPE, created.id, updated.wire, changed)

    assert updated.values["mechanisms"] == {"emails": [{"id": "oncall@example.org"}]}
    assert world.api.alert(created.id)["mechanisms"] == {"email": [{"id": "oncall@example.org"}]}
    assert outputs.values["mechanisms"] == changed["mechanisms"]
    assert outputs.values["created"] and outputs.values["modified"]
    assert inputs.values == changed
    assert [r.operation for r in world.api.requests] == [
        "alert.create",
        "alert.update",
        "alert.get",
    ]


def test_an_alert_gone_reads_as_an_empty_id_and_deletes_quietly(world) -> None:
    created = alert(world)
    world.api.delete_alert(created.id)

    gone, _ = world.engine.read(ALERT_TYPE, created.id, created.wire, world.alert_inputs())
    world.engine.delete(ALERT_TYPE, created, world.alert_inputs())

    assert gone.id == ""
    assert [r.operation for r in world.api.requests] == [
        "alert.create",
        "alert.get",
        "alert.delete",
    ]


def test_an_alert_is_imported_by_account_and_policy_id(world) -> None:
    created = alert(world)

    outputs, inputs = world.engine.read(ALERT_TYPE, f"{ACCOUNT_ID}/{created.id}")

    assert outputs.id == created.id
    assert inputs.values == {**world.alert_inputs(), "enabled": True}


def test_alert_mechanisms_and_filters_the_stand_in_does_not_model_are_refused_by_check(
    world,
) -> None:
    failures = world.engine.check(
        ALERT_TYPE,
        world.alert_inputs(
            mechanisms={"emails": [{"id": "ops@example.com"}], "slack": [{"id": "x"}]},
            filters={"tokenIds": [world.token_id], "zones": ["z"]},
        ),
    )

    assert [prop for prop, _ in failures] == ["mechanisms.slack", "filters.zones"]
