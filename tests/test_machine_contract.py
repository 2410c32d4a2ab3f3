"""The state machines' contract, verb by verb, as both hosts rely on it: the ids and property
names saved in state, what Check reports, what Diff decides with unknown inputs, and what a
preview leaves unknown. Pure calls: (olds, news, now) in, decisions out."""

from datetime import timedelta
from typing import Any

import pytest
from pulumi.runtime.rpc import wrap_rpc_secret

from cloudflare_service_token._durations import parse_duration
from cloudflare_service_token._errors import ServiceTokenConfigError
from cloudflare_service_token._machines import (
    UNKNOWN,
    Diff,
    Failure,
    Plan,
    RenewalError,
    RenewalSchedule,
    Rotate,
    SecretRotation,
    TokenRenewal,
)
from cloudflare_service_token._providers import TokenRenewalProvider, _carry_out, _plain
from cloudflare_service_token._renewal import (
    MAX_WINDOW_DAYS,
    check_renewal_window,
    format_timestamp,
    renew_after_text,
)
from tests.conftest import ACCOUNT_ID, NOW
from tests.machine_inputs import DAY, TOKEN_ID, rotation, schedule, tracker


def rotated_state(version: int = 2, at: str = "2026-11-20T12:00:00Z") -> dict[str, Any]:
    return {
        **rotation(secret_version=version),
        "rotated_at": at,
        "previous_secret_expires_at": "2026-11-21T12:00:00Z",
        "client_secret": "s3cret",
    }


# -- ids saved in state ----------------------------------------------------------------------


def test_resource_ids_are_the_ones_saved_in_state():
    assert TokenRenewal.resource_id({"token_id": TOKEN_ID}) == f"renewal-{TOKEN_ID}"
    assert RenewalSchedule.resource_id(schedule()) == "renewal-schedule"
    assert SecretRotation.resource_id(rotation()) == "secret-rotation"


# -- Check -----------------------------------------------------------------------------------


def test_a_bad_schedule_duration_is_reported_with_the_parser_s_own_message():
    with pytest.raises(ServiceTokenConfigError) as parsed:
        parse_duration("1 year")

    failures = RenewalSchedule.check({}, schedule(duration="1 year"))

    assert failures == [Failure("duration", str(parsed.value))]


def test_an_unknown_duration_is_not_checked_yet():
    assert RenewalSchedule.check({}, schedule(duration=UNKNOWN)) == []


def test_a_secret_version_below_one_says_what_it_must_be():
    assert SecretRotation.check({}, rotation(secret_version=0)) == [
        Failure("secret_version", "must be a whole number, 1 or more")
    ]


def test_a_forever_grace_is_refused_as_not_finite():
    assert SecretRotation.check({}, rotation(grace="forever")) == [
        Failure("grace", "must be a finite Go duration, not forever")
    ]


def test_a_bad_grace_is_reported_under_its_argument_name():
    with pytest.raises(ServiceTokenConfigError) as parsed:
        parse_duration("soon", "previous_secret_grace")

    assert SecretRotation.check({}, rotation(grace="soon")) == [Failure("grace", str(parsed.value))]


def test_unknown_rotation_inputs_are_not_checked_yet():
    assert SecretRotation.check({}, rotation(secret_version=UNKNOWN, grace=UNKNOWN)) == []


def test_a_lower_version_is_refused_with_the_versions_to_use_instead():
    failures = SecretRotation.check(rotated_state(version=3), rotation(secret_version=2))

    assert failures == [
        Failure(
            "secret_version",
            "(2) is lower than the version the secret already has (3); it only counts up: set "
            "it to 3, or 4 to rotate again",
        )
    ]


def test_version_one_after_two_is_refused():
    assert SecretRotation.check(rotated_state(version=2), rotation(secret_version=1))


def test_a_new_token_starts_counting_afresh():
    olds = rotated_state(version=3)

    assert SecretRotation.check(olds, rotation(token_id="another", secret_version=1)) == []


def test_state_from_0_1_0_without_a_token_id_still_only_counts_up():
    olds = {"secret_version": 3, "grace": "24h"}

    assert SecretRotation.check(olds, rotation(token_id="any", secret_version=2))


# -- Diff ------------------------------------------------------------------------------------


def test_a_schedule_with_an_unknown_input_reports_a_change():
    olds = {**schedule(), "generation": 1, "started_at": format_timestamp(NOW)}

    assert RenewalSchedule.diff(olds, schedule(duration=UNKNOWN), NOW) == Diff(changes=True)


def test_a_rotation_of_another_token_is_replaced():
    decided = SecretRotation.diff(rotated_state(), rotation(token_id="another"), NOW)

    assert decided == Diff(changes=True, replaces=("token_id",))


def test_a_rotation_with_an_unknown_version_reports_a_change():
    decided = SecretRotation.diff(rotated_state(), rotation(secret_version=UNKNOWN), NOW)

    assert decided == Diff(changes=True)


# -- the schedule's plans --------------------------------------------------------------------


def test_a_new_schedule_previews_its_start_as_unknown_and_records_it_in_up():
    plan = RenewalSchedule.create(schedule(), NOW)

    assert plan.call is None
    assert plan.preview() == {
        "duration": "8760h",
        "min_days": 30,
        "generation": 1,
        "started_at": UNKNOWN,
        "expires_at": UNKNOWN,
    }
    assert plan.outputs(None)["started_at"] == format_timestamp(NOW)
    assert plan.outputs(None)["expires_at"] == format_timestamp(NOW + 365 * DAY)


def test_a_schedule_for_a_forever_token_predicts_no_expiry():
    assert (
        RenewalSchedule.create(schedule(duration="forever", min_days=0), NOW).outputs(None)[
            "expires_at"
        ]
        is None
    )


def test_a_schedule_not_yet_due_keeps_its_start_even_in_preview():
    started = NOW - 100 * DAY
    olds = {
        **schedule(),
        "generation": 1,
        "started_at": format_timestamp(started),
        "expires_at": format_timestamp(started + 365 * DAY),
    }

    plan = RenewalSchedule.update(olds, schedule(min_days=20), NOW)

    assert plan.preview()["started_at"] == format_timestamp(started)
    assert plan.outputs(None)["generation"] == 1


def test_a_schedule_due_starts_again_unknown_in_preview():
    started = NOW - 340 * DAY
    olds = {
        **schedule(),
        "generation": 4,
        "started_at": format_timestamp(started),
        "expires_at": format_timestamp(started + 365 * DAY),
    }

    plan = RenewalSchedule.update(olds, schedule(), NOW)

    assert plan.preview()["started_at"] is UNKNOWN
    assert plan.outputs(None)["generation"] == 5
    assert plan.outputs(None)["started_at"] == format_timestamp(NOW)


def test_a_schedule_whose_start_was_lost_counts_from_now():
    olds = {**schedule(), "generation": 1, "expires_at": format_timestamp(NOW + 200 * DAY)}

    plan = RenewalSchedule.update(olds, schedule(), NOW)

    assert plan.outputs(None)["started_at"] == format_timestamp(NOW)


# -- the rotation's plans --------------------------------------------------------------------


def test_an_unchanged_version_keeps_the_last_rotation_and_its_secret():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=2, grace="48h"), NOW)

    assert plan.call is None
    outputs = plan.outputs(None)
    assert outputs["rotated_at"] == "2026-11-20T12:00:00Z"
    assert outputs["previous_secret_expires_at"] == "2026-11-21T12:00:00Z"
    assert (outputs["client_secret"], outputs["grace"]) == ("s3cret", "48h")


def test_a_rotation_previews_what_only_cloudflare_knows_as_unknown():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    assert plan.call == Rotate(ACCOUNT_ID, TOKEN_ID, NOW + DAY)
    shown = plan.preview()
    assert shown["rotated_at"] is UNKNOWN
    assert shown["previous_secret_expires_at"] is UNKNOWN
    assert shown["client_secret"] is UNKNOWN
    assert shown["secret_version"] == 3


@pytest.mark.parametrize("answer", ["", None, 42])
def test_a_rotation_without_a_new_secret_fails_naming_the_token_and_the_deadline(answer: Any):
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    with pytest.raises(RenewalError) as failed:
        plan.outputs(answer)

    message = str(failed.value)
    assert TOKEN_ID in message
    assert format_timestamp(NOW + DAY) in message


# -- helpers the hosts share -----------------------------------------------------------------


def test_only_a_token_lifetime_suggests_forever():
    with pytest.raises(ServiceTokenConfigError) as lifetime:
        parse_duration("0")
    with pytest.raises(ServiceTokenConfigError) as grace:
        parse_duration("0", "previous_secret_grace")

    assert str(lifetime.value) == (
        "`duration` ('0') must be a positive duration of at least 1us; use e.g. '8760h' (one "
        "year), or 'forever' for a token that never expires."
    )
    assert str(grace.value) == (
        "`previous_secret_grace` ('0') must be a positive duration of at least 1us; use e.g. "
        "'8760h' (one year)."
    )


def test_renew_after_text_is_the_window_before_expiry_or_none():
    assert renew_after_text(None, 30) is None
    assert renew_after_text("2027-11-23T12:00:00Z", 30) == "2027-10-24T12:00:00Z"
    assert renew_after_text("2027-11-23T12:00:00Z", 0) is None


def test_a_dynamic_provider_states_create_before_delete_only_for_a_replacement():
    provider = TokenRenewalProvider()
    olds = {**tracker(), "expires_at": tracker()["token_expires_at"]}

    replaced = provider.diff("id", olds, tracker(token_id="another"))
    kept = provider.diff("id", olds, tracker())

    assert (replaced.replaces, replaced.delete_before_replace) == (["token_id"], False)
    assert (kept.replaces, kept.delete_before_replace) == ([], None)


def test_a_window_just_under_the_lifetime_is_accepted_to_the_second():
    check_renewal_window(30, timedelta(days=30, seconds=10), "replace")

    with pytest.raises(ServiceTokenConfigError):
        check_renewal_window(30, timedelta(days=30), "replace")


def test_library_mode_shows_each_warning_as_written(caplog: pytest.LogCaptureFixture):
    with caplog.at_level("WARNING", logger="cloudflare_service_token"):
        _carry_out(Plan(None, lambda _: {}, ("token 1 expired at 2026-11-20T00:00:00Z",)))

    assert [r.getMessage() for r in caplog.records] == ["token 1 expired at 2026-11-20T00:00:00Z"]


def test_library_mode_hands_the_machines_secrets_unwrapped():
    assert _plain({"client_secret": wrap_rpc_secret("s3cret"), "__provider": "x"}) == {
        "client_secret": "s3cret"
    }


# -- the tracker's plans ---------------------------------------------------------------------


def tracked(**overrides: Any) -> dict[str, Any]:
    """A tracker's saved outputs: last renewed 20 days ago, not due."""
    news = tracker()
    return {
        **news,
        "expires_at": news["token_expires_at"],
        "renew_after": None,
        "last_renewed_at": format_timestamp(NOW - 20 * DAY),
        **overrides,
    }


def test_a_new_expiry_from_the_token_is_a_change_even_when_not_due():
    later = format_timestamp(NOW + 400 * DAY)

    assert TokenRenewal.diff(tracked(), tracker(token_expires_at=later), NOW) == Diff(True)


def test_state_without_a_window_counts_as_a_changed_window():
    olds = {key: value for key, value in tracked().items() if key != "min_days"}

    assert TokenRenewal.diff(olds, tracker(), NOW).changes is True


def test_an_update_that_renews_nothing_keeps_when_it_last_renewed():
    plan = TokenRenewal.update(tracked(), tracker(account_id=ACCOUNT_ID), NOW)

    assert plan.call is None
    assert plan.outputs(None)["last_renewed_at"] == format_timestamp(NOW - 20 * DAY)


def test_a_refresh_that_does_not_move_the_expiry_past_now_fails():
    soon = format_timestamp(NOW + 5 * DAY)
    due = tracked(expires_at=soon, token_expires_at=soon)
    plan = TokenRenewal.update(due, tracker(token_expires_at=soon), NOW)

    assert plan.call is not None

    with pytest.raises(RenewalError, match="still expires at"):
        plan.outputs(NOW)


def test_the_window_runs_from_zero_to_the_longest_lifetime():
    assert TokenRenewal.check({}, tracker(min_days=0)) == []
    assert TokenRenewal.check({}, tracker(min_days=MAX_WINDOW_DAYS)) == []
    assert TokenRenewal.check({}, tracker(min_days=MAX_WINDOW_DAYS + 1)) == [
        Failure("min_days", f"must be a whole number of days, 0 to {MAX_WINDOW_DAYS}")
    ]
