"""The root stack (`__main__.py`): one exported token per entry of the `tokens` config."""

import runpy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudflare_service_token import ServiceTokenConfigError
from cloudflare_service_token.testing import ProgramRun, run_program

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "cloudflare-service-tokens"


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


def test_the_main_job_says_what_is_missing_when_there_is_no_pulumi_cli(tmp_path: Path) -> None:
    python_dir = Path(shutil.which("python3") or "/usr/bin/python3").parent
    no_pulumi = {"PATH": f"{python_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}

    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "up.sh")],
        env=no_pulumi,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "the Pulumi CLI is not on PATH" in result.stderr


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
        ({"tokens": {"ci": {"enabled": "yes"}}}, r"tokens\.ci`: `enabled`"),
        ({"tokens": {"ci": {"lifetime": "8760h"}}}, r"tokens\.ci`: unknown setting\(s\) lifetime"),
        (
            {"tokens": {"ci": {"minDaysForRenewal": 400}}},
            r"tokens\.ci`: `min_days_for_renewal` \(400\) must be less",
        ),
        ({"tokens": {"ci": {"renewalStrategy": "x"}}}, r"tokens\.ci`: `renewal_strategy`"),
        ({"tokens": {"ci": "CI"}}, r"tokens\.ci`: must be a map"),
        ({"tokens": {"bad key": {}}}, r"tokens\.bad key`: `prefix`"),
        ({"tokens": {}}, r"tokens` must map each token"),
        ({"accountId": "123"}, r"tokens\.ci`: `account_id` \('123'\) must be 32 hex"),
        (
            {"zoneId": "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c"},
            r"tokens\.ci`: `account_id` and `zone_id`",
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


def test_missing_tokens_config_fails_naming_the_key() -> None:
    with pytest.raises(ServiceTokenConfigError, match=f"{PROJECT}:tokens"):
        run_root_stack({f"{PROJECT}:accountId": "023e105f4ecef8ad9ca31a8372d0c353"})
