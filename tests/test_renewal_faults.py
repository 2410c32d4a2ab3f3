"""The fault report: each renewal under each fault Cloudflare can throw at it.

Every case runs the refresh renewal's `update` through the servicer against the fake API and
checks the outcome, the number of refresh calls (each renewal reads the token once first), that
a failure leaves the recorded state as it was (so the next `pulumi up` tries again), and that no
secret shows in the message or the logs.
The table is reproduced in docs/operations.md ("Faults").
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pulumi
import pytest

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._renewal import parse_timestamp
from cloudflare_service_token.testing import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.lifecycle import DeploymentError, Stack
from tests.lifecycle import world as lifecycle_world
from tests.renewal_world import API_TOKEN, World, component_run, dynamic_inputs, renewal_world

# Fast retries: the fake answers with a tiny retry-after, as Cloudflare answers with its own.
SOON = "0.01"


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    renewed: bool
    calls: int
    message: str = ""


CASES = {
    "429 then success": Case((Fault(429, 971, "Rate limited", retry_after=SOON),), True, 2),
    "429 on every try": Case(
        (Fault(429, 971, "Rate limited", retry_after=SOON),) * 3,
        False,
        3,
        "rate-limited the refresh of service token",
    ),
    "500 then success": Case((Fault(500, retry_after=SOON),), True, 2),
    "502 twice then success": Case((Fault(502, retry_after=SOON),) * 2, True, 3),
    "503 on every try": Case(
        (Fault(503, retry_after=SOON),) * 3, False, 3, "HTTP 503, code 10001: Internal error"
    ),
    "timeout on every try": Case((Fault(200, delay=0.3),) * 3, False, 3, "timed out"),
    "timeout then success": Case((Fault(200, delay=0.3),), True, 2),
    "404 deleted outside Pulumi": Case(
        (Fault(404, 12135, "Access service token not found"),), False, 1, "pulumi refresh"
    ),
    "401 bad API token": Case(
        (Fault(401, 10000, "Authentication error"),),
        False,
        1,
        "HTTP 401, code 10000: Authentication error) with the API token from "
        "`cloudflare:apiToken`: the API token needs the permission 'Access: Service Tokens Write'",
    ),
    "403 missing permission": Case(
        (Fault(403, 10000, "Authentication error"),),
        False,
        1,
        "HTTP 403, code 10000: Authentication error) with the API token from "
        "`cloudflare:apiToken`: the API token needs the permission 'Access: Service Tokens Write'",
    ),
    "200 with success false": Case(
        (Fault(success_false=True, code=12000, message="refresh failed"),),
        False,
        1,
        "success: false, code 12000: refresh failed",
    ),
    "200 with a body that is not JSON": Case(
        (Fault(200, body=b"<html>oops</html>"),), False, 1, "not JSON"
    ),
}


@pytest.fixture
def world() -> Iterator[World]:
    # A short timeout keeps the timeout cases fast; 2 retries is the SDK's default, stated.
    with renewal_world(
        **{
            "cloudflare-service-token:apiTimeoutSeconds": "0.1",
            "cloudflare-service-token:apiMaxRetries": "2",
        }
    ) as world:
        yield world


def due_renewal(world: World) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    run = component_run(world.clock, min_days_for_renewal=30)
    inputs = dynamic_inputs(run, ":TokenRenewal")
    secret = run.outputs["client_secret"].value
    world.api.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"])
    renewal_id, outputs = world.engine.up(inputs)
    world.clock.advance(days=340)
    return renewal_id, inputs, outputs, secret


@pytest.fixture
def stack() -> Iterator[Stack]:
    """A deployed token with refresh renewal, 340 days on: its renewal is due."""
    settings = {
        "cloudflare-service-token:apiTimeoutSeconds": "0.1",
        "cloudflare-service-token:apiMaxRetries": "2",
    }
    with lifecycle_world(NOW, **settings) as env:

        def program() -> None:
            args = ServiceTokenArgs(
                name="CI/CD app", account_id=ACCOUNT_ID, min_days_for_renewal=30
            )
            pulumi.export("client_secret", ServiceTokenComponent("ci", args).client_secret)

        deployed = Stack(program, env)
        deployed.up()
        env.clock.advance(days=340)
        yield deployed


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_fault(stack: Stack, case: Case, caplog: pytest.LogCaptureFixture) -> None:
    api, client_secret = stack.world.api, stack.outputs["client_secret"]
    saved = stack.one(":TokenRenewal").outputs
    before = api.calls()
    api.fail_next("refresh", *case.faults)

    with caplog.at_level(logging.DEBUG):
        try:
            stack.up()
            error = ""
        except DeploymentError as failed:
            error = str(failed)

    assert api.calls("refresh") == case.calls
    # Each renewal reads Cloudflare's view first (a read is retried by itself, not faulted here).
    assert [r.operation for r in api.requests[before:]] == ["get"] + ["refresh"] * case.calls
    renewal = stack.one(":TokenRenewal")
    if case.renewed:
        assert not error
        assert parse_timestamp(renewal.outputs["expires_at"]) > parse_timestamp(saved["expires_at"])
    else:
        assert case.message in error
        # Nothing changed in Cloudflare or in what the engine saved, and a preview still shows
        # the renewal: the next `pulumi up` tries again.
        in_cloudflare = (api.token(renewal.inputs["token_id"]) or {})["expires_at"]
        assert parse_timestamp(in_cloudflare) == parse_timestamp(saved["expires_at"])
        assert renewal.outputs == saved
        assert [s.op for s in stack.preview() if s.name == "ci-renewal"] == ["update"]
    for text in (error, caplog.text, stack.dump()):
        assert API_TOKEN not in text
    for text in (error, caplog.text):
        assert client_secret not in text


def test_connection_refused_is_retried_then_reported(world: World) -> None:
    renewal_id, inputs, outputs, _ = due_renewal(world)
    with renewal_world(**{"cloudflare:baseUrl": "http://127.0.0.1:9/client/v4"}) as closed:
        closed.clock.set(world.clock.now())
        with pytest.raises(grpc.RpcError) as raised:
            closed.engine.update(renewal_id, outputs, inputs)

    assert "could not reach Cloudflare" in raised.value.details()
    assert API_TOKEN not in raised.value.details()


def test_missing_credentials_fail_before_any_call(world: World) -> None:
    renewal_id, inputs, outputs, _ = due_renewal(world)
    with renewal_world(**{"cloudflare:apiToken": ""}) as bare:
        bare.clock.set(world.clock.now())
        with pytest.raises(grpc.RpcError) as raised:
            bare.engine.update(renewal_id, outputs, inputs)

        assert bare.api.calls() == 0
    assert "no Cloudflare credentials" in raised.value.details()
