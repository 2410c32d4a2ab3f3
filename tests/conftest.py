"""Shared constants. Each test builds what it needs; there are few fixtures on purpose."""

from datetime import UTC, datetime

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
ZONE_ID = "9c7e4b2f1a0d8e6c5b3a29180f7e6d5c"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
