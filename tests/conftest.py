"""Shared constants. Each test builds what it needs; there are few fixtures on purpose.

Every test runs at a fixed instant (NOW) unless it installs a clock of its own: nothing depends
on the wall clock, so two runs in one test can never straddle a second.
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import settings

from cloudflare_service_token.testing import FakeClock

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
ZONE_ID = "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# Deterministic property tests: the same examples on every run, and no wall-clock deadline
# (a loaded CI machine must not turn a slow example into a failure).
settings.register_profile("project", deadline=None, derandomize=True, max_examples=100)
# Mutation testing runs the suite once per mutant: fewer examples, still deterministic.
settings.register_profile("mutation", deadline=None, derandomize=True, max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))


@pytest.fixture(autouse=True)
def _fixed_time() -> Iterator[None]:
    with FakeClock(NOW).installed():
        yield
