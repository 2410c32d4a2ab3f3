"""Every snippet in the README and in docs/ means what it says.

Python snippets run as programs under the testing kit's mocks (each on its own: a snippet that
needs a name it does not define fails here, as it would for a reader who pastes it); YAML ones
parse; shell ones name only scripts that exist. docs/testing.md and docs/languages.md have
runners of their own (`tests/test_docs_testing.py`, the language stories of
`tests/engine/test_languages.py`), which this test checks are there.
"""

import re
from pathlib import Path

import pytest
import yaml

from cloudflare_service_token.testing import CloudflareMocks, run_program

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OWN_RUNNERS = {
    "docs/testing.md": "tests/test_docs_testing.py",
    "docs/languages.md": "tests/engine/test_languages.py",
}
# The README's "read the token in another stack" reads the stack its usage snippet deploys.
PRODUCER = "acme/tokens/prod"


def snippets(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        name = str(page.relative_to(ROOT))
        if name in OWN_RUNNERS:
            continue
        for index, code in enumerate(
            re.findall(rf"^```{language}\n(.*?)^```", page.read_text(), re.S | re.M)
        ):
            found.append((f"{name}#{language}{index}", code))
    return found


def _program(label: str, code: str) -> None:
    exec(compile(code, label, "exec"), {"__name__": "__main__"})  # noqa: S102 - our own docs


def _producer_outputs() -> dict[str, object]:
    usage = next(code for label, code in snippets("python") if "export_service_token(" in code)
    return dict(
        run_program(lambda: _program("usage", usage), mocks=CloudflareMocks()).as_stack_outputs()
    )


@pytest.mark.parametrize(("label", "code"), snippets("python"), ids=lambda value: value[:40])
def test_each_python_snippet_runs_as_a_program(label: str, code: str) -> None:
    mocks = CloudflareMocks(stacks={PRODUCER: _producer_outputs()})  # type: ignore[dict-item]

    run = run_program(lambda: _program(label, code), mocks=mocks)

    assert run.monitor.registrations, f"{label} declared nothing"


@pytest.mark.parametrize(("label", "code"), snippets("yaml"), ids=lambda value: value[:40])
def test_each_yaml_snippet_parses(label: str, code: str) -> None:
    assert yaml.safe_load(code) is not None, label


def test_every_script_the_docs_run_exists() -> None:
    named = {
        script
        for _, code in snippets("sh")
        for script in re.findall(r"\bscripts/[\w-]+\.sh\b", code)
    }

    assert named
    assert sorted(s for s in named if not (ROOT / s).is_file()) == []


def test_the_pages_with_runners_of_their_own_have_them() -> None:
    for page, runner in OWN_RUNNERS.items():
        assert (ROOT / page).is_file(), page
        assert page in (ROOT / runner).read_text(), runner
