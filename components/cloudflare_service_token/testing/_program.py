"""Run a Pulumi program under mocks and read back what it exported."""

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ._engine import LogRecord, RecordingEngine
from ._mocks import CloudflareMocks, StackOutput
from ._monitor import RecordingMonitor


@dataclass(frozen=True)
class Resolved:
    """What an Output settled to: its value (None while unknown), and its flags."""

    value: Any
    known: bool
    secret: bool


async def resolve(output: pulumi.Input[Any]) -> Resolved:
    """Wait for `output` and report its value, whether it is known and whether it is secret."""
    out = pulumi.Output.from_input(output)
    return Resolved(
        value=await out.future(),
        known=await out.is_known(),
        secret=await out.is_secret(),
    )


@dataclass(frozen=True)
class ProgramRun:
    """The outcome of `run_program`: the stack's exports, every registration made, and every
    message logged."""

    outputs: dict[str, Resolved]
    monitor: RecordingMonitor
    logs: list[LogRecord]

    def warnings(self, urn_suffix: str = "") -> list[str]:
        """The warnings logged about resources whose URN ends with `urn_suffix` (all of them by
        default, those about no resource included)."""
        return [
            log.message
            for log in self.logs
            if log.severity == "warning" and log.urn.endswith(urn_suffix)
        ]

    def as_stack_outputs(self) -> dict[str, StackOutput]:
        """The exports as another stack's references would see them (for `publish_stack`)."""
        return {
            key: StackOutput(value=resolved.value, secret=resolved.secret)
            for key, resolved in self.outputs.items()
        }


def run_program(
    program: Callable[[], object],
    *,
    mocks: CloudflareMocks | None = None,
    monitor: RecordingMonitor | None = None,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
) -> ProgramRun:
    """Run `program` as a fresh stack under `mocks` and return its exports, resolved.

    `config` maps full keys (`project:key`) to values; dicts and lists are JSON-encoded as the CLI
    does. Errors the program raises, directly or in an apply, are raised here; pass your own
    `monitor` to inspect what was registered before the error.
    """
    if monitor is None:
        monitor = RecordingMonitor(mocks or CloudflareMocks())
    elif mocks is not None:
        raise ValueError("pass either mocks or a monitor built on them, not both")
    pulumi.runtime.set_all_config(
        {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in (config or {}).items()
        }
    )
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(monitor.mocks, project, stack, preview, monitor=monitor)
    # set_mocks takes no engine; its settings are the runtime's own from here on.
    engine = RecordingEngine()
    settings.SETTINGS.engine = engine
    root = settings.get_root_resource()
    outputs: dict[str, Resolved] = {}

    async def main() -> None:
        program()
        exports: dict[str, Any] = getattr(root, "outputs", {})
        for key, value in exports.items():
            outputs[key] = await resolve(value)

    try:
        _sync_await(run_pulumi_func(main))
    except BaseException:
        _forget_unfinished_work()
        raise
    return ProgramRun(outputs=outputs, monitor=monitor, logs=engine.logs)


def _forget_unfinished_work() -> None:
    """Drop what a failed run left pending, so it cannot fail the next run in this process."""
    settings.SETTINGS.rpc_manager.clear()
    with settings.SETTINGS.lock:
        settings.SETTINGS.outputs.clear()
    loop = asyncio.get_event_loop()
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    # The error was raised to the caller; its copies in the failed run's futures are not news.
    loop.set_exception_handler(_ignore_unretrieved_future_errors)


def _ignore_unretrieved_future_errors(
    loop: asyncio.AbstractEventLoop, context: dict[str, Any]
) -> None:
    if "exception was never retrieved" not in context.get("message", ""):
        loop.default_exception_handler(context)
