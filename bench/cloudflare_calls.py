"""Cloudflare calls: how many HTTP requests renewal makes for N tokens, driven through the SDK's
dynamic-provider servicer against the fake API, for a preview, an `up` with nothing due and an
`up` with every token due.

Budget (checked in `bench/run.py`): none but in an `up` with tokens due, and there at most 2 per
due token: a renewal reads the token (Cloudflare's view of its expiry) and then refreshes it
only if still due, so an `up` with every token due makes exactly 2 per token."""

from datetime import UTC, datetime
from typing import Any

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._renewal import parse_timestamp
from cloudflare_service_token.testing import (
    CloudflareMocks,
    FakeClock,
    FakeCloudflareApi,
    run_program,
)
from tests.dynamic_harness import DynamicProviderHarness, serve_dynamic_providers

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
API_TOKEN = "bench-api-token"
START = datetime(2026, 1, 1, tzinfo=UTC)
# Terraform v4 listed every token of the account, page by page, on each token's read.
TERRAFORM_V4_PAGE_SIZE = 50


def _renewal_inputs(clock: FakeClock, count: int) -> list[dict[str, Any]]:
    def program() -> None:
        for i in range(count):
            ServiceTokenComponent(
                f"t{i}",
                ServiceTokenArgs(name=f"t{i}", account_id=ACCOUNT_ID, min_days_for_renewal=30),
            )

    run = run_program(program, mocks=CloudflareMocks(now=clock.now))
    return [dict(r.inputs) for r in run.monitor.find(":TokenRenewal")]


def _run(
    engine: DynamicProviderHarness,
    states: list[tuple[str, dict[str, Any], dict[str, Any]]],
    apply: bool,
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """One preview (diff only) or one up (diff, then update what changed)."""
    after = []
    for renewal_id, inputs, outputs in states:
        changed = engine.diff(renewal_id, outputs, inputs).changes
        if apply and changed:
            outputs = engine.update(renewal_id, outputs, inputs)
        after.append((renewal_id, inputs, outputs))
    return after


def count_calls(count: int) -> dict[str, int]:
    clock = FakeClock(START)
    api = FakeCloudflareApi(api_token=API_TOKEN, now=clock.now)
    with api.serve() as base_url, clock.installed(), serve_dynamic_providers() as engine:
        engine.configure({"cloudflare:apiToken": API_TOKEN, "cloudflare:baseUrl": base_url})
        states = []
        for inputs in _renewal_inputs(clock, count):
            api.add_token(
                account_id=ACCOUNT_ID,
                token_id=inputs["token_id"],
                expires_at=parse_timestamp(inputs["token_expires_at"]),
            )
            renewal_id, outputs = engine.up(inputs)
            states.append((renewal_id, inputs, outputs))
        figures = {}
        clock.advance(days=10)
        before = api.calls()
        _run(engine, states, apply=False)
        figures["preview"] = api.calls() - before
        before = api.calls()
        states = _run(engine, states, apply=True)
        figures["up, nothing due"] = api.calls() - before
        clock.advance(days=330)
        before = api.calls()
        _run(engine, states, apply=False)
        figures["preview, all due"] = api.calls() - before
        before = api.calls()
        _run(engine, states, apply=True)
        figures["up, all due"] = api.calls() - before
    return figures


def terraform_v4_calls(count: int) -> int:
    """A model, not a measurement: each token's read lists all `count` tokens, page by page."""
    pages = -(-count // TERRAFORM_V4_PAGE_SIZE)
    return count * pages
