"""Run a Pulumi program under mocks and read back what it exported."""

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType, TracebackType
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
    except BaseException as error:
        trace = error.__traceback__
        _forget_unfinished_work()
        # The error may also be a failed task's, whose traceback the cleanup read back.
        for frame in _traceback_frames(error.__traceback__):
            _close_unawaited(frame)
        error.__traceback__ = trace
        raise
    return ProgramRun(outputs=outputs, monitor=monitor, logs=engine.logs)


def _forget_unfinished_work() -> None:
    """Drop what a failed run left pending, so it can neither fail the next run in this process
    nor print its leftovers: the error was raised to the caller once, its copies are not news."""
    loop = asyncio.get_event_loop()
    # First, so that the failed run's tasks dropped below report nothing.
    loop.set_exception_handler(_ignore_unretrieved_future_errors)
    settings.SETTINGS.rpc_manager.clear()
    with settings.SETTINGS.lock:
        leftovers = list(settings.SETTINGS.outputs)
        settings.SETTINGS.outputs.clear()
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in {*leftovers, *pending}:
        for frame in _frames(task):
            _close_unawaited(frame)
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _frames(task: "asyncio.Future[Any]") -> list[FrameType]:
    """The frames a failed run's task still holds: its coroutine's, while it waits, and those of
    the traceback its error was saved with (which `result()` hands back)."""
    coroutine = task.get_coro() if isinstance(task, asyncio.Task) else None
    if inspect.iscoroutine(coroutine) and coroutine.cr_frame is not None:
        return [coroutine.cr_frame]
    if not task.done() or task.cancelled():
        return []
    try:
        task.result()  # also marks the error retrieved: nothing left to report about it
    except BaseException as error:  # any error the task ended with
        return _traceback_frames(error.__traceback__)
    return []


def _traceback_frames(trace: TracebackType | None) -> list[FrameType]:
    frames = []
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    return frames


def _close_unawaited(frame: FrameType) -> None:
    """Close the coroutines `frame` was handed and never started. An Output's task is handed
    the `future()` and `is_known()` coroutines of the Output it comes from and awaits them last;
    the run failed before, and each would warn "coroutine ... was never awaited" whenever it is
    collected, perhaps long after the test."""
    for value in frame.f_locals.values():
        if inspect.iscoroutine(value) and inspect.getcoroutinestate(value) == "CORO_CREATED":
            value.close()


def _ignore_unretrieved_future_errors(
    loop: asyncio.AbstractEventLoop, context: dict[str, Any]
) -> None:
    if "exception was never retrieved" not in context.get("message", ""):
        loop.default_exception_handler(context)
