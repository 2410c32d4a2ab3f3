"""Run the real Pulumi CLI in an isolated folder against the local Cloudflare.

- `engine_folder()`: the folder holding the real `pulumi` (`bash scripts/engine.sh` makes it).
- `LocalCloudflare`: the fake Cloudflare API on loopback, our stand-in `cloudflare` provider
  plugin, and a clock that `travel()` moves for both: for the fake API directly, and for every
  process the CLI starts through libfaketime (Debian's `faketime`), monotonic clocks kept real.
  The CLI is a static Go binary, so its own clock stays real.
- `Project`: a Pulumi project in a temporary folder with its own `PULUMI_HOME`, a file backend
  and a passphrase. Each method is one real `pulumi` run and returns what a user would see: the
  exit code and output, the preview's steps (`--json`), `stack export`, the stack outputs.

Every CLI run starts in a process group of its own; whatever it leaves behind (plugins) is ended
through that group, whose id is the CLI's own pid.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from cloudflare_service_token.testing import FakeCloudflareApi
from cloudflare_service_token.testing.local_cloudflare import write_local_cloudflare_plugin

from .inline import Program, program_file, serve_program

ROOT = Path(__file__).resolve().parents[2]
MINIMUM_CLI = (3, 226, 0)
PASSPHRASE = "engine-scenarios"
API_TOKEN = "engine-scenario-api-token"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
# A guard against a hung run, not a performance figure.
RUN_TIMEOUT_SECONDS = 300
_FAKETIME_LIBRARIES = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)
# Variables of the developer's shell that must never reach a scenario.
_SCRUBBED_PREFIXES = ("CLOUDFLARE_", "PULUMI_", "LD_PRELOAD", "FAKETIME")


class EngineMissingError(Exception):
    """No real Pulumi engine here; the message says how to get one."""


def engine_folder() -> Path:
    """The folder of a real `pulumi` >= 3.226: `$PULUMI_ENGINE_BIN`, else the one
    `scripts/engine.sh` builds, else the one on PATH."""
    candidates = []
    if given := os.environ.get("PULUMI_ENGINE_BIN"):
        candidates.append(Path(given))
    candidates.append(ROOT / ".tools" / "engine" / "bin")
    if on_path := shutil.which("pulumi"):
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        cli = folder / "pulumi"
        if cli.is_file() and _version(cli) >= MINIMUM_CLI:
            return folder
    raise EngineMissingError(
        "no Pulumi CLI >= 3.226 found: run `bash scripts/engine.sh` (it builds the pinned CLI "
        "from the Go module proxy, or uses one on PATH), then run these scenarios again"
    )


def faketime_library() -> Path:
    for candidate in _FAKETIME_LIBRARIES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise EngineMissingError(
        "libfaketime is missing: install Debian's `faketime` package (apt-get install faketime); "
        "the scenarios move the clock of the processes the engine starts with it"
    )


def _version(cli: Path) -> tuple[int, ...]:
    try:
        text = subprocess.run(
            [str(cli), "version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    digits = text.strip().lstrip("v").split("-")[0].split("+")[0].split(".")
    try:
        return tuple(int(part) for part in digits[:3])
    except ValueError:
        return ()


@dataclass
class LocalCloudflare:
    """The fake API (its request log is the scenarios' view of Cloudflare), the stand-in plugin's
    folder and the shared clock."""

    api: FakeCloudflareApi
    base_url: str
    plugin_folder: Path
    offset: timedelta = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def travel(self, *, days: float = 0, hours: float = 0) -> None:
        """Move the clock forward, for the fake API and every process the CLI starts next."""
        self.offset += timedelta(days=days, hours=hours)

    def calls(self, operation: str | None = None) -> int:
        return self.api.calls(operation)

    def log(self) -> list[str]:
        """The operations Cloudflare saw, in order."""
        return [request.operation for request in self.api.requests]

    def clock_environment(self) -> dict[str, str]:
        if not self.offset:
            return {}
        return {
            "LD_PRELOAD": str(faketime_library()),
            "FAKETIME": f"+{int(self.offset.total_seconds())}",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "NO_FAKE_STAT": "1",
        }


@contextmanager
def local_cloudflare(folder: Path) -> Iterator[LocalCloudflare]:
    holder: dict[str, LocalCloudflare] = {}

    def now() -> datetime:
        return holder["cloud"].now() if "cloud" in holder else datetime.now(UTC)

    api = FakeCloudflareApi(api_token=API_TOKEN, now=now)
    plugin_folder = folder / "local-cloudflare"
    plugin_folder.mkdir(parents=True)
    write_local_cloudflare_plugin(plugin_folder, python=sys.executable)
    with api.serve() as base_url:
        holder["cloud"] = LocalCloudflare(api, base_url, plugin_folder)
        yield holder["cloud"]


@dataclass(frozen=True)
class Run:
    """One CLI run as a user sees it."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass(frozen=True)
class Step:
    op: str
    urn: str

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def type(self) -> str:
        return self.urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1]


@dataclass
class Project:
    """A Pulumi project in its own folder, with one stack, run by the real CLI."""

    folder: Path
    engine: Path
    cloud: LocalCloudflare
    settings: dict[str, Any]
    program: Program | None = None
    # The program's file; with `isolated`, it is served from a Python process of its own.
    program_path: Path | None = None
    isolated: bool = False
    stack: str = "dev"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Variables for an isolated program's own process only.
    program_env: dict[str, str] = field(default_factory=dict)
    # Another project's backend, to share its stacks (stack references).
    backend_folder: Path | None = None
    # An Automation API program that makes the runs needing a program itself: it is given the
    # CLI's arguments (`up --yes --skip-preview`, `preview --json`, ...) and answers as the CLI
    # would (`preview --json` prints `{"steps": [...]}`).
    driver: Sequence[str] | None = None
    home: Path = field(init=False)
    backend: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.folder.parent / f"{self.folder.name}-home"
        self.backend = self.backend_folder or self.folder.parent / f"{self.folder.name}-state"
        for path in (self.folder, self.home, self.backend):
            path.mkdir(parents=True, exist_ok=True)
        settings = dict(self.settings)
        plugins = dict(settings.get("plugins") or {})
        plugins["providers"] = [
            *plugins.get("providers", []),
            {"name": "cloudflare", "path": str(self.cloud.plugin_folder)},
        ]
        settings["plugins"] = plugins
        (self.folder / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
        self.cli("stack", "init", self.stack)

    # -- config ------------------------------------------------------------------------------

    def configure(self, config: Mapping[str, Any]) -> None:
        """Set plain config (nested values allowed) in the stack's file, as a user edits it."""
        path = self.folder / f"Pulumi.{self.stack}.yaml"
        document = yaml.safe_load(path.read_text()) if path.exists() else None
        document = document or {}
        document.setdefault("config", {}).update(config)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def set_secret(self, key: str, value: str) -> None:
        self.cli("config", "set", "--secret", key, value)

    # -- the engine's operations -------------------------------------------------------------

    def preview(self, *flags: str, check: bool = True) -> list[Step]:
        """`pulumi preview --json`: the steps it plans, `same` ones included."""
        run = self.cli("preview", "--json", *flags, program=True, check=check)
        return [Step(step["op"], step["urn"]) for step in run.json().get("steps", [])]

    def up(
        self,
        *flags: str,
        check: bool = True,
        on_started: Callable[[subprocess.Popen[str]], None] | None = None,
    ) -> Run:
        return self.cli(
            "up",
            "--yes",
            "--skip-preview",
            *flags,
            program=True,
            check=check,
            on_started=on_started,
        )

    def refresh(self, *flags: str, check: bool = True) -> Run:
        return self.cli("refresh", "--yes", "--skip-preview", *flags, program=True, check=check)

    def destroy(self, *flags: str, check: bool = True) -> Run:
        return self.cli("destroy", "--yes", "--skip-preview", *flags, program=True, check=check)

    def export(self) -> dict[str, Any]:
        return dict(self.cli("stack", "export").json())

    def outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        flags = ("--show-secrets",) if show_secrets else ()
        return dict(self.cli("stack", "output", "--json", *flags).json())

    def state_file(self) -> str:
        """The raw state file the backend keeps, as it lies on disk."""
        project = str(self.settings["name"])
        return (self.backend / ".pulumi" / "stacks" / project / f"{self.stack}.json").read_text()

    @property
    def qualified_stack(self) -> str:
        """The stack's name as other stacks reference it on a file backend."""
        return f"organization/{self.settings['name']}/{self.stack}"

    # -- running the CLI ---------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(_SCRUBBED_PREFIXES)
        }
        env.update(
            {
                "PATH": f"{self.engine}{os.pathsep}{env.get('PATH', '')}",
                "PULUMI_HOME": str(self.home),
                "PULUMI_BACKEND_URL": f"file://{self.backend}",
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "1",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                # Our pulumi-resource-pulumi-python runs the dynamic providers with this Python,
                # the one that has this checkout's package.
                "PULUMI_PYTHON_CMD": sys.executable,
                "CLOUDFLARE_API_TOKEN": API_TOKEN,
            }
        )
        env.update(self.cloud.clock_environment())
        env.update(self.extra_env)
        return env

    def cli(
        self,
        *args: str,
        program: bool = False,
        check: bool = True,
        on_started: Callable[[subprocess.Popen[str]], None] | None = None,
    ) -> Run:
        """One `pulumi` run in this project's folder; with `program`, the Python program is
        served to it inline."""
        if program and self.driver is not None:
            run = _run([*self.driver, *args], self.folder, self.environment(), on_started)
            if check and run.code != 0:
                raise AssertionError(
                    f"`{' '.join(self.driver)} {' '.join(args)}` exited {run.code}:\n"
                    f"{run.stdout}\n{run.stderr}"
                )
            return run
        with ExitStack() as stack:
            flags: Sequence[str] = ()
            if program and self.isolated and self.program_path is not None:
                flags = stack.enter_context(
                    serve_program_process(
                        self.program_path, {**self.environment(), **self.program_env}
                    )
                )
            elif program and self.program is not None:
                flags = stack.enter_context(serve_program(self.program))
            command = [
                str(self.engine / "pulumi"),
                *args,
                *flags,
                "--non-interactive",
                "--color=never",
            ]
            run = _run(command, self.folder, self.environment(), on_started)
        if check and run.code != 0:
            raise AssertionError(
                f"`pulumi {' '.join(args)}` exited {run.code}:\n{run.stdout}\n{run.stderr}"
            )
        return run


def _run(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    on_started: Callable[[subprocess.Popen[str]], None] | None,
) -> Run:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        if on_started is not None:
            on_started(process)
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    finally:
        end_group(process)
    return Run(tuple(command[1:]), process.returncode, stdout, stderr)


@contextmanager
def serve_program_process(path: Path, env: Mapping[str, str]) -> Iterator[list[str]]:
    """Serve the program at `path` from a Python process of its own (`tests.engine.inline`);
    yields the CLI's flags; the process is ended by its own pid."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.inline", str(path)],
        cwd=ROOT,
        env={
            **env,
            "PYTHONPATH": os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(ROOT)])),
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        flags = process.stdout.readline().split()
        if not flags:
            raise AssertionError(f"the program server for {path} did not start")
        yield flags
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(RUN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def end_group(process: subprocess.Popen[str]) -> None:
    """End the CLI and everything it started, each by its own pid.

    Its process group is not enough: the CLI starts each plugin in a group of its own (so that
    Ctrl-C reaches the CLI alone), and plugins of a killed CLI live on, orphaned. So the CLI's
    descendants are listed while it still stands, and each is ended after it."""
    started = descendants(process.pid) if process.poll() is None else []
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    process.wait()
    for pid in started:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """The pids of every process below `pid`, from /proc (children before grandchildren)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            # The command name (2nd field) is in parentheses and may hold spaces.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        below = [child for parent in frontier for child in children.get(parent, [])]
        found += below
        frontier = below
    return found


def root_stack(
    folder: Path,
    engine: Path,
    cloud: LocalCloudflare,
    tokens: Mapping[str, Any],
    *,
    isolated: bool = False,
) -> Project:
    """The repository's root stack, its own `__main__.py` served inline, with `tokens` as its
    config and the local Cloudflare as its Cloudflare."""
    settings = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    # The scenario's backend comes from PULUMI_BACKEND_URL; the project's relative one is for
    # users running `pulumi` in the checkout.
    settings.pop("backend", None)
    main = ROOT / "__main__.py"
    project = Project(
        folder,
        engine,
        cloud,
        settings,
        program=program_file(main),
        program_path=main,
        isolated=isolated,
    )
    project.configure(
        {
            "cloudflare:baseUrl": cloud.base_url,
            "cloudflare-service-tokens:accountId": ACCOUNT_ID,
            "cloudflare-service-tokens:tokens": dict(tokens),
        }
    )
    return project


def python_project(
    folder: Path,
    engine: Path,
    cloud: LocalCloudflare,
    program: Program,
    *,
    name: str,
    config: Mapping[str, Any] | None = None,
    backend: Path | None = None,
) -> Project:
    """A Python project of the scenario's own, its program served inline."""
    project = Project(
        folder,
        engine,
        cloud,
        {"name": name, "runtime": "python"},
        program=program,
        backend_folder=backend,
    )
    project.configure({"cloudflare:baseUrl": cloud.base_url, **dict(config or {})})
    return project


PLUGIN = "cloudflare-service-token"


def plugin_project(
    folder: Path,
    engine: Path,
    cloud: LocalCloudflare,
    settings: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    driver: Sequence[str] | None = None,
) -> Project:
    """A project that uses our provider plugin (`settings` say where it is loaded from), with
    `config` as its stack config and the local Cloudflare as the Cloudflare of both the plugin
    and the stand-in. Without `driver`, the CLI runs the program with the project's language
    host (YAML's)."""
    project = Project(folder, engine, cloud, dict(settings), driver=driver)
    project.configure(
        {
            **dict(config),
            "cloudflare:baseUrl": cloud.base_url,
            f"{PLUGIN}:baseUrl": cloud.base_url,
        }
    )
    return project


def processes_in(folder: Path) -> list[int]:
    """The pids of the processes whose working folder is `folder` or below it: a project's
    plugins and hosts run in its folder."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        with suppress(OSError):
            if cwd.resolve().is_relative_to(folder):
                found.append(int(cwd.parent.name))
    return found
