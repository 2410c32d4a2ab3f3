"""The fake Cloudflare API speaks the real SDK's language: tests that use it mean something."""

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import cloudflare
import pytest

from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi, Fault
from tests.conftest import ACCOUNT_ID, NOW, ZONE_ID

TOKEN = "fake-token"


@pytest.fixture
def fake() -> Iterator[tuple[FakeCloudflareApi, cloudflare.Cloudflare, FakeClock]]:
    clock = FakeClock(NOW)
    api = FakeCloudflareApi(api_token=TOKEN, now=clock.now)
    with api.serve() as base_url:
        client = cloudflare.Cloudflare(api_token=TOKEN, base_url=base_url, max_retries=0)
        yield api, client, clock
        client.close()


def test_create_get_list_update_delete_on_an_account(fake) -> None:
    api, client, _ = fake
    tokens = client.zero_trust.access.service_tokens

    created = tokens.create(account_id=ACCOUNT_ID, name="ci", duration="24h")
    assert created is not None and created.client_secret and created.id
    fetched = tokens.get(created.id, account_id=ACCOUNT_ID)
    listed = list(tokens.list(account_id=ACCOUNT_ID))
    updated = tokens.update(created.id, account_id=ACCOUNT_ID, name="ci-2")
    tokens.delete(created.id, account_id=ACCOUNT_ID)

    assert fetched is not None
    assert fetched.expires_at == NOW + api.latency + timedelta(hours=24)
    assert [t.id for t in listed] == [created.id]
    assert updated is not None and updated.name == "ci-2"
    assert api.token(created.id) is None
    # The SDK pages until it meets an empty page: two list requests for one page of tokens.
    assert [r.operation for r in api.requests] == [
        "create",
        "get",
        "list",
        "list",
        "update",
        "delete",
    ]


def test_the_secret_is_only_returned_by_create_and_rotation(fake) -> None:
    _, client, _ = fake
    tokens = client.zero_trust.access.service_tokens
    created = tokens.create(account_id=ACCOUNT_ID, name="ci")
    assert created is not None

    raw_get = tokens.with_raw_response.get(created.id or "", account_id=ACCOUNT_ID)
    rotated = tokens.rotate(created.id or "", account_id=ACCOUNT_ID)

    assert "client_secret" not in raw_get.http_response.json()["result"]
    assert rotated is not None and rotated.client_secret not in (None, created.client_secret)
    assert rotated.client_id == created.client_id


def test_refresh_extends_by_a_year_from_now_on_the_fake_clock(fake) -> None:
    api, client, clock = fake
    token = api.add_token(account_id=ACCOUNT_ID, expires_at=NOW + timedelta(days=3))
    clock.advance(days=2)

    refreshed = client.zero_trust.access.service_tokens.refresh(token["id"], account_id=ACCOUNT_ID)

    assert refreshed is not None
    assert refreshed.expires_at == NOW + timedelta(days=367) + api.latency


def test_zone_tokens_live_under_the_zone_and_have_no_refresh(fake) -> None:
    api, client, _ = fake
    tokens = client.zero_trust.access.service_tokens
    created = tokens.create(zone_id=ZONE_ID, name="zone")
    assert created is not None and created.id

    assert [t.id for t in tokens.list(zone_id=ZONE_ID)] == [created.id]
    assert list(tokens.list(account_id=ACCOUNT_ID)) == []
    status, _, _ = api.handle(
        "POST",
        f"/client/v4/zones/{ZONE_ID}/access/service_tokens/{created.id}/refresh",
        {"authorization": f"Bearer {TOKEN}"},
        b"",
    )
    assert status == 404


def test_errors_use_the_real_shapes(fake) -> None:
    api, client, _ = fake
    tokens = client.zero_trust.access.service_tokens

    with pytest.raises(cloudflare.NotFoundError) as missing:
        tokens.get("f174e90a-fafe-4643-bbbc-4a0ed4fc8415", account_id=ACCOUNT_ID)
    api.fail_next("list", Fault(429, 971, "Rate limited", retry_after="3"))
    with pytest.raises(cloudflare.RateLimitError) as limited:
        list(tokens.list(account_id=ACCOUNT_ID))

    assert missing.value.body == {
        "success": False,
        "errors": [{"code": 12135, "message": "Access service token not found"}],
        "messages": [],
        "result": None,
    }
    assert limited.value.response.headers["retry-after"] == "3"


def test_a_wrong_api_token_gets_401_and_the_log_keeps_no_credential(fake) -> None:
    api, _, _ = fake
    with api.serve() as base_url:
        stranger = cloudflare.Cloudflare(api_token="wrong", base_url=base_url, max_retries=0)
        with pytest.raises(cloudflare.AuthenticationError):
            list(stranger.zero_trust.access.service_tokens.list(account_id=ACCOUNT_ID))

    assert api.requests[-1].authorized is False
    assert "wrong" not in repr(api.requests)


def raw(api: FakeCloudflareApi, method: str, path: str, body: object = None, **headers: str):
    """One request straight to the fake's handler: status and decoded envelope."""
    payload = b"" if body is None else json.dumps(body).encode()
    status, _, answer = api.handle(
        method, path, {"authorization": f"Bearer {TOKEN}", **headers}, payload
    )
    return status, json.loads(answer)


TOKENS = f"/client/v4/accounts/{ACCOUNT_ID}/access/service_tokens"


@pytest.mark.parametrize(
    "duration",
    ["365d", "\u0668\u0667\u0666\u0660h", "++8760h", "2562048h", "99999999999h", "0s", "", 8760],
)
def test_a_duration_go_refuses_gets_cloudflares_400_with_an_error_code(fake, duration) -> None:
    api, client, _ = fake

    with pytest.raises(cloudflare.BadRequestError) as refused:
        client.zero_trust.access.service_tokens.create(
            account_id=ACCOUNT_ID, name="ci", duration=duration
        )

    assert refused.value.status_code == 400
    assert refused.value.body["errors"][0]["code"] == 12130  # type: ignore[index]
    assert api.calls("create") == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": 7},
        {"name": "ci", "enabled": "yes"},
        {"name": "ci", "client_secret_version": 0},
        {"name": "ci", "previous_client_secret_expires_at": "tomorrow"},
    ],
)
def test_a_body_cloudflare_would_refuse_is_refused(fake, body) -> None:
    api, _, _ = fake

    status, envelope = raw(api, "POST", TOKENS, body)

    assert status == 400
    assert envelope["success"] is False and envelope["errors"][0]["code"] == 12130


def test_an_id_that_is_not_an_id_cannot_be_routed(fake) -> None:
    api, _, _ = fake

    status, envelope = raw(api, "GET", "/client/v4/accounts/not-an-id/access/service_tokens")

    assert status == 400
    assert envelope["errors"][0]["code"] == 7003


def test_timestamps_carry_fractions_of_a_second_as_cloudflares_do(fake) -> None:
    _, client, _ = fake

    created = client.zero_trust.access.service_tokens.with_raw_response.create(
        account_id=ACCOUNT_ID, name="ci"
    )

    assert created.http_response.json()["result"]["expires_at"] == "2027-11-23T12:00:00.123456Z"


def test_a_forever_token_expires_about_a_century_out_and_refresh_keeps_that(fake) -> None:
    api, client, clock = fake
    tokens = client.zero_trust.access.service_tokens
    created = tokens.create(account_id=ACCOUNT_ID, name="ci", duration="forever")
    assert created is not None and created.id and created.expires_at
    clock.advance(days=30)

    refreshed = tokens.refresh(created.id, account_id=ACCOUNT_ID)

    century = NOW + api.latency + timedelta(hours=876_000)
    assert datetime.fromisoformat(str(created.expires_at).replace("Z", "+00:00")) == century
    assert refreshed is not None and refreshed.expires_at == century


def test_an_api_key_and_email_authenticate_as_the_sdk_sends_them() -> None:
    api = FakeCloudflareApi(api_key="global-key", email="ops@example.com", now=lambda: NOW)
    with api.serve() as base_url:
        client = cloudflare.Cloudflare(
            api_key="global-key", api_email="ops@example.com", base_url=base_url, max_retries=0
        )
        listed = list(client.zero_trust.access.service_tokens.list(account_id=ACCOUNT_ID))
        stranger = cloudflare.Cloudflare(
            api_key="global-key", api_email="else@example.com", base_url=base_url, max_retries=0
        )
        with pytest.raises(cloudflare.AuthenticationError):
            list(stranger.zero_trust.access.service_tokens.list(account_id=ACCOUNT_ID))

    assert listed == []
    assert [r.authorized for r in api.requests] == [True, False]


def test_the_previous_secret_is_accepted_until_its_deadline_and_not_after(fake) -> None:
    api, client, clock = fake
    tokens = client.zero_trust.access.service_tokens
    created = tokens.create(account_id=ACCOUNT_ID, name="ci")
    assert created is not None and created.id and created.client_secret
    rotated = tokens.rotate(
        created.id,
        account_id=ACCOUNT_ID,
        previous_client_secret_expires_at="2026-11-24T12:00:00Z",
    )
    assert rotated is not None and rotated.client_secret

    assert api.accepts(created.id, created.client_secret)
    assert api.accepts(created.id, rotated.client_secret)
    clock.set(NOW + timedelta(days=1))
    assert not api.accepts(created.id, created.client_secret)
    assert api.accepts(created.id, rotated.client_secret)


def test_a_rotation_without_a_deadline_drops_the_previous_secret_at_once(fake) -> None:
    api, client, _ = fake
    tokens = client.zero_trust.access.service_tokens
    created = tokens.create(account_id=ACCOUNT_ID, name="ci")
    assert created is not None and created.id and created.client_secret

    tokens.rotate(created.id, account_id=ACCOUNT_ID)

    assert not api.accepts(created.id, created.client_secret)


def test_faults_can_let_requests_through_first(fake) -> None:
    api, client, _ = fake
    api.fail_next("list", Fault(503), after=1)
    tokens = client.zero_trust.access.service_tokens

    tokens.list(account_id=ACCOUNT_ID)
    with pytest.raises(cloudflare.InternalServerError):
        tokens.list(account_id=ACCOUNT_ID)


def test_a_held_request_waits_for_its_release_then_makes_its_change():
    api = FakeCloudflareApi()
    token = api.add_token(account_id=ACCOUNT_ID, expires_at=NOW)
    hold = api.hold_next("refresh")
    answers: list[int] = []
    path = f"/client/v4/accounts/{ACCOUNT_ID}/access/service_tokens/{token['id']}/refresh"
    auth = {"authorization": f"Bearer {api.api_token}"}
    client = threading.Thread(
        target=lambda: answers.append(api.handle("POST", path, auth, b"{}")[0])
    )

    client.start()
    assert hold.arrived.wait(30)
    assert answers == []
    assert (api.token(token["id"]) or {})["expires_at"] == token["expires_at"]
    hold.release()
    client.join(30)

    assert answers == [200]
    assert (api.token(token["id"]) or {})["expires_at"] > token["expires_at"]
