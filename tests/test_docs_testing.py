"""docs/testing.md ("Testing your own stack") means what it says: each Python snippet runs, its
tests pass, and the pytest line it gives keeps the Cloudflare SDK's warnings out."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "testing.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), re.S)


def test_the_page_has_the_snippets_a_newcomer_needs() -> None:
    python = blocks("python")

    assert len(python) == 4
    assert "Stack.for_project(PROJECT" in python[0]
    assert len(blocks("toml")) == 1


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_each_python_snippet_runs_and_its_tests_pass(index: int) -> None:
    # As if saved as tests/test_my_stack.py in this checkout, as the page says.
    namespace: dict[str, Any] = {
        "__file__": str(ROOT / "tests" / "test_my_stack.py"),
        "__name__": "snippet",
    }
    exec(compile(blocks("python")[index], f"docs/testing.md#{index}", "exec"), namespace)  # noqa: S102 - our own page

    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests, "a snippet with no test proves nothing"
    for test in tests:
        test()


@pytest.mark.process
def test_the_pytest_line_keeps_the_cloudflare_sdks_deprecation_warnings_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_consumer.py").write_text(
        textwrap.dedent(
            """
            import pulumi_cloudflare

            def test_imports():
                assert pulumi_cloudflare.ZeroTrustAccessServiceToken
            """
        )
    )

    # Without the line, this run shows about 70 DeprecationWarnings (pulumi-cloudflare 6.23).
    (tmp_path / "pyproject.toml").write_text(blocks("toml")[0])

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_consumer.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "warning" not in result.stdout.lower()
