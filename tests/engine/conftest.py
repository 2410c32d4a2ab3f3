"""The engine scenarios: real `pulumi` runs against the local Cloudflare (`-m engine`).

Without an engine they skip, naming `bash scripts/engine.sh`; with `ENGINE_REQUIRED=1` (CI sets
it) a missing engine fails the run instead.
"""

import os
import signal
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from .harness import (
    EngineMissingError,
    LocalCloudflare,
    engine_folder,
    faketime_library,
    local_cloudflare,
    processes_in,
)

# A guard for processes on their way out, not a timing.
EXIT_WAIT_SECONDS = 10


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine() -> Path:
    try:
        faketime_library()
        return engine_folder()
    except EngineMissingError as missing:
        if os.environ.get("ENGINE_REQUIRED") == "1":
            pytest.fail(f"ENGINE_REQUIRED=1 but {missing}")
        pytest.skip(str(missing))


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[LocalCloudflare]:
    with local_cloudflare(tmp_path) as local:
        yield local


@pytest.fixture(autouse=True)
def _nothing_left_running(tmp_path: Path) -> Iterator[None]:
    """Every process a scenario's CLI started (plugins, hosts) has ended when the test ends;
    any left over is ended by its own pid, and the test fails naming it."""
    yield
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    while (left := processes_in(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left running in {tmp_path}: {left}"
