"""Inputs of the renewal resources as the component gives them, under the machines' names."""

from datetime import timedelta
from typing import Any

from cloudflare_service_token._renewal import format_timestamp
from tests.conftest import ACCOUNT_ID, NOW

TOKEN_ID = "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
DAY = timedelta(days=1)


def tracker(**overrides: Any) -> dict[str, Any]:
    return {
        "token_id": TOKEN_ID,
        "account_id": ACCOUNT_ID,
        "token_expires_at": format_timestamp(NOW + 365 * DAY),
        "min_days": 30,
        **overrides,
    }


def schedule(**overrides: Any) -> dict[str, Any]:
    return {"duration": "8760h", "min_days": 30, **overrides}


def rotation(**overrides: Any) -> dict[str, Any]:
    return {
        "token_id": TOKEN_ID,
        "account_id": ACCOUNT_ID,
        "secret_version": 1,
        "grace": "24h",
        **overrides,
    }
