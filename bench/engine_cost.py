"""Wall time per token of `pulumi up` (creating N tokens) and of the `pulumi preview` after it
(nothing to do: every resource diffed), under the real Pulumi CLI against the local Cloudflare,
for each way of declaring tokens in `program_cost.WAYS`, interleaved in every round."""

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.program_cost import WAYS
from tests.engine.harness import local_cloudflare, python_project

PHASES = ("up", "preview")


def _round(engine: Path, program: Callable[[int], None], count: int) -> dict[str, float]:
    """One fresh stack: seconds per token for its first `up`, then for a `preview`."""
    with (
        tempfile.TemporaryDirectory(prefix="engine-bench-") as folder,
        local_cloudflare(Path(folder)) as cloud,
    ):
        stack = python_project(
            Path(folder) / "bench", engine, cloud, lambda: program(count), name="bench"
        )
        started = time.perf_counter()
        stack.up()
        up = time.perf_counter() - started
        started = time.perf_counter()
        stack.preview("--expect-no-changes")
        preview = time.perf_counter() - started
    return {"up": up / count, "preview": preview / count}


def measure(
    engine: Path, counts: tuple[int, ...], repeats: int
) -> dict[int, dict[str, dict[str, float]]]:
    """Median seconds per token, by count, way and phase; the ways interleaved in every round,
    in a rotating order, so drift on the machine hits all alike."""
    names = list(WAYS)
    _round(engine, WAYS[names[0]], 2)  # warm up the CLI, the plugins and the file cache
    results: dict[int, dict[str, dict[str, float]]] = {}
    for count in counts:
        timings: dict[str, dict[str, list[float]]] = {
            name: {phase: [] for phase in PHASES} for name in names
        }
        for repeat in range(repeats):
            order = names[repeat % len(names) :] + names[: repeat % len(names)]
            for name in order:
                for phase, seconds in _round(engine, WAYS[name], count).items():
                    timings[name][phase].append(seconds)
        results[count] = {
            name: {phase: statistics.median(values) for phase, values in phases.items()}
            for name, phases in timings.items()
        }
    return results
