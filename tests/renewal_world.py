"""A test world for renewal: a fake clock, the fake Cloudflare API on loopback, and the
dynamic-provider servicer, plus the inputs the component registers for its dynamic resources."""

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import pulumi

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token.testing import (
    CloudflareMocks,
    FakeClock,
    FakeCloudflareApi,
    ProgramRun,
    run_program,
)
from tests.conftest import ACCOUNT_ID, NOW
from tests.dynamic_harness import DynamicProviderHarness, serve_dynamic_providers

API_TOKEN = "cf-api-token-that-must-never-leak"


@dataclass
class World:
    clock: FakeClock
    api: FakeCloudflareApi
    engine: DynamicProviderHarness
    base_url: str


@contextmanager
def renewal_world(**config: str) -> Iterator[World]:
    clock = FakeClock(NOW)
    api = FakeCloudflareApi(api_token=API_TOKEN, now=clock.now)
    with api.serve() as base_url, clock.installed(), serve_dynamic_providers() as engine:
        engine.configure(
            {"cloudflare:apiToken": API_TOKEN, "cloudflare:baseUrl": base_url, **config}
        )
        yield World(clock, api, engine, base_url)


def component_run(clock: FakeClock, preview: bool = False, **args: Any) -> ProgramRun:
    """Run a program with one component (account token, `args` on top) at the clock's time."""
    full = cast(ServiceTokenArgs, {"name": "CI/CD app", "account_id": ACCOUNT_ID, **args})

    def program() -> None:
        token = ServiceTokenComponent("ci", full)
        for output in ("token_id", "expires_at", "renew_after", "client_secret"):
            pulumi.export(output, getattr(token, output))

    return run_program(program, mocks=CloudflareMocks(now=clock.now), preview=preview)


def dynamic_inputs(run: ProgramRun, type_suffix: str) -> dict[str, Any]:
    """What the component registered for one dynamic resource, `__provider` included."""
    return dict(run.monitor.one(type_suffix).inputs)


def pickled_provider(inputs: dict[str, Any]) -> bytes:
    return base64.b64decode(inputs["__provider"])
