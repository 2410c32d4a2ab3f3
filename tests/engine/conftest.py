"""The engine scenarios: real `pulumi` runs against the local Cloudflare (`-m engine`).

Without an engine they skip, naming `bash scripts/engine.sh`; with `ENGINE_REQUIRED=1` (CI sets
it) a missing engine fails the run instead.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import (
    EngineMissingError,
    LocalCloudflare,
    engine_folder,
    faketime_library,
    local_cloudflare,
)


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
