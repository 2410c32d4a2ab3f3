"""The local Cloudflare stand-in's service token, driven as the engine drives pulumi-cloudflare 6
against the fake API: the secret only from a create and kept after, an account or zone change
replaces, everything else updates, previews call nothing, Read and Delete take a 404 as gone, and
imports read `accounts/<id>/<token>` or `zones/<id>/<token>`."""

from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID
from tests.engine_shapes import Secret
from tests.local_cloudflare_harness import (
    POLICY_TYPE,
    TOKEN_TYPE,
    Answer,
    EngineClient,
    serve_local_cloudflare,
)

API_TOKEN = "sentinel-api-token-for-the-stand-in"
INPUTS = {"name": "ci", "accountId": ACCOUNT_ID, "duration": "8760h", "enabled": True}


@dataclass
class World:
    api: FakeCloudflareApi
    engine: EngineClient
    clock: FakeClock


@pytest.fixture
def world() -> Iterator[World]:
    clock = FakeClock(NOW)
    api = FakeCloudflareApi(api_token=API_TOKEN, now=clock.now)
    with api.serve() as base_url, serve_local_cloudflare() as engine:
        engine.configure({"baseUrl": base_url, "apiToken": Secret(API_TOKEN), "version": "6.23.1"})
        yield World(api, engine, clock)


def created(world: World, inputs: dict[str, object] = INPUTS) -> Answer:
    return world.engine.create(TOKEN_TYPE, inputs)


def policy_letting_in(token_id: str) -> dict[str, object]:
    """An Access policy's inputs whose service-token rule lets the token in."""
    return {
        "accountId": ACCOUNT_ID,
        "name": "ci",
        "decision": "non_identity",
        "includes": [{"serviceToken": {"tokenId": token_id}}],
    }


def test_create_returns_the_secret_once_and_marks_it_secret(world) -> None:
    token = created(world)

    assert token.values["id"] == token.id and token.id
    assert token.secret == {"clientSecret"}
    assert world.api.accepts(token.id, token.values["clientSecret"])
    assert token.values["clientId"].endswith(".access")
    assert token.values["expiresAt"] == "2027-11-23T12:00:00.123456Z"
    assert (token.values["name"], token.values["accountId"], token.values["zoneId"]) == (
        "ci",
        ACCOUNT_ID,
        None,
    )
    assert token.values["clientSecretVersion"] == 1.0
    assert [r.operation for r in world.api.requests] == ["create"]
    assert world.api.requests[0].body == {"name": "ci", "duration": "8760h", "enabled": True}


def test_a_zone_token_is_created_under_the_zone(world) -> None:
    token = created(world, {"name": "z", "zoneId": ZONE_ID})

    assert world.api.requests[0].path == f"/client/v4/zones/{ZONE_ID}/access/service_tokens"
    assert (token.values["zoneId"], token.values["accountId"]) == (ZONE_ID, None)


def test_a_preview_create_calls_nothing_and_leaves_what_cloudflare_decides_unknown(world) -> None:
    planned = world.engine.create(TOKEN_TYPE, {"name": "ci", "accountId": ACCOUNT_ID}, preview=True)

    assert world.api.requests == []
    assert planned.id == ""
    for output in ("id", "clientId", "clientSecret", "expiresAt", "enabled"):
        assert planned.values[output] is UNKNOWN, output
    assert "clientSecret" in planned.secret
    assert planned.values["name"] == "ci" and planned.values["duration"] == "8760h"
    assert planned.values["zoneId"] is None


def test_a_preview_create_takes_unknown_inputs(world) -> None:
    planned = world.engine.create(
        TOKEN_TYPE, {"name": UNKNOWN, "accountId": ACCOUNT_ID}, preview=True
    )

    assert world.api.requests == []
    assert planned.values["name"] is UNKNOWN


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"accountId": "1" * 32}, ["accountId"]),
        ({"accountId": None, "zoneId": ZONE_ID}, ["accountId", "zoneId"]),
        ({"name": "ci-2"}, []),
        ({"duration": "forever"}, []),
        ({"enabled": False}, []),
        ({"name": UNKNOWN}, []),
        ({"accountId": UNKNOWN}, ["accountId"]),
    ],
)
def test_an_account_or_zone_change_replaces_and_anything_else_updates(
    world, change, replaces
) -> None:
    token = created(world)
    news = {k: v for k, v in {**INPUTS, **change}.items() if v is not None}

    diff = world.engine.diff(TOKEN_TYPE, token, INPUTS, news)

    assert diff.some
    assert sorted(diff.replaces) == replaces
    assert diff.delete_before_replace is False


def test_the_same_inputs_and_the_defaults_left_out_are_no_change(world) -> None:
    token = created(world)

    same = world.engine.diff(TOKEN_TYPE, token, INPUTS, INPUTS)
    defaults_left_out = world.engine.diff(
        TOKEN_TYPE, token, INPUTS, {"name": "ci", "accountId": ACCOUNT_ID}
    )

    assert not same.some and not defaults_left_out.some
    assert same.replaces == [] and same.diffs == []


def test_leaving_out_a_duration_that_was_set_is_a_change_back_to_the_default(world) -> None:
    token = created(world, {**INPUTS, "duration": "forever"})

    diff = world.engine.diff(TOKEN_TYPE, token, INPUTS, {"name": "ci", "accountId": ACCOUNT_ID})

    assert diff.some and diff.diffs == ["duration"] and diff.replaces == []


def test_leaving_out_a_duration_that_was_set_updates_it_back_to_the_default(world) -> None:
    token = created(world, {**INPUTS, "duration": "forever"})
    news = {"name": "ci", "accountId": ACCOUNT_ID}

    updated = world.engine.update(TOKEN_TYPE, token, {**INPUTS, "duration": "forever"}, news)

    assert world.api.requests[-1].body == {"duration": "8760h"}
    assert updated.values["duration"] == "8760h"
    assert not world.engine.diff(TOKEN_TYPE, updated, news, news).some


# What the component asks: Cloudflare's secret version is the rotation resource's business.
IGNORED = ("clientSecretVersion", "previousClientSecretExpiresAt")


def rotated_behind_the_tokens_back(world: World, token: Answer) -> Answer:
    """The token rotated through its own endpoint, then refreshed: version 2 in the state."""
    world.api.handle(
        "POST",
        f"/client/v4/accounts/{ACCOUNT_ID}/access/service_tokens/{token.id}/rotate",
        {"authorization": f"Bearer {API_TOKEN}"},
        b"{}",
    )
    refreshed, _ = world.engine.read(TOKEN_TYPE, token.id, token.wire, INPUTS)
    assert refreshed.values["clientSecretVersion"] == 2.0
    return refreshed


def test_ignored_inputs_are_no_change_even_when_the_program_leaves_them_out(world) -> None:
    refreshed = rotated_behind_the_tokens_back(world, created(world))

    ignored = world.engine.diff(TOKEN_TYPE, refreshed, INPUTS, INPUTS, ignore_changes=IGNORED)
    not_ignored = world.engine.diff(TOKEN_TYPE, refreshed, INPUTS, INPUTS)

    assert not ignored.some
    assert not_ignored.some and not_ignored.diffs == ["clientSecretVersion"]


def test_an_update_sends_what_changed_and_nothing_ignored(world) -> None:
    refreshed = rotated_behind_the_tokens_back(world, created(world))
    news = {**INPUTS, "name": "ci-2"}

    planned = world.engine.update(
        TOKEN_TYPE, refreshed, INPUTS, news, preview=True, ignore_changes=IGNORED
    )
    updated = world.engine.update(TOKEN_TYPE, refreshed, INPUTS, news, ignore_changes=IGNORED)

    assert world.api.requests[-1].body == {"name": "ci-2"}
    assert planned.values["clientSecret"] == refreshed.values["clientSecret"]
    assert updated.values["clientSecretVersion"] == 2.0


def test_an_update_keeps_the_secret_from_state_and_marks_it_secret(world) -> None:
    token = created(world)

    updated = world.engine.update(TOKEN_TYPE, token, INPUTS, {**INPUTS, "name": "ci-2"})

    assert updated.values["clientSecret"] == token.values["clientSecret"]
    assert updated.secret == {"clientSecret"}
    assert (
        updated.values["name"] == "ci-2" and updated.values["clientId"] == token.values["clientId"]
    )
    assert [r.operation for r in world.api.requests] == ["create", "update"]
    assert world.api.token(token.id)["name"] == "ci-2"


def test_an_update_that_raises_the_secret_version_returns_the_new_secret(world) -> None:
    token = created(world)
    rotation = {"clientSecretVersion": 2, "previousClientSecretExpiresAt": "2026-11-24T12:00:00Z"}

    rotated = world.engine.update(TOKEN_TYPE, token, INPUTS, {**INPUTS, **rotation})

    secret = rotated.values["clientSecret"]
    assert secret != token.values["clientSecret"] and world.api.accepts(token.id, secret)
    assert rotated.secret == {"clientSecret"}
    assert rotated.values["clientSecretVersion"] == 2.0
    assert rotated.values["previousClientSecretExpiresAt"] == "2026-11-24T12:00:00Z"
    assert world.api.requests[-1].body["client_secret_version"] == 2


def test_a_preview_update_calls_nothing_keeps_the_secret_and_leaves_the_expiry_unknown(
    world,
) -> None:
    token = created(world)

    planned = world.engine.update(
        TOKEN_TYPE, token, INPUTS, {**INPUTS, "name": "ci-2"}, preview=True
    )

    assert [r.operation for r in world.api.requests] == ["create"]
    assert planned.values["name"] == "ci-2"
    assert planned.values["clientSecret"] == token.values["clientSecret"]
    assert "clientSecret" in planned.secret
    assert planned.values["expiresAt"] is UNKNOWN
    assert planned.values["clientId"] == token.values["clientId"]


def test_a_preview_of_a_rotation_leaves_the_new_secret_unknown(world) -> None:
    token = created(world)
    rotation = {"clientSecretVersion": 2, "previousClientSecretExpiresAt": "2026-11-24T12:00:00Z"}

    planned = world.engine.update(TOKEN_TYPE, token, INPUTS, {**INPUTS, **rotation}, preview=True)

    assert planned.values["clientSecret"] is UNKNOWN and "clientSecret" in planned.secret


def test_read_is_a_get_that_keeps_the_secret_from_state_and_reports_what_changed(world) -> None:
    token = created(world)
    world.clock.advance(days=30)
    world.api.handle(  # someone refreshes the token behind Pulumi's back
        "POST",
        f"/client/v4/accounts/{ACCOUNT_ID}/access/service_tokens/{token.id}/refresh",
        {"authorization": f"Bearer {API_TOKEN}"},
        b"",
    )

    outputs, inputs = world.engine.read(TOKEN_TYPE, token.id, token.wire, INPUTS)

    assert outputs.id == token.id
    assert outputs.values["clientSecret"] == token.values["clientSecret"]
    assert outputs.secret == {"clientSecret"}
    assert outputs.values["expiresAt"] == "2027-12-23T12:00:00.123456Z"
    assert inputs.values == INPUTS
    assert [r.operation for r in world.api.requests] == ["create", "refresh", "get"]


def test_read_reports_a_rename_behind_pulumis_back_in_the_inputs(world) -> None:
    token = created(world)
    world.api.handle(
        "PUT",
        f"/client/v4/accounts/{ACCOUNT_ID}/access/service_tokens/{token.id}",
        {"authorization": f"Bearer {API_TOKEN}"},
        b'{"name": "renamed"}',
    )

    outputs, inputs = world.engine.read(TOKEN_TYPE, token.id, token.wire, INPUTS)

    assert outputs.values["name"] == "renamed" and inputs.values["name"] == "renamed"


def test_read_of_a_token_that_is_gone_answers_an_empty_id(world) -> None:
    token = created(world)
    world.api.delete_token(token.id)

    outputs, inputs = world.engine.read(TOKEN_TYPE, token.id, token.wire, INPUTS)

    assert outputs.id == "" and outputs.wire == {} and inputs.wire == {}


@pytest.mark.parametrize(("scope", "scope_id"), [("accounts", ACCOUNT_ID), ("zones", ZONE_ID)])
def test_an_import_read_takes_the_scoped_id_and_returns_the_inputs_it_found(
    world, scope, scope_id
) -> None:
    scope_key = "accountId" if scope == "accounts" else "zoneId"
    existing = world.api.add_token(
        name="adopted", duration="17520h", **{scope_key[:-2] + "_id": scope_id}
    )

    outputs, inputs = world.engine.read(TOKEN_TYPE, f"{scope}/{scope_id}/{existing['id']}")

    assert outputs.id == existing["id"]
    assert outputs.values["clientId"] == existing["client_id"]
    assert outputs.values["clientSecret"] is None  # Cloudflare never returns it again
    assert inputs.values == {
        "name": "adopted",
        scope_key: scope_id,
        "duration": "17520h",
        "enabled": True,
        # No clientSecretVersion: the engine copies an ignored input from these into the
        # program's (the component ignores it), and Check refuses a version without a deadline.
    }
    assert [r.path for r in world.api.requests] == [
        f"/client/v4/{scope}/{scope_id}/access/service_tokens/{existing['id']}"
    ]


def test_an_imported_token_whose_inputs_match_the_program_shows_no_diff(world) -> None:
    existing = world.api.add_token(account_id=ACCOUNT_ID, name="ci")
    outputs, inputs = world.engine.read(TOKEN_TYPE, f"accounts/{ACCOUNT_ID}/{existing['id']}")

    diff = world.engine.diff(TOKEN_TYPE, outputs, inputs.values, INPUTS)

    assert not diff.some


def test_an_import_of_a_token_that_does_not_exist_answers_an_empty_id(world) -> None:
    missing = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"

    outputs, _ = world.engine.read(TOKEN_TYPE, f"accounts/{ACCOUNT_ID}/{missing}")

    assert outputs.id == ""


@pytest.mark.parametrize("import_id", ["just-a-token-id", f"users/{ACCOUNT_ID}/x", "accounts//x"])
def test_an_import_id_of_another_form_is_refused_with_the_forms_it_takes(world, import_id) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        world.engine.read(TOKEN_TYPE, import_id)

    assert "accounts/<account_id>/<token_id> or zones/<zone_id>/<token_id>" in str(
        refused.value.details()
    )
    assert world.api.requests == []


def test_delete_removes_the_token_and_a_token_already_gone_is_deleted(world) -> None:
    token = created(world)

    world.engine.delete(TOKEN_TYPE, token, INPUTS)
    world.engine.delete(TOKEN_TYPE, token, INPUTS)

    assert world.api.tokens() == []
    assert [r.operation for r in world.api.requests] == ["create", "delete", "delete"]


def test_deleting_a_token_a_policy_includes_fails_as_cloudflare_refuses_it(world) -> None:
    token = created(world)
    world.engine.create(POLICY_TYPE, policy_letting_in(token.id))

    with pytest.raises(grpc.RpcError) as refused:
        world.engine.delete(TOKEN_TYPE, token, INPUTS)

    details = str(refused.value.details())
    assert "error 12139: service_token_in_use" in details
    assert API_TOKEN not in details and token.values["clientSecret"] not in details
    assert world.api.token(token.id) is not None


def test_create_before_destroy_moves_the_policy_to_the_new_token_then_deletes_the_old(
    world,
) -> None:
    old = created(world)
    policy = world.engine.create(POLICY_TYPE, policy_letting_in(old.id))

    new = created(world, {**INPUTS, "name": "ci-next"})
    world.engine.update(POLICY_TYPE, policy, policy_letting_in(old.id), policy_letting_in(new.id))
    world.engine.delete(TOKEN_TYPE, old, INPUTS)

    assert [t["id"] for t in world.api.tokens()] == [new.id]
    assert [r.operation for r in world.api.requests] == [
        "create",
        "policy.create",
        "create",
        "policy.update",
        "delete",
    ]


def test_a_request_cloudflare_refuses_fails_with_its_code_and_no_credential(world) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        created(world, {**INPUTS, "duration": "365d"})

    details = str(refused.value.details())
    assert "Cloudflare refused POST" in details and "HTTP 400" in details and "12130" in details
    assert API_TOKEN not in details
