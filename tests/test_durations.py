"""Go duration parsing: what Cloudflare accepts for a token's lifetime."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudflare_service_token import ServiceTokenConfigError
from cloudflare_service_token._durations import format_hours, parse_duration

UNITS = {"h": 3600, "m": 60, "s": 1}


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


@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(list(UNITS))), min_size=1))
def test_a_sum_of_terms_is_the_sum_of_their_lengths(terms: list[tuple[int, str]]) -> None:
    text = "".join(f"{number}{unit}" for number, unit in terms)
    seconds = sum(number * UNITS[unit] for number, unit in terms)
    if seconds == 0:
        with pytest.raises(ServiceTokenConfigError, match="positive"):
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


@given(st.text(alphabet="0123456789.hmsuµnd-+ xyw", max_size=12))
def test_any_text_either_parses_positive_or_raises_the_config_error(text: str) -> None:
    try:
        lifetime = parse_duration(text)
    except ServiceTokenConfigError:
        return
    assert lifetime is None or lifetime >= timedelta(0)
