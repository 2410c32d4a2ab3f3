"""The pure renewal rules: when a token is due, from when, and which windows make sense."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudflare_service_token import ServiceTokenConfigError
from cloudflare_service_token._renewal import (
    check_renewal_window,
    format_timestamp,
    is_due,
    latest,
    parse_timestamp,
    renew_after,
)

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
days = st.integers(min_value=1, max_value=3650)


@given(moments, days)
def test_renew_after_is_expiry_minus_the_window(expires_at: datetime, min_days: int) -> None:
    assert renew_after(expires_at, min_days) == expires_at - timedelta(days=min_days)


@given(moments, days)
def test_the_boundary_instant_is_due_and_the_instant_before_is_not(
    expires_at: datetime, min_days: int
) -> None:
    boundary = expires_at - timedelta(days=min_days)

    assert is_due(boundary, expires_at, min_days)
    assert not is_due(boundary - timedelta(microseconds=1), expires_at, min_days)


@given(moments, moments, days)
def test_due_exactly_when_fewer_than_min_days_remain(
    now: datetime, expires_at: datetime, min_days: int
) -> None:
    assert is_due(now, expires_at, min_days) == (expires_at - now <= timedelta(days=min_days))


@given(moments, moments)
def test_a_zero_window_is_never_due(now: datetime, expires_at: datetime) -> None:
    assert not is_due(now, expires_at, 0)
    assert renew_after(expires_at, 0) is None


@given(moments, days)
def test_a_token_that_never_expires_is_never_due(now: datetime, min_days: int) -> None:
    assert not is_due(now, None, min_days)
    assert renew_after(None, min_days) is None


@given(st.lists(st.one_of(st.none(), moments), max_size=4))
def test_latest_ignores_unknowns_and_picks_the_maximum(candidates: list[datetime | None]) -> None:
    known = [c for c in candidates if c is not None]

    assert latest(*candidates) == (max(known) if known else None)


@given(moments)
def test_timestamps_round_trip_to_the_second(moment: datetime) -> None:
    text = format_timestamp(moment)

    assert text.endswith("Z")
    assert parse_timestamp(text) == moment.replace(microsecond=0)


def test_cloudflare_timestamps_with_fractions_and_offsets_parse_to_the_whole_second() -> None:
    assert parse_timestamp("2014-01-01T05:20:00.12345Z") == datetime(
        2014, 1, 1, 5, 20, 0, tzinfo=UTC
    )
    assert parse_timestamp("2014-01-01T05:20:00.999999999Z") == datetime(
        2014, 1, 1, 5, 20, 0, tzinfo=UTC
    )
    assert parse_timestamp("2026-09-25T23:26:26+01:00") == datetime(
        2026, 9, 25, 22, 26, 26, tzinfo=UTC
    )


@given(st.integers(1, 364), st.integers(1, 20 * 365))
def test_a_window_is_accepted_exactly_when_shorter_than_the_lifetime(
    min_days: int, lifetime_days: int
) -> None:
    lifetime = timedelta(days=lifetime_days)
    if min_days < lifetime_days:
        check_renewal_window(min_days, lifetime, "replace")
    else:
        with pytest.raises(ServiceTokenConfigError, match="must be less than the token lifetime"):
            check_renewal_window(min_days, lifetime, "replace")


def test_the_message_for_a_window_too_long_names_both_fields_and_the_fix() -> None:
    with pytest.raises(ServiceTokenConfigError) as raised:
        check_renewal_window(400, timedelta(days=365), "replace")

    assert str(raised.value) == (
        "`min_days_for_renewal` (400) must be less than the token lifetime (`duration` 8760h = "
        "365 days), or every run would renew it; lower it or lengthen `duration`."
    )


def test_refresh_windows_must_fit_inside_the_one_year_a_refresh_adds() -> None:
    check_renewal_window(364, timedelta(days=730), "refresh")
    check_renewal_window(400, timedelta(days=730), "replace")

    with pytest.raises(ServiceTokenConfigError, match="less than 365 with `renewal_strategy`"):
        check_renewal_window(365, timedelta(days=730), "refresh")


def test_a_forever_token_takes_no_window() -> None:
    check_renewal_window(0, None, "refresh")

    with pytest.raises(ServiceTokenConfigError, match="must be 0 for `duration` 'forever'"):
        check_renewal_window(30, None, "refresh")
