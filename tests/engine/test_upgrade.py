"""A stack written by release 0.1.0's code, then run with today's code: nothing is replaced, no
token is touched at Cloudflare, and the only changes are the ones the CHANGELOG promises."""

import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

from .harness import ROOT, LocalCloudflare, Project, Step, root_stack
from .stories import CI_TOKEN

# The commit that recorded release 0.1.0's golden state (its code is that release's).
RELEASE_0_1_0 = "149dca8"
SECRET_ROTATION = "pulumi-python:dynamic/cloudflare-service-token:SecretRotation"
TOKENS = {
    "ci": CI_TOKEN,
    "uptime": {"name": "Uptime checks", "secretVersion": 1, "previousSecretGrace": "48h"},
    "deploy": {"name": "Deploy bot", "minDaysForRenewal": 30, "renewalStrategy": "replace"},
}


def release_code(commit: str, folder: Path) -> Path:
    """The package and root program of a past release, from this repository's history."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "components", "__main__.py"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def changed(steps: list[Step]) -> list[tuple[str, str, str]]:
    return sorted((s.op, s.type, s.name) for s in steps if s.op != "same")


def test_a_stack_from_0_1_0_upgrades_without_replacing_or_touching_any_token(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    old_code = release_code(RELEASE_0_1_0, tmp_path / "release-0.1.0")
    stack = root_stack(tmp_path / "root", engine, cloud, TOKENS, isolated=True)
    # The program and the renewal host both load the release's package first.
    stack.program_path = old_code / "__main__.py"
    stack.program_env = {"PYTHONPATH": str(old_code / "components")}
    stack.extra_env = {"PULUMI_PYTHON_CMD": str(_python_with(old_code / "components"))}
    stack.up()
    assert "token_id" not in _rotation_inputs(stack), "0.1.0's rotation records no token"
    before = stack.outputs(show_secrets=True)
    calls = len(cloud.api.requests)

    today = _today(stack)
    planned = changed(today.preview())
    today.up()

    # The CHANGELOG promises no change: "State from 0.1.0 upgrades without rotating anything",
    # and nothing else in 0.2.0 or since changes a stack's resources.
    assert planned == []
    assert cloud.log()[calls:] == []
    assert today.outputs(show_secrets=True) == before
    today.preview("--expect-no-changes")


def _rotation_inputs(stack: Project) -> dict[str, object]:
    resources = stack.export()["deployment"]["resources"]
    (rotation,) = [r for r in resources if r["type"] == SECRET_ROTATION]
    return dict(rotation["inputs"])


def _python_with(packages: Path) -> Path:
    """A Python for the renewal host that finds `packages` before this checkout's."""
    script = packages.parent / "python"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{packages}" exec "{sys.executable}" "$@"\n')
    script.chmod(0o755)
    return script


def _today(stack: Project) -> Project:
    stack.isolated = False
    stack.program_path = ROOT / "__main__.py"
    stack.program_env = {}
    stack.extra_env = {}
    return stack
