"""The state machines' contract, verb by verb, as both hosts rely on it: the ids and property
names saved in state, what Check reports, what Diff decides with unknown inputs, and what a
preview leaves unknown. Pure calls: (olds, news, now) in, decisions out."""

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pulumi.runtime.rpc import wrap_rpc_secret

from cloudflare_service_token._durations import parse_duration
from cloudflare_service_token._errors import ServiceTokenConfigError
from cloudflare_service_token._machines import (
    UNKNOWN,
    Diff,
    Failure,
    NotRotated,
    Plan,
    Read,
    Refresh,
    Refreshed,
    RenewalError,
    RenewalSchedule,
    Rotate,
    Rotated,
    RotationUnknown,
    SecretRotation,
    TokenRenewal,
    TokenView,
    Verdict,
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

ANOTHER_TOKEN_ID = "0f9e8d7c-6b5a-4c3d-9e1f-2a3b4c5d6e7f"


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

    assert SecretRotation.check(olds, rotation(token_id=ANOTHER_TOKEN_ID, secret_version=1)) == []


def test_state_from_0_1_0_without_a_token_id_still_only_counts_up():
    olds = {"secret_version": 3, "grace": "24h"}

    assert SecretRotation.check(olds, rotation(token_id=ANOTHER_TOKEN_ID, secret_version=2))


# -- Diff ------------------------------------------------------------------------------------


def test_a_schedule_with_an_unknown_input_reports_a_change():
    olds = {**schedule(), "generation": 1, "started_at": format_timestamp(NOW)}

    assert RenewalSchedule.diff(olds, schedule(duration=UNKNOWN), NOW) == Diff(changes=True)


def test_a_rotation_of_another_token_is_replaced():
    decided = SecretRotation.diff(rotated_state(), rotation(token_id=ANOTHER_TOKEN_ID), NOW)

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


def test_a_rotation_without_a_new_secret_fails_naming_the_token_the_deadline_and_the_way_on():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    with pytest.raises(RenewalError) as failed:
        plan.outputs(Rotated("", TokenView(None, NOW)))

    message = str(failed.value)
    assert TOKEN_ID in message
    assert format_timestamp(NOW + DAY) in message
    assert "raise secret_version to 4" in message


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
        plan.outputs(Refreshed(NOW))


def test_the_window_runs_from_zero_to_the_longest_lifetime():
    assert TokenRenewal.check({}, tracker(min_days=0)) == []
    assert TokenRenewal.check({}, tracker(min_days=MAX_WINDOW_DAYS)) == []
    assert TokenRenewal.check({}, tracker(min_days=MAX_WINDOW_DAYS + 1)) == [
        Failure("min_days", f"must be a whole number of days, 0 to {MAX_WINDOW_DAYS}")
    ]


# -- looking before acting -------------------------------------------------------------------


def view(
    expires_at: datetime | None = None,
    updated_at: datetime | None = None,
    secret_version: int | None = None,
) -> TokenView:
    return TokenView(expires_at, updated_at, secret_version)


def test_a_due_tracker_asks_for_a_refresh_unless_cloudflare_shows_the_window_left_behind():
    soon = format_timestamp(NOW + 5 * DAY)
    plan = TokenRenewal.update(
        tracked(expires_at=soon, token_expires_at=soon), tracker(token_expires_at=soon), NOW
    )

    assert plan.call == Refresh(ACCOUNT_ID, TOKEN_ID, NOW + 30 * DAY)


def test_a_due_tracker_at_the_calendars_end_still_compares_cloudflares_expiry():
    now = datetime(9999, 12, 20, tzinfo=UTC)
    soon = format_timestamp(now + 5 * DAY)
    plan = TokenRenewal.update(
        tracked(expires_at=soon, token_expires_at=soon), tracker(token_expires_at=soon), now
    )

    assert isinstance(plan.call, Refresh)
    assert plan.call.still_due(view(expires_at=now + 5 * DAY)) is True


@pytest.mark.parametrize(
    ("expires_at", "due"),
    [
        (None, True),
        (NOW + 5 * DAY, True),
        (NOW + 30 * DAY, True),
        (NOW + 30 * DAY + timedelta(microseconds=999_999), True),
        (NOW + 30 * DAY + timedelta(seconds=1), False),
        (NOW + 365 * DAY, False),
    ],
)
def test_a_refresh_is_still_due_while_cloudflare_reports_an_expiry_inside_the_window(
    expires_at, due
):
    call = Refresh(ACCOUNT_ID, TOKEN_ID, NOW + 30 * DAY)

    assert call.still_due(view(expires_at=expires_at)) is due


def test_a_token_renewed_meanwhile_is_recorded_as_cloudflare_reports_it_and_said_so():
    soon = format_timestamp(NOW + 5 * DAY)
    olds = tracked(expires_at=soon, token_expires_at=soon)
    plan = TokenRenewal.update(olds, tracker(token_expires_at=soon), NOW)
    renewed_elsewhere = Refreshed(NOW + 364 * DAY + timedelta(microseconds=5), refreshed=False)

    outputs = plan.outputs(renewed_elsewhere)

    assert outputs["expires_at"] == format_timestamp(NOW + 364 * DAY)
    assert outputs["last_renewed_at"] == olds["last_renewed_at"]
    (report,) = plan.reports(renewed_elsewhere)
    assert "renewed already" in report and TOKEN_ID in report
    assert plan.reports(Refreshed(NOW + 365 * DAY)) == ()


def test_tracking_a_rotation_reads_the_token_and_records_cloudflares_view():
    plan = SecretRotation.create(rotation(), NOW)
    seen = view(updated_at=NOW + timedelta(microseconds=123_456), secret_version=4)

    assert plan.call is not None and plan.call == Read(ACCOUNT_ID, TOKEN_ID)
    outputs = plan.outputs(seen)
    assert outputs["seen_updated_at"] == "2026-11-23T12:00:00.123456Z"
    assert outputs["seen_secret_version"] == 4
    assert plan.preview()["seen_updated_at"] is UNKNOWN


def test_a_rotation_carries_the_recorded_view_and_how_many_versions_it_moves():
    olds = {**rotated_state(version=2), "seen_updated_at": "2026-11-20T12:00:00.5Z"}
    olds["seen_secret_version"] = 7

    plan = SecretRotation.update(olds, rotation(secret_version=4), NOW)

    assert plan.call == Rotate(
        ACCOUNT_ID,
        TOKEN_ID,
        NOW + DAY,
        view(updated_at=NOW - 3 * DAY + timedelta(milliseconds=500), secret_version=7),
        bumps=2,
    )


EARLIER = NOW - DAY


@pytest.mark.parametrize(
    ("seen", "now_seen", "bumps", "verdict"),
    [
        # Nothing recorded yet (state from before 0.3.0): the first look.
        (None, view(updated_at=NOW, secret_version=9), 1, Verdict.ROTATE),
        # Cloudflare's secret versions count the rotations exactly.
        (view(EARLIER, EARLIER, 1), view(NOW, NOW, 1), 1, Verdict.ROTATE),
        (view(EARLIER, EARLIER, 1), view(NOW, NOW, 2), 1, Verdict.DONE),
        (view(EARLIER, EARLIER, 1), view(NOW, NOW, 2), 2, Verdict.ROTATE),
        (view(EARLIER, EARLIER, 1), view(NOW, NOW, 3), 2, Verdict.DONE),
        # Without them, only an unchanged token is known to be unrotated.
        (view(updated_at=EARLIER), view(updated_at=EARLIER), 1, Verdict.ROTATE),
        (view(updated_at=EARLIER), view(updated_at=NOW), 1, Verdict.UNSURE),
        (view(updated_at=EARLIER), view(updated_at=NOW), 2, Verdict.ROTATE),
        (view(updated_at=EARLIER, secret_version=1), view(updated_at=NOW), 1, Verdict.UNSURE),
        (view(updated_at=None, secret_version=None), view(updated_at=NOW), 1, Verdict.UNSURE),
    ],
)
def test_a_rotation_goes_ahead_only_while_one_version_never_makes_two_rotations(
    seen, now_seen, bumps, verdict
):
    call = Rotate(ACCOUNT_ID, TOKEN_ID, NOW + DAY, seen, bumps)

    assert call.verdict(now_seen) is verdict


def test_a_lost_rotation_answer_says_what_consumers_keep_and_what_the_next_up_does():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    with pytest.raises(RenewalError) as failed:
        plan.outputs(RotationUnknown("no answer came within 30s"))

    message = str(failed.value)
    assert message.startswith(
        f"the rotation of the secret of service token {TOKEN_ID} may or may not have happened: "
        "no answer came within 30s."
    )
    assert "It is not retried" in message
    assert f"previous one, accepted until {format_timestamp(NOW + DAY)}" in message
    assert "The next `pulumi up` reads the token first" in message
    assert "nothing changed" not in message


def test_a_rotation_found_done_says_so_and_how_to_get_a_secret_to_hand_out():
    olds = {**rotated_state(), "seen_updated_at": "2026-11-20T12:00:00Z", "seen_secret_version": 2}
    plan = SecretRotation.update(olds, rotation(secret_version=3), NOW)
    done = NotRotated(Verdict.DONE, view(updated_at=NOW - timedelta(hours=2), secret_version=3))

    with pytest.raises(RenewalError) as failed:
        plan.outputs(done)

    message = str(failed.value)
    assert "rotated already" in message and "its secret version went from 2 to 3" in message
    assert "secret_version 3 is not recorded" in message
    assert f"about {format_timestamp(NOW - timedelta(hours=2) + DAY)}" in message
    assert "raise secret_version to 4" in message


def test_a_rotation_that_cannot_tell_rotates_nothing_and_asks():
    olds = {**rotated_state(), "seen_updated_at": "2026-11-20T12:00:00Z"}
    plan = SecretRotation.update(olds, rotation(secret_version=3), NOW)
    unsure = NotRotated(Verdict.UNSURE, view(updated_at=NOW - timedelta(hours=2)))

    with pytest.raises(RenewalError) as failed:
        plan.outputs(unsure)

    message = str(failed.value)
    assert message.startswith(
        f"Cloudflare shows service token {TOKEN_ID} changed at 2026-11-23T10:00:00Z, after "
        "this stack last recorded it (2026-11-20T12:00:00Z), and does not say which secret "
        "version it has:"
    )
    assert "raise secret_version to 4" in message


def test_a_rotation_without_a_recorded_view_or_a_change_time_still_says_what_it_saw():
    # State written by 0.2.0 records no view, and Cloudflare's answer may carry no updated_at.
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    with pytest.raises(RenewalError) as failed:
        plan.outputs(NotRotated(Verdict.UNSURE, view()))

    assert str(failed.value).startswith(
        f"Cloudflare shows service token {TOKEN_ID} changed, after this stack last recorded "
        "it, and does not say which secret version it has:"
    )


def test_a_rotation_found_done_without_versions_on_both_sides_names_the_change_time():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)
    done = NotRotated(Verdict.DONE, view(updated_at=NOW - timedelta(hours=2), secret_version=3))

    with pytest.raises(RenewalError) as failed:
        plan.outputs(done)

    message = str(failed.value)
    assert "since this stack last recorded it (it changed at 2026-11-23T10:00:00Z):" in message
    assert "(for a rotation by this stack, about 2026-11-24T10:00:00Z)" in message


def test_a_rotation_found_done_without_a_change_time_points_at_the_grace():
    olds = {**rotated_state(), "seen_updated_at": "2026-11-20T12:00:00Z", "seen_secret_version": 2}
    plan = SecretRotation.update(olds, rotation(secret_version=3), NOW)

    with pytest.raises(RenewalError) as failed:
        plan.outputs(NotRotated(Verdict.DONE, view(secret_version=3)))

    message = str(failed.value)
    assert "(its secret version went from 2 to 3)" in message
    assert "(for a rotation by this stack, its grace after it was made)" in message


@pytest.mark.parametrize("recorded_version", [0, 2])
def test_a_recorded_version_without_a_recorded_time_is_still_compared(recorded_version):
    olds = {**rotated_state(), "seen_updated_at": "", "seen_secret_version": recorded_version}

    plan = SecretRotation.update(olds, rotation(secret_version=3), NOW)

    assert isinstance(plan.call, Rotate)
    assert plan.call.seen == view(secret_version=recorded_version)


def test_a_new_rotation_trackers_preview_leaves_the_view_it_will_record_unknown():
    outputs = SecretRotation.create(rotation(), NOW).outputs(UNKNOWN)

    assert outputs["seen_updated_at"] is UNKNOWN
    assert outputs["seen_secret_version"] is UNKNOWN


def test_the_view_is_recorded_in_utc_whatever_the_hosts_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        moment = datetime(2026, 11, 23, 21, 0, 0, 500_000, tzinfo=timezone(timedelta(hours=9)))
        outputs = SecretRotation.create(rotation(), NOW).outputs(view(updated_at=moment))
    finally:
        monkeypatch.undo()
        time.tzset()

    assert outputs["seen_updated_at"] == "2026-11-23T12:00:00.500000Z"


def test_a_rotation_preview_leaves_the_view_it_will_record_unknown():
    olds = {**rotated_state(), "seen_updated_at": "2026-11-20T12:00:00Z", "seen_secret_version": 2}

    outputs = SecretRotation.update(olds, rotation(secret_version=3), NOW).outputs(UNKNOWN)

    assert outputs["seen_updated_at"] is UNKNOWN
    assert outputs["seen_secret_version"] is UNKNOWN


def test_a_rotation_records_cloudflares_view_after_it():
    plan = SecretRotation.update(rotated_state(), rotation(secret_version=3), NOW)

    outputs = plan.outputs(Rotated("new-secret", view(updated_at=NOW, secret_version=5)))

    assert outputs["client_secret"] == "new-secret"
    assert (outputs["seen_updated_at"], outputs["seen_secret_version"]) == (
        "2026-11-23T12:00:00Z",
        5,
    )


def test_an_unchanged_version_keeps_the_recorded_view():
    olds = {**rotated_state(), "seen_updated_at": "2026-11-20T12:00:00.5Z"}
    olds["seen_secret_version"] = 3

    outputs = SecretRotation.update(olds, rotation(secret_version=2, grace="48h"), NOW).outputs(
        None
    )

    assert (outputs["seen_updated_at"], outputs["seen_secret_version"]) == (
        "2026-11-20T12:00:00.500000Z",
        3,
    )


# -- ids become URLs: checked first ------------------------------------------------------------


BAD_IDS = ["../../user/tokens", "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d?x=1", "a#b", "id\r\nX: y", ""]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("machine", [TokenRenewal, SecretRotation])
def test_check_refuses_a_token_id_that_is_not_a_uuid_without_echoing_it(machine, bad):
    news = tracker(token_id=bad) if machine is TokenRenewal else rotation(token_id=bad)

    failures = machine.check({}, news)

    assert Failure("token_id", "must be a Cloudflare service token id (a UUID)") in failures


@pytest.mark.parametrize("bad", [ACCOUNT_ID + "/", "../" + ACCOUNT_ID[3:], ACCOUNT_ID[:31] + "\n"])
@pytest.mark.parametrize("machine", [TokenRenewal, SecretRotation])
def test_check_refuses_an_account_id_that_is_not_32_hex(machine, bad):
    news = tracker(account_id=bad) if machine is TokenRenewal else rotation(account_id=bad)

    failures = machine.check({}, news)

    assert failures == [
        Failure("account_id", "must be a Cloudflare account id (32 hex characters)")
    ]


def test_unknown_ids_are_not_checked_yet():
    assert TokenRenewal.check({}, tracker(token_id=UNKNOWN, account_id=UNKNOWN)) == []


def test_an_unknown_reads_as_unknown_where_a_failed_assertion_shows_it():
    assert repr({"expires_at": UNKNOWN}) == "{'expires_at': UNKNOWN}"
