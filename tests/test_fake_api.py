"""The fake Cloudflare API speaks the real SDK's language: tests that use it mean something."""

from collections.abc import Iterator
from datetime import timedelta

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
