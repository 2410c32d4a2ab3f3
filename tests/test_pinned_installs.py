"""Installs that run where credentials are present take only the versions in uv.lock, each
checked against its hash: the provider plugin's (the language host runs `pip install -r
provider/requirements.txt`), the Python examples' (`uv sync` of this repository's lock), and the
scheduled renewal workflow's."""

import json
import re
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

# Starts real processes (hosts, plugins, pip, pytest): `-m process`, run by CI after the
# fast suite.
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
PROVIDER_REQUIREMENTS = ROOT / "provider" / "requirements.txt"
EXPORT = ["export", "--frozen", "--no-dev", "--no-emit-project", "--no-header"]
PYTHON_EXAMPLES = ("basic", "consumer", "github-actions", "protected-app", "renewal", "vault")


def locked() -> dict[str, dict[str, Any]]:
    """uv.lock's packages by name: version and every hash it records."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = {}
    for package in lock["package"]:
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        packages[package["name"]] = {
            "version": package.get("version"),
            "hashes": {f["hash"] for f in files if "hash" in f},
        }
    return packages


def requirements(path: Path) -> list[tuple[str, str, set[str]]]:
    """(name, version, hashes) of each requirement; anything but `name==version --hash…` fails."""
    text = re.sub(r"\\\n", " ", path.read_text())
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(
            r"([A-Za-z0-9._-]+)==([^\s;]+)(?:\s*;[^-]*)?((?:\s+--hash=\S+)+)", line
        )
        assert match, f"{path.name}: not a pinned, hashed requirement: {line!r}"
        name, version, hashes = match.groups()
        found.append((name.lower(), version, set(re.findall(r"--hash=(\S+)", hashes))))
    return found


def test_the_plugins_requirements_are_uv_lock_exported() -> None:
    exported = subprocess.run(
        [str(UV), *EXPORT, "--format", "requirements-txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    body = "".join(
        line
        for line in PROVIDER_REQUIREMENTS.read_text().splitlines(keepends=True)
        if not line.startswith("# ") and line != "#\n"
    )

    assert body == exported, "uv.lock changed: regenerate provider/requirements.txt (its header)"


def test_each_plugin_requirement_is_a_locked_version_with_only_locked_hashes() -> None:
    lock = locked()

    pinned = requirements(PROVIDER_REQUIREMENTS)

    assert len(pinned) >= 30
    for name, version, hashes in pinned:
        assert lock[name]["version"] == version, name
        assert hashes and hashes <= lock[name]["hashes"], name


def test_the_plugins_install_resolves_to_nothing_but_the_locked_environment(
    tmp_path: Path,
) -> None:
    # The project's environment holds exactly uv.lock's versions (`uv sync --frozen`). Offline,
    # pip can only accept what is already there: any requirement that asked for another version,
    # or that needed building (a source folder such as `..`), would fail to resolve.
    report = tmp_path / "report.json"

    result = subprocess.run(
        [
            str(ROOT / ".tools" / "bin" / "python"),
            "-m",
            "pip",
            "--python",
            str(ROOT / ".venv" / "bin" / "python"),
            "install",
            "--dry-run",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            "--report",
            str(report),
            "-r",
            "requirements.txt",
        ],
        cwd=ROOT / "provider",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(report.read_text())["install"] == []


def test_the_plugin_imports_this_checkouts_package_when_only_its_requirements_are_installed() -> (
    None
):
    # `-S` skips the .pth file that makes the package importable in the project's environment:
    # as in the plugin's own environment, only its dependencies are there.
    site_packages = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    code = (
        f"import sys; sys.path.append({str(site_packages)!r}); import runpy; "
        f"ns = runpy.run_path({str(ROOT / 'provider' / '__main__.py')!r}, run_name='plugin'); "
        f"print(ns['_FROM_SOURCE'], ns['_version'](), ns['serve'].__module__)"
    )

    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=120, check=False
    )

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert result.stdout.split() == ["True", version, "cloudflare_service_token._plugin"], (
        result.stderr
    )


def test_an_installed_package_is_the_one_the_plugin_uses() -> None:
    namespace = runpy.run_path(str(ROOT / "provider" / "__main__.py"), run_name="plugin")

    assert namespace["_FROM_SOURCE"] is False


@pytest.mark.parametrize("example", PYTHON_EXAMPLES)
def test_each_python_example_runs_in_the_repositorys_locked_environment(example: str) -> None:
    folder = ROOT / "examples" / example
    options = yaml.safe_load((folder / "Pulumi.yaml").read_text())["runtime"]["options"]

    # uv's toolchain runs `uv sync` against the uv.lock above, into the venv named here.
    assert options == {"toolchain": "uv", "virtualenv": "../../.venv"}
    assert (folder / options["virtualenv"]).resolve() == ROOT / ".venv"
    assert not (folder / "requirements.txt").exists()


def test_the_locked_environment_holds_every_python_examples_providers() -> None:
    lock = locked()
    imported = {
        module
        for example in PYTHON_EXAMPLES
        for module in re.findall(
            r"^import (pulumi_\w+)", (ROOT / "examples" / example / "__main__.py").read_text(), re.M
        )
    }

    assert imported == {"pulumi_cloudflare", "pulumi_github", "pulumi_vault"}
    assert all(module.replace("_", "-") in lock for module in imported)


def test_the_workflows_uv_is_hash_checked_at_the_version_the_scripts_use() -> None:
    pinned = requirements(ROOT / "examples" / "renewal" / "requirements-uv.txt")
    scripts_uv = re.search(r'"uv==([\d.]+)"', (ROOT / "scripts" / "env.sh").read_text())

    assert scripts_uv is not None
    assert [(name, version) for name, version, _ in pinned] == [("uv", scripts_uv.group(1))]
    assert len(pinned[0][2]) == 2
