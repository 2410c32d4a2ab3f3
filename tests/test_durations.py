"""Go duration parsing: what Cloudflare accepts for a token's lifetime."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudflare_service_token import ServiceTokenConfigError
from cloudflare_service_token._durations import MAX_DURATION, format_hours, parse_duration

UNITS = {"h": 3600, "m": 60, "s": 1}
MAX_HOURS = 2_562_047


def test_forever_means_no_lifetime_limit() -> None:
    assert parse_duration("forever") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8760h", timedelta(days=365)),
        ("2h45m", timedelta(hours=2, minutes=45)),
        ("1.5h", timedelta(minutes=90)),
        ("90m", timedelta(minutes=90)),
        ("1500ms", timedelta(seconds=1.5)),
        ("+3h", timedelta(hours=3)),
        ("3000000us", timedelta(seconds=3)),
        ("3000000\u00b5s", timedelta(seconds=3)),
    ],
)
def test_go_durations_parse_to_their_length(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@given(
    st.lists(
        st.tuples(st.integers(0, 3 * MAX_HOURS * 3600), st.sampled_from(list(UNITS))),
        min_size=1,
        max_size=4,
    )
)
def test_a_sum_of_terms_is_the_sum_of_their_lengths_up_to_gos_limit(
    terms: list[tuple[int, str]],
) -> None:
    text = "".join(f"{number}{unit}" for number, unit in terms)
    seconds = sum(number * UNITS[unit] for number, unit in terms)
    if seconds == 0:
        with pytest.raises(ServiceTokenConfigError, match="positive"):
            parse_duration(text)
    elif seconds * 10**9 > 2**63 - 1:
        with pytest.raises(ServiceTokenConfigError, match="292 years"):
            parse_duration(text)
    else:
        assert parse_duration(text) == timedelta(seconds=seconds)


@given(st.integers(1, 10**6))
def test_format_hours_round_trips_whole_hours(hours: int) -> None:
    lifetime = timedelta(hours=hours)
    assert format_hours(lifetime) == f"{hours}h"
    assert parse_duration(format_hours(lifetime)) == lifetime


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("365d", "write '8760h' instead"),
        ("1y", "write '8760h' instead"),
        ("2w", "write '336h' instead"),
        ("0s", "must be a positive duration"),
        ("-5h", "is negative"),
        ("h", "is not a Go duration"),
        ("", "is not a Go duration"),
        ("10", "is not a Go duration"),
        ("5x", "unknown unit 'x'"),
        ("1h 30m", "unknown unit"),
    ],
)
def test_bad_durations_are_rejected_with_a_fix(text: str, message: str) -> None:
    with pytest.raises(ServiceTokenConfigError, match=message) as raised:
        parse_duration(text, "duration")
    assert "`duration`" in str(raised.value)


def test_a_non_string_duration_is_rejected_by_type() -> None:
    with pytest.raises(ServiceTokenConfigError, match="must be a string"):
        parse_duration(8760, "duration")


@given(st.text(alphabet="0123456789.hmsuµnd-+ xyw\u0668", max_size=16))
def test_any_text_either_parses_positive_and_within_gos_limit_or_raises_the_config_error(
    text: str,
) -> None:
    try:
        lifetime = parse_duration(text)
    except ServiceTokenConfigError:
        return
    assert lifetime is not None
    assert timedelta(0) < lifetime <= MAX_DURATION


@given(st.integers(0, 2 * MAX_HOURS))
def test_whole_hours_parse_exactly_up_to_gos_maximum_and_are_refused_beyond(hours: int) -> None:
    text = f"{hours}h"
    if hours == 0:
        with pytest.raises(ServiceTokenConfigError, match="positive"):
            parse_duration(text)
    elif hours <= MAX_HOURS:
        assert parse_duration(text) == timedelta(hours=hours)
    else:
        with pytest.raises(ServiceTokenConfigError, match="292 years"):
            parse_duration(text)


def test_the_boundary_is_gos_own_to_the_nanosecond() -> None:
    assert parse_duration("2562047h47m16.854775807s") == MAX_DURATION
    with pytest.raises(ServiceTokenConfigError, match="292 years"):
        parse_duration("2562047h47m16.854775808s")


@pytest.mark.parametrize(
    "text", ["\u0668\u0667\u0666\u0660h", "++8760h", "+-1h", "1h+2h", ".h", "1..5h", "\uff18h"]
)
def test_what_gos_parser_refuses_is_refused(text: str) -> None:
    with pytest.raises(
        ServiceTokenConfigError, match=r"is not a Go duration|is negative|unknown unit"
    ):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5.h", timedelta(hours=5)), (".5h", timedelta(minutes=30)), ("-0", None), ("+0s", None)],
)
def test_edge_forms_go_accepts(text: str, expected: timedelta | None) -> None:
    if expected is None:
        with pytest.raises(ServiceTokenConfigError):
            parse_duration(text)
    else:
        assert parse_duration(text) == expected


def test_a_duration_shorter_than_a_microsecond_is_refused_not_rounded_to_zero() -> None:
    with pytest.raises(ServiceTokenConfigError, match="at least 1us"):
        parse_duration("999ns")
