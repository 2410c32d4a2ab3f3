"""`scripts/up.sh`, the deploy to a real account: it refuses before `pulumi up`, saying what to
set, whenever the run would fail or deploy the example's values; and what the caller types is
never run as code.

Each test runs the script in a copy of the files it reads, with a stand-in `pulumi` on PATH that
records its arguments (and a stand-in `uv`, so no environment is built).
"""

import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_ID = "3f1c6b0e7a429a1d3e0c5b7e4c1a8d2f"
EXAMPLE_ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
FAKE_PULUMI = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$PULUMI_CALLS"
if [ "$1" = version ]; then echo "$FAKE_PULUMI_VERSION"; fi
"""


@dataclass
class Checkout:
    folder: Path
    calls: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.folder / "scripts" / "up.sh"), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def pulumi_calls(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def ups(self) -> list[str]:
        return [call for call in self.pulumi_calls() if call.startswith("up ")]

    def stack_file(self, stack: str = "dev") -> Path:
        return self.folder / f"Pulumi.{stack}.yaml"


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    folder = tmp_path / "repo"
    (folder / "scripts").mkdir(parents=True)
    for name in ("scripts/up.sh", "scripts/env.sh", "Pulumi.yaml", "Pulumi.example.yaml"):
        shutil.copy(ROOT / name, folder / name)
    _executable(folder / ".tools" / "bin" / "uv", "#!/bin/sh\nexit 0\n")
    bin_dir = tmp_path / "bin"
    _executable(bin_dir / "pulumi", FAKE_PULUMI)
    python_dir = Path(shutil.which("python3") or "/usr/bin/python3").parent
    env = {
        "PATH": f"{bin_dir}:{python_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PULUMI_CALLS": str(tmp_path / "calls"),
        "FAKE_PULUMI_VERSION": "v3.274.1",
        "PULUMI_CONFIG_PASSPHRASE": "passphrase",
        "CLOUDFLARE_API_TOKEN": "token",
    }
    return Checkout(folder, tmp_path / "calls", env)


def ready(checkout: Checkout, stack: str = "dev") -> None:
    """A stack file as a user leaves it after editing: their account, their address."""
    text = (ROOT / "Pulumi.example.yaml").read_text()
    text = text.replace(EXAMPLE_ACCOUNT_ID, ACCOUNT_ID).replace("ops@example.com", "ops@acme.io")
    checkout.stack_file(stack).write_text(text)


def test_a_ready_stack_is_deployed_with_the_arguments_given(checkout: Checkout) -> None:
    ready(checkout, "prod")

    result = checkout.run("prod", "--yes", "--diff")

    assert result.returncode == 0, result.stderr
    assert checkout.pulumi_calls()[1:] == [
        "stack select --create prod",
        "up --stack prod --yes --diff",
    ]


def test_without_a_pulumi_cli_it_says_to_install_one(checkout: Checkout) -> None:
    env = {**checkout.env, "PATH": checkout.env["PATH"].split(":", 1)[1]}

    result = subprocess.run(
        ["bash", str(checkout.folder / "scripts" / "up.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "the Pulumi CLI is not on PATH; install it (>= 3.226)" in result.stderr


@pytest.mark.parametrize("version", ["v3.225.0", "v2.300.1", "v3.99.0"])
def test_an_old_pulumi_cli_is_refused_naming_the_version_needed(
    checkout: Checkout, version: str
) -> None:
    ready(checkout)

    result = checkout.run(FAKE_PULUMI_VERSION=version)

    assert result.returncode == 1
    assert f"the Pulumi CLI is {version}; this project needs 3.226 or newer" in result.stderr
    assert checkout.ups() == []


@pytest.mark.parametrize("version", ["v3.226.0", "v3.274.1", "v4.0.0"])
def test_a_recent_enough_pulumi_cli_is_accepted(checkout: Checkout, version: str) -> None:
    ready(checkout)

    assert checkout.run(FAKE_PULUMI_VERSION=version).returncode == 0
    assert checkout.ups() == ["up --stack dev"]


def test_without_a_passphrase_it_says_to_set_one(checkout: Checkout) -> None:
    ready(checkout)

    result = checkout.run(PULUMI_CONFIG_PASSPHRASE="")

    assert result.returncode == 1
    assert "set PULUMI_CONFIG_PASSPHRASE" in result.stderr
    assert checkout.ups() == []


def test_without_a_cloudflare_credential_it_says_what_to_set(checkout: Checkout) -> None:
    ready(checkout)

    result = checkout.run(CLOUDFLARE_API_TOKEN="")

    assert result.returncode == 1
    assert "no Cloudflare credential: export CLOUDFLARE_API_TOKEN=" in result.stderr
    assert "pulumi config set --secret cloudflare:apiToken" in result.stderr
    assert checkout.ups() == []


def test_an_api_token_in_the_stack_config_is_a_credential(checkout: Checkout) -> None:
    ready(checkout)
    stack_file = checkout.stack_file()
    stack_file.write_text(stack_file.read_text() + "  cloudflare:apiToken:\n    secure: AAAB==\n")

    assert checkout.run(CLOUDFLARE_API_TOKEN="").returncode == 0
    assert checkout.ups() == ["up --stack dev"]


def test_an_api_key_needs_its_email(checkout: Checkout) -> None:
    ready(checkout)

    result = checkout.run(CLOUDFLARE_API_TOKEN="", CLOUDFLARE_API_KEY="key")

    assert result.returncode == 1
    assert "CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL go together" in result.stderr
    assert checkout.ups() == []


def test_with_no_stack_file_and_no_account_id_it_refuses_instead_of_deploying_the_example(
    checkout: Checkout,
) -> None:
    result = checkout.run()

    assert result.returncode == 1
    assert "export CLOUDFLARE_ACCOUNT_ID=<your account id>" in result.stderr
    assert not checkout.stack_file().exists()
    assert checkout.ups() == []


def test_the_first_run_writes_the_account_and_stops_at_the_examples_alert_address(
    checkout: Checkout,
) -> None:
    result = checkout.run(CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID)

    assert result.returncode == 1
    assert "wrote Pulumi.dev.yaml from Pulumi.example.yaml" in result.stderr
    assert "still sends expiry alerts to ops@example.com" in result.stderr
    expected = (ROOT / "Pulumi.example.yaml").read_text().replace(EXAMPLE_ACCOUNT_ID, ACCOUNT_ID)
    assert checkout.stack_file().read_text() == expected
    assert checkout.ups() == []


def test_a_stack_file_with_the_examples_account_is_refused(checkout: Checkout) -> None:
    ready(checkout)
    stack_file = checkout.stack_file()
    stack_file.write_text(stack_file.read_text().replace(ACCOUNT_ID, EXAMPLE_ACCOUNT_ID))

    result = checkout.run()

    assert result.returncode == 1
    assert f"still holds the example's account id {EXAMPLE_ACCOUNT_ID}" in result.stderr
    assert checkout.ups() == []


@pytest.mark.parametrize(
    "crafted",
    [
        "x/e;touch PWNED;#",
        f"{ACCOUNT_ID}/;s/.*/touch PWNED/e;#",
        f"{ACCOUNT_ID}\nzoneId: {ACCOUNT_ID}",
        "$(touch PWNED)",
        "`touch PWNED`",
        ACCOUNT_ID.upper(),
        ACCOUNT_ID[:31],
    ],
)
def test_an_account_id_that_is_not_32_hex_digits_is_refused_and_never_run(
    checkout: Checkout, crafted: str
) -> None:
    result = checkout.run(CLOUDFLARE_ACCOUNT_ID=crafted)

    assert result.returncode == 1
    assert "CLOUDFLARE_ACCOUNT_ID is not an account id (32 hex characters" in result.stderr
    assert not checkout.stack_file().exists()
    assert not list(checkout.folder.rglob("PWNED"))
    assert checkout.pulumi_calls() == ["version"]


@pytest.mark.parametrize("stack", ["../outside", "a/b", "-x", "dev;touch PWNED"])
def test_a_stack_name_that_is_not_a_plain_name_is_refused(checkout: Checkout, stack: str) -> None:
    result = checkout.run(stack, CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID)

    assert result.returncode == 1
    assert "is not a plain name" in result.stderr
    assert sorted(p.name for p in checkout.folder.glob("Pulumi.*")) == [
        "Pulumi.example.yaml",
        "Pulumi.yaml",
    ]
    assert not (checkout.folder.parent / "Pulumi.outside.yaml").exists()


def test_the_script_builds_no_command_from_text_sed_or_eval_could_run() -> None:
    code = [
        line
        for line in (ROOT / "scripts" / "up.sh").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]

    assert not [line for line in code if re.search(r"\b(sed|eval|source <|bash -c)\b", line)]
