"""The plugin's own settings as pure functions: which form of a setting wins, how each is typed,
and what each bad value is told. The plugin's Configure and CheckConfig tests
(test_plugin_config.py) drive the same functions over gRPC, as the engine does."""

from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue

from cloudflare_service_token._errors import ServiceTokenConfigError
from cloudflare_service_token._plugin_config import given, problems, resolved

PACKAGE = "cloudflare-service-token"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({f"{PACKAGE}:config:apiMaxRetries": "3"}, {"apiMaxRetries": "3"}),
        ({f"{PACKAGE}:apiMaxRetries": "4"}, {"apiMaxRetries": "4"}),
        (
            {f"{PACKAGE}:config:apiMaxRetries": "3", f"{PACKAGE}:apiMaxRetries": "4"},
            {"apiMaxRetries": "3"},
        ),
        ({f"{PACKAGE}:config:apiMaxRetries": ""}, {}),
        ({}, {}),
    ],
    ids=["config form", "legacy form", "config form first", "empty is not given", "none"],
)
def test_a_setting_in_the_variables_is_read_in_either_form(
    variables: dict[str, str], expected: dict[str, Any]
):
    assert given({}, variables) == expected


def test_the_providers_own_input_wins_over_the_variables():
    args = {"apiMaxRetries": PropertyValue(5.0)}

    assert given(args, {f"{PACKAGE}:config:apiMaxRetries": "3"}) == {"apiMaxRetries": 5.0}


def test_a_placeholder_text_is_a_setting_like_any_other():
    assert given({}, {f"{PACKAGE}:config:baseUrl": "XXXX"}) == {"baseUrl": "XXXX"}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"apiTimeoutSeconds": "0.5", "apiMaxRetries": "0"},
            {f"{PACKAGE}:apiTimeoutSeconds": 0.5, f"{PACKAGE}:apiMaxRetries": 0},
        ),
        (
            {"apiTimeoutSeconds": 12.0, "apiMaxRetries": 3.0},
            {f"{PACKAGE}:apiTimeoutSeconds": 12.0, f"{PACKAGE}:apiMaxRetries": 3},
        ),
        (
            {"apiToken": "12345", "baseUrl": "https://api.cloudflare.com/client/v4"},
            {
                f"{PACKAGE}:apiToken": "12345",
                f"{PACKAGE}:baseUrl": "https://api.cloudflare.com/client/v4",
            },
        ),
    ],
    ids=["numbers as text", "numbers as doubles", "text stays text"],
)
def test_resolved_settings_are_typed_under_their_full_keys(
    settings: dict[str, Any], expected: dict[str, Any]
):
    typed = resolved(settings)

    assert typed == expected
    assert [type(value) for value in typed.values()] == [type(v) for v in expected.values()]


def test_every_problem_is_reported_at_once_in_the_keys_order():
    with pytest.raises(ServiceTokenConfigError) as failed:
        resolved({"baseUrl": "ftp://x", "apiMaxRetries": "-1"})

    retries, url = problems({"apiMaxRetries": "-1"}), problems({"baseUrl": "ftp://x"})
    assert str(failed.value) == f"{retries['apiMaxRetries']} {url['baseUrl']}"


@pytest.mark.parametrize("seconds", ["0.5", "1", 1])
def test_a_timeout_of_a_second_or_less_is_accepted(seconds: Any):
    assert problems({"apiTimeoutSeconds": seconds}) == {}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("ftp://api.cloudflare.com/client/v4", " ('ftp://api.cloudflare.com/client/v4')"),
        ("https://", " ('https://')"),
        ("HTTPS://api.cloudflare.com/client/v4", None),
        ("https://api.cloudflare.com/client/v4", None),
        ("http://[::1", " ('http://[::1')"),
        # An address with a user may hold a credential: it is named, not shown.
        ("ftp://user:pass@api.cloudflare.com", ""),
        (42.0, ""),
    ],
    ids=["other scheme", "no host", "upper-case scheme", "https", "garbled", "userinfo", "number"],
)
def test_a_base_url_is_checked_and_shown_only_when_it_can_hold_no_credential(
    value: Any, shown: str | None
):
    found = problems({"baseUrl": value})

    if shown is None:
        assert found == {}
    else:
        assert found == {
            "baseUrl": f"`{PACKAGE}:baseUrl`{shown} must be an http(s) URL of the Cloudflare "
            "API, e.g. 'https://api.cloudflare.com/client/v4'; fix it, or remove it to use that "
            "one."
        }


@pytest.mark.parametrize(
    ("name", "shown"),
    [("apiToken", ""), ("email", " (42.0)")],
    ids=["a credential is not shown", "an email is"],
)
def test_a_setting_that_is_not_text_is_named_and_shown_unless_secret(name: str, shown: str):
    assert problems({name: 42.0}) == {
        name: f"`{PACKAGE}:{name}`{shown} must be a string; set it as text."
    }
