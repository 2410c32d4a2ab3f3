"""The fake Cloudflare API's Access policies and notification policies, driven through the official
SDK: the stand-in provider's policy and alert calls meet Cloudflare's shapes and refusals."""

import json
from collections.abc import Iterator

import cloudflare
import pytest

from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi, Fault
from tests.conftest import ACCOUNT_ID, NOW

TOKEN = "fake-token"
OTHER_ACCOUNT = "0" * 32


@pytest.fixture
def fake() -> Iterator[tuple[FakeCloudflareApi, cloudflare.Cloudflare]]:
    api = FakeCloudflareApi(api_token=TOKEN, now=FakeClock(NOW).now)
    with api.serve() as base_url:
        client = cloudflare.Cloudflare(api_token=TOKEN, base_url=base_url, max_retries=0)
        yield api, client
        client.close()


def raw(api: FakeCloudflareApi, method: str, path: str, body: object = None):
    payload = b"" if body is None else json.dumps(body).encode()
    status, _, answer = api.handle(method, path, {"authorization": f"Bearer {TOKEN}"}, payload)
    return status, json.loads(answer)


POLICIES = f"/client/v4/accounts/{ACCOUNT_ID}/access/policies"
ALERTS = f"/client/v4/accounts/{ACCOUNT_ID}/alerting/v3/policies"


def service_auth(token_id: str) -> list[dict[str, dict[str, str]]]:
    return [{"service_token": {"token_id": token_id}}]


def test_access_policies_are_created_read_listed_replaced_and_deleted_under_the_account(
    fake,
) -> None:
    api, client = fake
    first = api.add_token(account_id=ACCOUNT_ID)["id"]
    second = api.add_token(account_id=ACCOUNT_ID)["id"]
    policies = client.zero_trust.access.policies

    created = policies.create(
        account_id=ACCOUNT_ID, name="ci", decision="non_identity", include=service_auth(first)
    )
    assert created is not None and created.id
    fetched = policies.get(created.id, account_id=ACCOUNT_ID)
    listed = [p.id for p in policies.list(account_id=ACCOUNT_ID)]
    elsewhere = list(policies.list(account_id=OTHER_ACCOUNT))
    updated = policies.update(
        created.id,
        account_id=ACCOUNT_ID,
        name="ci-2",
        decision="non_identity",
        include=service_auth(second),
    )
    policies.delete(created.id, account_id=ACCOUNT_ID)

    assert fetched is not None and fetched.name == "ci" and fetched.reusable is True
    assert fetched.session_duration == "24h"
    assert listed == [created.id] and elsewhere == []
    assert updated is not None and updated.name == "ci-2"
    assert updated.include is not None
    assert updated.include[0].service_token.token_id == second
    assert api.policies() == []
    assert [r.operation for r in api.requests] == [
        "policy.create",
        "policy.get",
        "policy.list",
        "policy.list",
        "policy.list",
        "policy.update",
        "policy.delete",
    ]


def test_a_service_token_rule_must_name_a_token_that_exists(fake) -> None:
    api, _ = fake

    status, envelope = raw(
        api,
        "POST",
        POLICIES,
        {
            "name": "ci",
            "decision": "non_identity",
            "include": service_auth("f174e90a-fafe-4643-bbbc-4a0ed4fc8415"),
        },
    )

    assert status == 400
    assert envelope["errors"][0]["code"] == 12130
    assert "is not a service token" in envelope["errors"][0]["message"]
    assert api.policies() == []


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "non_identity", "include": "TOKEN"},
        {"name": "ci", "decision": "let_me_in", "include": "TOKEN"},
        {"name": "ci", "decision": "non_identity"},
        {"name": "ci", "decision": "non_identity", "include": []},
        {"name": "ci", "decision": "non_identity", "include": [{"serviceToken": {"tokenId": "x"}}]},
        {"name": "ci", "decision": "non_identity", "include": "TOKEN", "session_duration": "1y"},
    ],
)
def test_an_access_policy_body_cloudflare_would_refuse_is_refused(fake, body) -> None:
    api, _ = fake
    token_id = api.add_token(account_id=ACCOUNT_ID)["id"]
    if body.get("include") == "TOKEN":
        body = {**body, "include": service_auth(token_id)}

    status, envelope = raw(api, "POST", POLICIES, body)

    assert status == 400
    assert envelope["success"] is False and envelope["errors"][0]["code"] == 12130


def test_deleting_a_token_an_access_policy_includes_is_refused_as_service_token_in_use(
    fake,
) -> None:
    api, client = fake
    token_id = api.add_token(account_id=ACCOUNT_ID)["id"]
    client.zero_trust.access.policies.create(
        account_id=ACCOUNT_ID, name="ci", decision="non_identity", include=service_auth(token_id)
    )

    with pytest.raises(cloudflare.BadRequestError) as refused:
        client.zero_trust.access.service_tokens.delete(token_id, account_id=ACCOUNT_ID)

    error = refused.value.body["errors"][0]  # type: ignore[index]
    assert error["code"] == 12139
    assert error["message"].startswith("service_token_in_use")
    assert api.token(token_id) is not None


def test_a_token_can_be_deleted_once_the_policy_points_at_its_successor(fake) -> None:
    api, client = fake
    old = api.add_token(account_id=ACCOUNT_ID)["id"]
    new = api.add_token(account_id=ACCOUNT_ID)["id"]
    policies = client.zero_trust.access.policies
    policy = policies.create(
        account_id=ACCOUNT_ID, name="ci", decision="non_identity", include=service_auth(old)
    )
    assert policy is not None and policy.id

    policies.update(
        policy.id,
        account_id=ACCOUNT_ID,
        name="ci",
        decision="non_identity",
        include=service_auth(new),
    )
    client.zero_trust.access.service_tokens.delete(old, account_id=ACCOUNT_ID)

    assert api.token(old) is None
    assert [t["id"] for t in api.tokens()] == [new]


def test_notification_policies_take_the_apis_keys_and_answer_with_the_id(fake) -> None:
    api, client = fake
    token_id = api.add_token(account_id=ACCOUNT_ID)["id"]
    alerting = client.alerting.policies

    created = alerting.create(
        account_id=ACCOUNT_ID,
        name="Service token expiring: ci",
        alert_type="expiring_service_token_alert",
        enabled=True,
        mechanisms={"email": [{"id": "ops@example.com"}]},
        filters={"token_id": [token_id]},
    )
    assert created is not None and created.id
    fetched = alerting.get(created.id, account_id=ACCOUNT_ID)
    updated = alerting.update(created.id, account_id=ACCOUNT_ID, name="renamed", enabled=False)
    after_update = api.alert(created.id)
    alerting.delete(created.id, account_id=ACCOUNT_ID)

    assert fetched is not None and fetched.alert_type == "expiring_service_token_alert"
    assert fetched.mechanisms is not None and fetched.mechanisms.email is not None
    assert [m.id for m in fetched.mechanisms.email] == ["ops@example.com"]
    assert fetched.filters is not None and fetched.filters.token_id == [token_id]
    assert updated is not None and updated.id == created.id
    assert after_update is not None
    assert (after_update["name"], after_update["enabled"]) == ("renamed", False)
    assert after_update["mechanisms"] == {"email": [{"id": "ops@example.com"}]}
    assert api.alerts() == []
    assert [r.operation for r in api.requests] == [
        "alert.create",
        "alert.get",
        "alert.update",
        "alert.delete",
    ]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"mechanisms": {"emails": [{"id": "ops@example.com"}]}}, "mechanisms.emails"),
        ({"filters": {"token_ids": ["x"]}}, "filters.token_ids"),
        ({"mechanisms": {"email": []}}, "at least one"),
        ({"mechanisms": {"email": [{"address": "ops@example.com"}]}}, "mechanisms.email"),
        ({"enabled": "yes"}, "enabled"),
        ({"alertType": "expiring_service_token_alert"}, "alert_type"),
    ],
)
def test_a_notification_policy_in_the_pulumi_providers_spelling_is_refused(
    fake, change, words
) -> None:
    api, _ = fake
    body = {
        "name": "n",
        "alert_type": "expiring_service_token_alert",
        "enabled": True,
        "mechanisms": {"email": [{"id": "ops@example.com"}]},
        **change,
    }
    if "alertType" in change:
        del body["alert_type"]

    status, envelope = raw(api, "POST", ALERTS, body)

    assert status == 400
    assert words in envelope["errors"][0]["message"]
    assert api.alerts() == []


def test_a_missing_policy_or_notification_policy_is_a_404(fake) -> None:
    api, client = fake
    missing = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"

    with pytest.raises(cloudflare.NotFoundError):
        client.zero_trust.access.policies.get(missing, account_id=ACCOUNT_ID)
    with pytest.raises(cloudflare.NotFoundError):
        client.alerting.policies.delete(missing, account_id=ACCOUNT_ID)

    assert [r.operation for r in api.requests] == ["policy.get", "alert.delete"]


def test_policies_of_another_account_are_not_found_there(fake) -> None:
    api, _ = fake
    token_id = api.add_token(account_id=ACCOUNT_ID)["id"]
    _, created = raw(
        api,
        "POST",
        POLICIES,
        {"name": "ci", "decision": "non_identity", "include": service_auth(token_id)},
    )

    status, _ = raw(
        api, "GET", f"/client/v4/accounts/{OTHER_ACCOUNT}/access/policies/{created['result']['id']}"
    )

    assert status == 404


def test_faults_and_the_401_apply_to_the_new_routes_and_the_log_keeps_no_credential(
    fake,
) -> None:
    api, client = fake
    api.fail_next("policy.list", Fault(503))
    with pytest.raises(cloudflare.InternalServerError):
        list(client.zero_trust.access.policies.list(account_id=ACCOUNT_ID))
    with api.serve() as base_url:
        stranger = cloudflare.Cloudflare(api_token="wrong-one", base_url=base_url, max_retries=0)
        with pytest.raises(cloudflare.AuthenticationError):
            stranger.alerting.policies.get("x", account_id=ACCOUNT_ID)

    assert [(r.operation, r.authorized) for r in api.requests] == [
        ("policy.list", True),
        ("alert.get", False),
    ]
    assert "wrong-one" not in repr(api.requests) and TOKEN not in repr(api.requests)


def test_an_account_id_that_is_not_an_id_cannot_be_routed_to_policies(fake) -> None:
    api, _ = fake

    status, envelope = raw(api, "GET", "/client/v4/accounts/nope/alerting/v3/policies")

    assert status == 400
    assert envelope["errors"][0]["message"].startswith(
        "Could not route to /accounts/nope/alerting/v3/policies"
    )
