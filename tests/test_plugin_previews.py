"""Previews through the plugin: the engine calls Create and Update with `preview` set and sends
inputs it does not know yet as unknowns. The plugin answers unknown for what those inputs decide,
never null, and never fails for lack of them."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from cloudflare_service_token._machines import (
    UNKNOWN,
    RenewalSchedule,
    SecretRotation,
    TokenRenewal,
)
from cloudflare_service_token._renewal import format_timestamp
from tests.conftest import ACCOUNT_ID, NOW
from tests.machine_inputs import DAY, TOKEN_ID, rotation, schedule, tracker
from tests.plugin_harness import ROTATION, SCHEDULE, TRACKER, PluginClient, serve_configured_plugin

TRACKED = {
    "tokenId": TOKEN_ID,
    "accountId": ACCOUNT_ID,
    "tokenExpiresAt": format_timestamp(NOW + 365 * DAY),
    "minDays": 30,
}


@pytest.fixture
def client() -> Iterator[PluginClient]:
    with serve_configured_plugin() as served:
        yield served


def test_a_new_tokens_tracker_previews_its_expiry_and_renewal_as_unknown(client: PluginClient):
    # A token created in the same `up`: neither its id nor its expiry is known in the preview.
    shown = client.create(
        TRACKER, {**TRACKED, "tokenId": UNKNOWN, "tokenExpiresAt": UNKNOWN}, preview=True
    )

    assert shown.properties["expiresAt"] is UNKNOWN
    assert shown.properties["renewAfter"] is UNKNOWN
    assert shown.properties["lastRenewedAt"] is UNKNOWN
    assert shown.properties["minDays"] == 30


def test_a_changing_tokens_tracker_previews_its_expiry_and_renewal_as_unknown(
    client: PluginClient,
):
    created = client.create(TRACKER, TRACKED)

    shown = client.update(
        TRACKER,
        created.id,
        created.properties,
        {**TRACKED, "tokenExpiresAt": UNKNOWN},
        preview=True,
    )

    assert shown.properties["expiresAt"] is UNKNOWN
    assert shown.properties["renewAfter"] is UNKNOWN


def test_a_tracker_with_an_unknown_window_previews_without_failing(client: PluginClient):
    shown = client.create(TRACKER, {**TRACKED, "minDays": UNKNOWN}, preview=True)

    assert shown.properties["renewAfter"] is UNKNOWN


def test_a_schedule_with_an_unknown_duration_previews_without_failing(client: PluginClient):
    created = client.create(SCHEDULE, {"duration": "8760h", "minDays": 30})

    new = client.create(SCHEDULE, {"duration": UNKNOWN, "minDays": 30}, preview=True)
    changed = client.update(
        SCHEDULE,
        created.id,
        created.properties,
        {"duration": UNKNOWN, "minDays": 30},
        preview=True,
    )

    assert new.properties["expiresAt"] is UNKNOWN
    assert changed.properties["generation"] is UNKNOWN


def test_a_rotation_with_an_unknown_version_previews_without_failing(client: PluginClient):
    news = {"tokenId": TOKEN_ID, "accountId": ACCOUNT_ID, "secretVersion": 1, "grace": "24h"}
    created = client.create(ROTATION, news)

    shown = client.update(
        ROTATION,
        created.id,
        created.properties,
        {**news, "secretVersion": UNKNOWN},
        preview=True,
        secrets=("clientSecret",),
    )

    assert shown.properties["clientSecret"] is UNKNOWN
    assert "clientSecret" in shown.secret


# -- the decision, in the machines ----------------------------------------------------------


@pytest.mark.parametrize(
    ("machine", "news"),
    [
        (TokenRenewal, tracker(token_expires_at=UNKNOWN)),
        (TokenRenewal, tracker(min_days=UNKNOWN)),
        (RenewalSchedule, schedule(duration=UNKNOWN)),
        (SecretRotation, rotation(secret_version=UNKNOWN)),
    ],
)
def test_an_unknown_input_plans_no_call_and_unknown_outputs(machine, news):
    created = machine.create(news, NOW)

    assert created.call is None
    assert {key: created.preview()[key] for key in machine.outputs} == dict.fromkeys(
        machine.outputs, UNKNOWN
    )


def test_an_update_with_an_unknown_input_plans_no_call_and_unknown_outputs():
    olds = TokenRenewal.create(tracker(), NOW).outputs(None)

    updated = TokenRenewal.update(
        olds, tracker(token_expires_at=UNKNOWN), NOW + timedelta(days=340)
    )

    assert updated.call is None
    assert updated.preview()["expires_at"] is UNKNOWN
