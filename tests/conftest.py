"""Shared constants. Each test builds what it needs; there are few fixtures on purpose."""

from datetime import UTC, datetime

from hypothesis import settings

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
ZONE_ID = "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# Deterministic property tests: the same examples on every run, and no wall-clock deadline
# (a loaded CI machine must not turn a slow example into a failure).
settings.register_profile("project", deadline=None, derandomize=True, max_examples=100)
settings.load_profile("project")
