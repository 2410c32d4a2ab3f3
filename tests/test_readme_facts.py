"""What the README (and the schema) tell a newcomer is true: a `forever` token's expiry, the
import its snippets need, where renewal-now and testing are explained, and the licence."""

import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pulumi

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._renewal import parse_timestamp
from cloudflare_service_token._schema import package_schema
from cloudflare_service_token.testing import FakeClock, Stack
from tests.conftest import ACCOUNT_ID

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
REFERENCE = (ROOT / "docs" / "reference.md").read_text()
DAY = datetime(2026, 1, 5, tzinfo=UTC)


def forever_program() -> None:
    token = ServiceTokenComponent(
        "ci", ServiceTokenArgs(name="CI", account_id=ACCOUNT_ID, duration="forever")
    )
    pulumi.export("expires_at", token.expires_at)


def test_a_forever_tokens_expiry_is_about_a_hundred_years_out() -> None:
    with Stack(forever_program, clock=FakeClock(DAY)) as stack:
        stack.up()

        expires_at = parse_timestamp(stack.outputs["expires_at"])
        assert abs(expires_at - (DAY + timedelta(hours=876_000))) < timedelta(seconds=1)


def test_the_reference_and_the_schema_give_a_forever_token_its_real_expiry() -> None:
    row = next(line for line in REFERENCE.splitlines() if line.startswith("| `expires_at` |"))
    component = package_schema("0.0.0")["resources"][
        "cloudflare-service-token:index:ServiceTokenComponent"
    ]
    description = component["properties"]["expiresAt"]["description"]

    for text in (row, description):
        assert "100 years" in text, text
        assert "None" not in text and "never" not in text, text


def test_every_snippet_that_uses_the_provider_imports_it_by_its_package_name() -> None:
    pages = [README, *(page.read_text() for page in (ROOT / "docs").glob("*.md"))]
    snippets = [s for page in pages for s in re.findall(r"```python\n(.*?)```", page, re.S)]
    using = [s for s in snippets if re.search(r"^[^#\n]*\bcloudflare\.\w", s, re.M)]

    assert using
    for snippet in using:
        assert "import pulumi_cloudflare as cloudflare" in snippet, snippet
    assert not any(re.search(r"^import cloudflare\b", s, re.M) for s in snippets)


def test_the_readme_gives_the_renew_now_recipe_and_points_to_the_pages_behind_it() -> None:
    assert "**…renew a token now?**" in README
    for page in ("docs/operations.md", "docs/testing.md"):
        assert f"({page}" in README, page
        assert (ROOT / page).is_file(), page


def test_the_licence_is_the_apache_2_text_the_package_metadata_names() -> None:
    licence = (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert project["license"] == "Apache-2.0"
    assert licence.split()[:5] == ["Apache", "License", "Version", "2.0,", "January"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
