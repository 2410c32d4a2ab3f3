"""The tooling around the real engine, without running it: where the scenarios look for the CLI,
and what `scripts/engine.sh` says when it can neither find nor build one."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.engine import harness

ROOT = Path(__file__).resolve().parents[1]


def test_without_any_cli_the_scenarios_are_told_to_run_engine_sh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(harness, "ROOT", tmp_path)
    monkeypatch.setenv("PULUMI_ENGINE_BIN", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(harness.EngineMissingError, match=r"run `bash scripts/engine\.sh`"):
        harness.engine_folder()


def test_a_cli_older_than_3_226_is_not_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    old = tmp_path / "old"
    old.mkdir()
    fake_cli = old / "pulumi"
    fake_cli.write_text("#!/bin/sh\necho v3.225.0\n")
    fake_cli.chmod(0o755)
    monkeypatch.setattr(harness, "ROOT", tmp_path)
    monkeypatch.setenv("PULUMI_ENGINE_BIN", str(old))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(harness.EngineMissingError):
        harness.engine_folder()


def test_engine_sh_without_go_or_a_cli_fails_naming_both_ways_out(tmp_path: Path):
    # A PATH with the shell's own tools but neither `go` nor `pulumi`.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname", "sed", "sort", "head", "cat", "sha256sum", "cut", "printf"):
        target = subprocess.run(
            ["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        os.symlink(target, tools / tool)

    run = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "engine.sh")],
        env={"PATH": str(tools), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert "install the Pulumi CLI" in run.stderr
    assert "install Go" in run.stderr
