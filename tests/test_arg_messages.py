"""Every bad argument gets a message that names the field, the value's problem and the fix:
the exact words users see, checked before anything is registered."""

from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenConfigError,
    ServiceTokenReference,
)
from cloudflare_service_token._args import check_min_days, check_name, validate_args
from cloudflare_service_token._renewal import MAX_WINDOW_DAYS
from tests.conftest import ACCOUNT_ID, ZONE_ID

IMPORT_ID = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"


def refused(**args: Any) -> str:
    full = cast(ServiceTokenArgs, {"name": "CI/CD app", "account_id": ACCOUNT_ID, **args})
    with pytest.raises(ServiceTokenConfigError) as failed:
        validate_args(full)
    return str(failed.value)


@pytest.mark.parametrize(
    ("value", "shown"), [(42, "int"), ("  ", "'  '"), (None, "None"), (["a"], "list")]
)
def test_a_bad_name_is_shown_as_given_or_by_its_type(value: object, shown: str):
    with pytest.raises(ServiceTokenConfigError) as failed:
        check_name(value)

    assert str(failed.value) == (
        f"`name` ({shown}) must be a non-empty string; give it a name that says what uses it, "
        f"e.g. 'CI/CD app'."
    )


@pytest.mark.parametrize("field", ["expiry_alert_emails", "import_token_id"])
def test_a_setting_that_decides_resources_must_not_be_an_output(field: str):
    value = pulumi.Output.from_input(["ops@example.com"] if field == "expiry_alert_emails" else "x")

    message = refused(**{field: value})

    assert message.startswith(f"`{field}` must be a plain value, not an Output")


def test_aliases_must_each_be_a_urn_or_an_alias():
    assert refused(token_aliases=["urn:pulumi:dev::p::t::n", 1]).startswith(
        "`token_aliases` (['urn:pulumi:dev::p::t::n', 1]) must be a list of URNs or pulumi.Alias"
    )


def test_an_import_of_a_zone_token_names_the_zone_id_when_it_is_malformed():
    message = refused(account_id=None, zone_id="not-hex", import_token_id=IMPORT_ID)

    assert message.startswith("`zone_id` ('not-hex') must be 32 hex characters")


def test_an_import_id_is_the_scope_the_zone_and_the_token():
    validated = validate_args(
        cast(ServiceTokenArgs, {"name": "app", "zone_id": ZONE_ID, "import_token_id": IMPORT_ID})
    )

    assert validated.import_id == f"zones/{ZONE_ID}/{IMPORT_ID}"


def test_enabled_names_the_type_it_got():
    assert refused(enabled="yes") == (
        "`enabled` ('yes') must be True or False; pass a bool, not str."
    )


def test_a_bad_secret_version_says_how_rotation_counts():
    assert refused(secret_version=0) == (
        "`secret_version` (0) must be a whole number, 1 or more; bump it by one to rotate the "
        "client secret."
    )


def test_a_forever_grace_says_why_it_cannot_be():
    assert refused(secret_version=1, previous_secret_grace="forever") == (
        "`previous_secret_grace` ('forever') must be a finite Go duration, or the old secret "
        "would never stop working; use e.g. '24h'."
    )


def test_a_reference_to_something_not_a_stack_names_what_it_got():
    with pytest.raises(ServiceTokenConfigError) as failed:
        ServiceTokenReference(cast(Any, 42), "ci")

    assert str(failed.value) == (
        "`stack` must be a pulumi.StackReference or a stack name such as 'org/project/stack', "
        "got int."
    )


def test_a_window_below_zero_says_what_a_window_means():
    assert refused(min_days_for_renewal=-1) == (
        "`min_days_for_renewal` (-1) must be a whole number, 0 or more; e.g. 30 renews a token "
        "on the first `pulumi up` less than 30 days before expiry."
    )


def test_the_longest_window_is_go_s_longest_lifetime():
    assert check_min_days(MAX_WINDOW_DAYS) == MAX_WINDOW_DAYS
    with pytest.raises(ServiceTokenConfigError, match="no lifetime is longer than"):
        check_min_days(MAX_WINDOW_DAYS + 1)
