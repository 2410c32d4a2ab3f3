"""The root stack (`__main__.py`): one exported token per entry of the `tokens` config."""

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenConfigError
from cloudflare_service_token.testing import ProgramRun, run_program

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "cloudflare-service-tokens"
_TOKEN_ID = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"


def example_config() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "Pulumi.example.yaml").read_text())
    return dict(document["config"])


def run_root_stack(config: dict[str, Any], preview: bool = False) -> ProgramRun:
    return run_program(
        lambda: runpy.run_path(str(ROOT / "__main__.py")),
        config=config,
        project=PROJECT,
        preview=preview,
    )


def test_the_project_file_names_the_project_the_config_uses() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())

    assert project["name"] == PROJECT
    assert project["runtime"]["name"] == "python"
    assert project["backend"]["url"] == "file://.pulumi-state"


def test_the_example_config_declares_and_exports_each_token() -> None:
    run = run_root_stack(example_config())

    tokens = run.monitor.find(":ZeroTrustAccessServiceToken")
    assert sorted(t.inputs["name"] for t in tokens) == ["CI/CD app", "Uptime checks"]
    assert {t.inputs["accountId"] for t in tokens} == {"023e105f4ecef8ad9ca31a8372d0c353"}
    assert sorted(run.outputs) == sorted(
        f"{key}_{field}"
        for key in ("ci", "uptime")
        for field in ("token_id", "client_id", "client_secret", "expires_at")
    )
    assert run.outputs["ci_client_secret"].secret
    assert run.outputs["uptime_client_secret"].value
    assert not run.outputs["uptime_client_id"].secret


def test_settings_reach_the_token() -> None:
    run = run_root_stack(example_config())

    uptime = next(
        t for t in run.monitor.find(":ZeroTrustAccessServiceToken") if t.name == "uptime-token"
    )
    assert uptime.inputs["duration"] == "17520h"
    assert run.monitor.one(":SecretRotation").inputs["secret_version"] == 1


def test_renewal_settings_reach_the_component() -> None:
    run = run_root_stack(example_config())

    renewal = run.monitor.one(":TokenRenewal")
    assert renewal.name == "ci-renewal"
    assert renewal.inputs["min_days"] == 30
    assert run.monitor.one(":SecretRotation").inputs["grace"] == "48h"


def test_policy_and_alert_settings_reach_the_component() -> None:
    run = run_root_stack(example_config())

    assert run.monitor.one(":ZeroTrustAccessPolicy").inputs["name"] == (
        "CI/CD may reach internal apps"
    )
    assert run.monitor.one(":NotificationPolicy").inputs["mechanisms"] == {
        "emails": [{"id": "ops@example.com"}]
    }


def test_a_token_without_a_name_is_named_after_its_key() -> None:
    config = {
        f"{PROJECT}:accountId": "023e105f4ecef8ad9ca31a8372d0c353",
        f"{PROJECT}:tokens": {"deploy": {}},
    }

    run = run_root_stack(config)

    assert run.monitor.one(":ZeroTrustAccessServiceToken").inputs["name"] == "deploy"


def test_a_zone_id_makes_zone_scoped_tokens() -> None:
    config = {
        f"{PROJECT}:zoneId": "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c",
        f"{PROJECT}:tokens": {"ci": None},
    }

    run = run_root_stack(config)

    assert run.monitor.one(":ZeroTrustAccessServiceToken").inputs["zoneId"].startswith("9c7e")


def test_a_preview_of_the_example_registers_every_token_with_secret_unknowns() -> None:
    run = run_root_stack(example_config(), preview=True)

    assert len(run.monitor.find(":ZeroTrustAccessServiceToken")) == 2
    assert not run.outputs["ci_client_secret"].known
    assert run.outputs["ci_client_secret"].secret


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tokens": {"ci": {"duration": "365d"}}}, r"tokens\.ci`: `duration` \('365d'\).*'8760h'"),
        ({"tokens": {"ci": {"enabled": "yes"}}}, r"tokens\.ci`: `enabled` .*true or false"),
        ({"tokens": {"ci": {"lifetime": "8760h"}}}, r"tokens\.ci`: unknown setting\(s\) lifetime"),
        (
            {"tokens": {"ci": {"minDaysForRenewal": 400}}},
            r"tokens\.ci`: `minDaysForRenewal` \(400\) must be less",
        ),
        ({"tokens": {"ci": {"renewalStrategy": "x"}}}, r"tokens\.ci`: `renewalStrategy`"),
        ({"tokens": {"ci": "CI"}}, r"tokens\.ci`: must be a map"),
        ({"tokens": {"bad key": {}}}, r"tokens\.bad key`: the key 'bad key' must start with"),
        ({"tokens": {}}, r"tokens` must map each token"),
        ({"accountId": "123"}, r"`cloudflare-service-tokens:accountId`: `accountId` \('123'\)"),
        (
            {"zoneId": "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c"},
            r"`cloudflare-service-tokens:accountId` and `cloudflare-service-tokens:zoneId` are "
            r"both set; set exactly one",
        ),
    ],
)
def test_bad_config_fails_naming_the_key(change: dict[str, Any], message: str) -> None:
    config = {
        f"{PROJECT}:accountId": "023e105f4ecef8ad9ca31a8372d0c353",
        f"{PROJECT}:tokens": {"ci": {}},
    }
    config.update({f"{PROJECT}:{key}": value for key, value in change.items()})

    with pytest.raises(ServiceTokenConfigError, match=message):
        run_root_stack(config)


@pytest.mark.parametrize(
    "settings",
    [
        {"minDaysForRenewal": 400},
        {"renewalStrategy": "x"},
        {"secretVersion": 0},
        {"previousSecretGrace": "2d"},
        {"serviceAuthPolicyName": " "},
        {"expiryAlertEmails": ["not an address"]},
        {"importTokenId": "nope"},
        {"minDaysForRenewal": 30, "renewalStrategy": "replace", "importTokenId": _TOKEN_ID},
    ],
)
def test_token_errors_name_the_config_keys_not_the_python_arguments(
    settings: dict[str, Any],
) -> None:
    config = {
        f"{PROJECT}:accountId": "023e105f4ecef8ad9ca31a8372d0c353",
        f"{PROJECT}:tokens": {"ci": settings},
    }

    with pytest.raises(ServiceTokenConfigError) as failed:
        run_root_stack(config)

    message = str(failed.value)
    assert any(f"`{key}`" in message for key in settings), message
    python_names = [name for name in ServiceTokenArgs.__annotations__ if "_" in name]
    assert not [name for name in python_names if re.search(rf"\b{name}\b", message)], message


def test_neither_account_nor_zone_fails_naming_both_keys() -> None:
    with pytest.raises(ServiceTokenConfigError, match=r"accountId` and .*zoneId` are neither set"):
        run_root_stack({f"{PROJECT}:tokens": {"ci": {}}})


@pytest.mark.parametrize(
    ("key", "fix"),
    [
        (f"{PROJECT}:apiTimeoutSeconds", r"tuning key is `cloudflare-service-token:apiTimeoutSec"),
        (f"{PROJECT}:apiMaxRetries", r"tuning key is `cloudflare-service-token:apiMaxRetries`"),
        (f"{PROJECT}:apiToken", r"uses the Cloudflare provider's `cloudflare:apiToken`"),
        (f"{PROJECT}:acountId", r"this project reads `accountId`, `zoneId`, `tokens`"),
        ("cloudflare-service-token:apiToken", r"the Cloudflare provider's `cloudflare:apiToken`"),
        ("cloudflare-service-token:baseUrl", r"the Cloudflare provider's `cloudflare:baseUrl`"),
        ("cloudflare-service-token:timeout", r"reads `accountId`.*apiTimeoutSeconds"),
    ],
)
def test_a_key_nothing_reads_is_refused_naming_the_key_that_would_be(key: str, fix: str) -> None:
    config = {**example_config(), key: "5"}

    with pytest.raises(ServiceTokenConfigError, match=rf"config `{re.escape(key)}` is read by "):
        run_root_stack(config)
    with pytest.raises(ServiceTokenConfigError, match=fix):
        run_root_stack(config)


@pytest.mark.parametrize("key", ["apiTimeoutSeconds", "apiMaxRetries"])
def test_the_tuning_keys_in_their_own_namespace_are_accepted(key: str) -> None:
    run = run_root_stack({**example_config(), f"cloudflare-service-token:{key}": "5"})

    assert len(run.monitor.find(":ZeroTrustAccessServiceToken")) == 2


def test_the_providers_own_keys_are_left_to_it() -> None:
    run = run_root_stack({**example_config(), "cloudflare:apiToken": "t", "aws:region": "x"})

    assert len(run.monitor.find(":ZeroTrustAccessServiceToken")) == 2


def test_missing_tokens_config_fails_naming_the_key() -> None:
    with pytest.raises(ServiceTokenConfigError, match=f"{PROJECT}:tokens"):
        run_root_stack({f"{PROJECT}:accountId": "023e105f4ecef8ad9ca31a8372d0c353"})
