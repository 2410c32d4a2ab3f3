"""Bad input is refused with a message naming the field, the problem and the fix, before any
resource is registered; the same input given as an Output fails the deployment the same way."""

import re
from datetime import UTC, datetime
from typing import Any, cast

import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
)
from cloudflare_service_token.testing import (
    CloudflareMocks,
    FakeClock,
    RecordingMonitor,
    run_program,
)
from tests.conftest import ACCOUNT_ID, ZONE_ID

GOOD: dict[str, Any] = {"name": "CI/CD app", "account_id": ACCOUNT_ID}

BAD_INPUTS = [
    pytest.param({"name": ""}, "`name`", "non-empty", id="empty name"),
    pytest.param({"name": "   "}, "`name`", "non-empty", id="blank name"),
    pytest.param({"name": None}, "`name` is required", "give the token a name", id="null name"),
    pytest.param({"name": 42}, "`name`", "non-empty", id="number as name"),
    pytest.param({"zone_id": ZONE_ID}, "`zone_id` are both set", "keep one", id="both scopes"),
    pytest.param({"account_id": None}, "neither `account_id` nor `zone_id`", "set", id="no scope"),
    pytest.param({"account_id": "abc"}, "`account_id`", "32 hex", id="short account id"),
    pytest.param({"account_id": "g" * 32}, "`account_id`", "32 hex", id="non-hex account id"),
    pytest.param({"account_id": ACCOUNT_ID + "0"}, "`account_id`", "32 hex", id="long id"),
    pytest.param({"duration": "365d"}, "`duration`", "'8760h'", id="days"),
    pytest.param({"duration": "1y"}, "`duration`", "'8760h'", id="years"),
    pytest.param({"duration": "0s"}, "`duration`", "positive", id="zero"),
    pytest.param({"duration": "-5h"}, "`duration`", "negative", id="negative"),
    pytest.param({"duration": "h"}, "`duration`", "Go duration", id="unit only"),
    pytest.param({"duration": ""}, "`duration`", "Go duration", id="empty duration"),
    pytest.param({"duration": 8760}, "`duration`", "string", id="number as duration"),
    pytest.param(
        {"duration": "\u0668\u0667\u0666\u0660h"}, "`duration`", "ASCII", id="arabic digits"
    ),
    pytest.param({"duration": "++8760h"}, "`duration`", "optional sign", id="two signs"),
    pytest.param({"duration": "2562048h"}, "`duration`", "292 years", id="past go maximum"),
    pytest.param({"duration": "99999999999h"}, "`duration`", "shorten it", id="huge duration"),
    pytest.param({"enabled": "yes"}, "`enabled`", "True or False", id="string as enabled"),
    pytest.param({"enabled": 1}, "`enabled`", "True or False", id="int as enabled"),
    pytest.param(
        {"min_days_for_renewal": -1}, "`min_days_for_renewal`", "0 or more", id="negative days"
    ),
    pytest.param(
        {"min_days_for_renewal": 2.5}, "`min_days_for_renewal`", "whole number", id="part days"
    ),
    pytest.param(
        {"min_days_for_renewal": True}, "`min_days_for_renewal`", "whole number", id="bool days"
    ),
    pytest.param(
        {"min_days_for_renewal": 400}, "`min_days_for_renewal` (400)", "lower it", id="window"
    ),
    pytest.param(
        {"min_days_for_renewal": 30, "duration": "forever"},
        "`duration` 'forever'",
        "drop min_days_for_renewal",
        id="window on forever",
    ),
    pytest.param(
        {"min_days_for_renewal": 30, "duration": "720h"},
        "(`duration` 720h = 30 days)",
        "lengthen `duration`",
        id="window as long as lifetime",
    ),
    pytest.param(
        {"min_days_for_renewal": 10**10},
        "`min_days_for_renewal` (10000000000)",
        "e.g. 30",
        id="huge window",
    ),
    pytest.param({"renewal_strategy": "rotate"}, "`renewal_strategy`", "'replace'", id="strategy"),
    pytest.param(
        {"min_days_for_renewal": 30, "account_id": None, "zone_id": ZONE_ID},
        "needs an account-scoped token",
        "renewal_strategy='replace'",
        id="zone refresh",
    ),
    pytest.param({"secret_version": 0}, "`secret_version`", "1 or more", id="version zero"),
    pytest.param(
        {"secret_version": 1, "account_id": None, "zone_id": ZONE_ID},
        "`secret_version` needs an account-scoped token",
        "renewal_strategy='replace'",
        id="zone rotation",
    ),
    pytest.param(
        {
            "import_token_id": "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "min_days_for_renewal": 30,
            "renewal_strategy": "replace",
        },
        "`import_token_id` and `renewal_strategy` 'replace' do not mix",
        "remove import_token_id",
        id="import with replace",
    ),
    pytest.param({"secret_version": "2"}, "`secret_version`", "whole number", id="version text"),
    pytest.param(
        {"previous_secret_grace": "24h"},
        "`previous_secret_grace` only applies",
        "set secret_version",
        id="grace without rotation",
    ),
    pytest.param(
        {"secret_version": 1, "previous_secret_grace": "1d"},
        "`previous_secret_grace`",
        "'24h'",
        id="grace in days",
    ),
    pytest.param(
        {"secret_version": 1, "previous_secret_grace": "forever"},
        "`previous_secret_grace`",
        "finite",
        id="grace forever",
    ),
]

# Renewal settings are plain values; these only make sense with the duration given as an Output.
PLAIN_ONLY = {
    "huge window",
    "zone rotation",
    "import with replace",
    "negative days",
    "part days",
    "bool days",
    "strategy",
    "zone refresh",
    "version zero",
    "version text",
    "grace without rotation",
    "grace in days",
    "grace forever",
}


OUTPUT_CAPABLE = {"name", "account_id", "zone_id", "duration", "enabled"}


def with_changes(changes: dict[str, Any]) -> ServiceTokenArgs:
    args = {**GOOD, **changes}
    return cast(ServiceTokenArgs, {k: v for k, v in args.items() if v is not None or k == "name"})


@pytest.mark.parametrize(("changes", "field", "fix"), BAD_INPUTS)
def test_bad_plain_input_fails_before_anything_is_registered(
    changes: dict[str, Any], field: str, fix: str
) -> None:
    monitor = RecordingMonitor(CloudflareMocks())

    with pytest.raises(ServiceTokenConfigError) as raised:
        run_program(lambda: ServiceTokenComponent("ci", with_changes(changes)), monitor=monitor)

    assert field in str(raised.value)
    assert fix in str(raised.value)
    assert [r.type for r in monitor.registrations] == ["pulumi:pulumi:Stack"]


# Which scope is used, and whether a name is given at all, is decided before anything resolves.
OUTPUT_CASES = [
    p for p in BAD_INPUTS if str(p.id) not in {"both scopes", "no scope", "null name", *PLAIN_ONLY}
]


@pytest.mark.parametrize(("changes", "field", "fix"), OUTPUT_CASES)
def test_bad_input_given_as_an_output_fails_the_deployment_with_the_same_message(
    changes: dict[str, Any], field: str, fix: str
) -> None:
    def with_outputs() -> None:
        as_outputs = {
            key: pulumi.Output.from_input(value) if key in OUTPUT_CAPABLE else value
            for key, value in changes.items()
        }
        ServiceTokenComponent("ci", with_changes(as_outputs))

    with pytest.raises(ServiceTokenConfigError) as plain:
        run_program(lambda: ServiceTokenComponent("ci", with_changes(changes)))

    with pytest.raises(Exception, match=re.escape(field)) as raised:
        run_program(with_outputs)

    assert str(plain.value) in str(raised.value)


def test_good_input_given_as_outputs_is_accepted() -> None:
    def program() -> None:
        args = ServiceTokenArgs(
            name=pulumi.Output.from_input("CI/CD app"),
            account_id=pulumi.Output.from_input(ACCOUNT_ID),
            duration=pulumi.Output.from_input("forever"),
            enabled=pulumi.Output.from_input(False),
        )
        pulumi.export("client_id", ServiceTokenComponent("ci", args).client_id)

    run = run_program(program)

    assert run.outputs["client_id"].value.endswith(".access")
    inputs = run.monitor.one(":ZeroTrustAccessServiceToken").inputs
    assert (inputs["duration"], inputs["enabled"]) == ("forever", False)


def test_unknown_arguments_are_named() -> None:
    with pytest.raises(ServiceTokenConfigError, match=r"unknown argument.*\bx\b"):
        run_program(lambda: ServiceTokenComponent("ci", cast(ServiceTokenArgs, {**GOOD, "x": 3})))


def test_a_missing_name_is_named() -> None:
    with pytest.raises(ServiceTokenConfigError, match="`name` is required"):
        run_program(lambda: ServiceTokenComponent("ci", {"account_id": ACCOUNT_ID}))  # type: ignore[typeddict-item]


@given(st.text(alphabet="0123456789abcdefABCDEFxyz-", max_size=40))
def test_an_id_is_accepted_exactly_when_it_is_32_hex_characters(candidate: str) -> None:
    from cloudflare_service_token._args import check_cloudflare_id

    is_hex_32 = len(candidate) == 32 and all(c in "0123456789abcdefABCDEF" for c in candidate)
    if is_hex_32:
        assert check_cloudflare_id(candidate, "account_id") == candidate
    else:
        with pytest.raises(ServiceTokenConfigError, match="`account_id`"):
            check_cloudflare_id(candidate, "account_id")


@pytest.mark.parametrize(
    "field", ["min_days_for_renewal", "renewal_strategy", "secret_version", "previous_secret_grace"]
)
def test_renewal_settings_given_as_outputs_are_refused_with_the_reason(field: str) -> None:
    value = {"min_days_for_renewal": 30, "renewal_strategy": "replace"}.get(field, 1)
    extra = {"secret_version": 1} if field == "previous_secret_grace" else {}

    def program() -> None:
        args = {**GOOD, **extra, field: pulumi.Output.from_input(value)}
        ServiceTokenComponent("ci", cast(ServiceTokenArgs, args))

    with pytest.raises(ServiceTokenConfigError, match=f"`{field}` must be a plain value"):
        run_program(program)


def test_a_protected_token_cannot_renew_by_replacement_and_the_error_says_why_and_what_to_do():
    monitor = RecordingMonitor(CloudflareMocks())
    args = cast(
        ServiceTokenArgs, {**GOOD, "min_days_for_renewal": 30, "renewal_strategy": "replace"}
    )

    with pytest.raises(ServiceTokenConfigError) as raised:
        run_program(
            lambda: ServiceTokenComponent("ci", args, pulumi.ResourceOptions(protect=True)),
            monitor=monitor,
        )

    assert "refuses to replace a protected resource" in str(raised.value)
    assert "renewal_strategy='refresh'" in str(raised.value)
    assert [r.type for r in monitor.registrations] == ["pulumi:pulumi:Stack"]


def replace_renewal_under_a_parent(protect: bool | None) -> None:
    args = cast(
        ServiceTokenArgs, {**GOOD, "min_days_for_renewal": 30, "renewal_strategy": "replace"}
    )
    parent = pulumi.ComponentResource(
        "acme:index:Team", "team", None, pulumi.ResourceOptions(protect=protect)
    )
    ServiceTokenComponent("ci", args, pulumi.ResourceOptions(parent=parent))


def test_protection_inherited_from_a_parent_counts_too():
    with pytest.raises(ServiceTokenConfigError, match="protected"):
        run_program(lambda: replace_renewal_under_a_parent(protect=True))


@pytest.mark.parametrize("protect", [False, None], ids=["unprotected", "protect unset"])
def test_a_parent_that_is_not_protected_leaves_replacement_allowed(protect: bool | None):
    run = run_program(lambda: replace_renewal_under_a_parent(protect))

    assert run.monitor.one(":ZeroTrustAccessServiceToken").protect is False
    assert run.monitor.one(":RenewalSchedule").inputs["min_days"] == 30


def test_a_protected_token_may_renew_by_refresh():
    args = cast(ServiceTokenArgs, {**GOOD, "min_days_for_renewal": 30})

    run = run_program(
        lambda: ServiceTokenComponent("ci", args, pulumi.ResourceOptions(protect=True))
    )

    assert run.monitor.one(":ZeroTrustAccessServiceToken").protect is True  # inherited
    assert run.monitor.one(":TokenRenewal").inputs["min_days"] == 30


def test_a_replace_schedule_whose_expiry_the_calendar_cannot_hold_is_refused():
    args = cast(
        ServiceTokenArgs,
        {
            **GOOD,
            "duration": "2562047h",
            "min_days_for_renewal": 30,
            "renewal_strategy": "replace",
        },
    )
    monitor = RecordingMonitor(CloudflareMocks(now=datetime(9800, 1, 1, tzinfo=UTC)))

    with (
        FakeClock(datetime(9800, 1, 1, tzinfo=UTC)).installed(),
        pytest.raises(ServiceTokenConfigError, match="after the year 9999"),
    ):
        run_program(lambda: ServiceTokenComponent("ci", args), monitor=monitor)
    assert [r.type for r in monitor.registrations] == ["pulumi:pulumi:Stack"]


OPTIONAL = [
    "account_id",
    "duration",
    "enabled",
    "min_days_for_renewal",
    "renewal_strategy",
    "secret_version",
    "previous_secret_grace",
    "service_auth_policy_name",
    "expiry_alert_emails",
    "import_token_id",
    "token_aliases",
]


@pytest.mark.parametrize("field", OPTIONAL[1:])
def test_an_optional_argument_set_to_none_takes_its_default(field: str):
    def inputs(args: dict[str, Any]) -> list[dict[str, Any]]:
        run = run_program(lambda: ServiceTokenComponent("ci", cast(ServiceTokenArgs, args)))
        return [r.inputs for r in run.monitor.registrations]

    assert inputs({**GOOD, field: None}) == inputs(GOOD)


def test_duration_none_means_the_default_one_year():
    run = run_program(
        lambda: ServiceTokenComponent("ci", cast(ServiceTokenArgs, {**GOOD, "duration": None}))
    )

    assert run.monitor.one(":ZeroTrustAccessServiceToken").inputs["duration"] == "8760h"
