"""The "renew a token now" recipe (docs/operations.md, README), step by step on the root stack:
open the window for one run, preview, up, put the window back."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloudflare_service_token.testing import FakeClock, Stack

ROOT = Path(__file__).resolve().parent.parent
TOKENS = "cloudflare-service-tokens:tokens"


def root_stack(strategy: str) -> Stack:
    token = {"name": "CI/CD app", "minDaysForRenewal": 30, "renewalStrategy": strategy}
    return Stack.for_project(
        ROOT,
        stack="example",
        config={TOKENS: {"ci": token}},
        clock=FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)),
    )


def set_window(stack: Stack, days: int) -> None:
    """As a user edits minDaysForRenewal in Pulumi.<stack>.yaml."""
    stack.config[TOKENS] = {"ci": {**stack.config[TOKENS]["ci"], "minDaysForRenewal": days}}


@pytest.mark.parametrize(
    ("strategy", "previewed"),
    [
        ("refresh", [("ci-renewal", "update")]),
        ("replace", [("ci-schedule", "update"), ("ci-token", "replace")]),
    ],
)
def test_opening_the_window_for_one_up_renews_the_token_now_and_only_once(
    strategy: str, previewed: list[tuple[str, str]]
) -> None:
    with root_stack(strategy) as stack:
        stack.up()
        stack.clock.advance(days=100)  # 265 days left: nothing due with a 30-day window
        assert stack.preview().changes == []
        expiry, calls = stack.outputs["ci_expires_at"], stack.api.calls()

        set_window(stack, 364)
        assert stack.preview().changes == previewed
        assert stack.api.calls() == calls

        stack.up()
        assert stack.outputs["ci_expires_at"] > expiry
        assert stack.api.calls("refresh") == (1 if strategy == "refresh" else 0)
        assert stack.api.calls("create") == (2 if strategy == "replace" else 1)

        set_window(stack, 30)
        calls = stack.api.calls()
        stack.up()
        assert stack.api.calls() == calls
        assert stack.up().changes == []
        assert stack.api.calls() == calls
        assert len(stack.api.tokens()) == 1
