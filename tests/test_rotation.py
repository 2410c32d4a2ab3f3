"""Secret rotation across real engine runs: the previous secret always keeps its full grace from
the moment the new secret exists, whatever fails in between."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._renewal import parse_timestamp
from cloudflare_service_token.testing import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.lifecycle import DeploymentError, Stack, World, world

GRACE = timedelta(hours=24)


@pytest.fixture
def env() -> Iterator[World]:
    with world(NOW) as w:
        yield w


def token_stack(env: World, **settings: Any) -> tuple[Stack, dict[str, Any]]:
    args: dict[str, Any] = {"name": "CI/CD app", "account_id": ACCOUNT_ID, **settings}

    def program() -> None:
        token = ServiceTokenComponent("ci", cast(ServiceTokenArgs, dict(args)))
        pulumi.export("client_secret", token.client_secret)
        pulumi.export("token_id", token.token_id)

    return Stack(program, env), args


def test_raising_secret_version_rotates_once_and_both_secrets_work_through_the_grace(env: World):
    stack, args = token_stack(env, secret_version=1)
    stack.up()
    token_id, first = stack.outputs["token_id"], stack.outputs["client_secret"]

    env.clock.advance(days=3)
    args["secret_version"] = 2
    stack.up()
    second = stack.outputs["client_secret"]

    assert env.api.calls("rotate") == 1
    assert second != first
    assert env.api.accepts(token_id, first) and env.api.accepts(token_id, second)
    env.clock.advance(GRACE - timedelta(seconds=1))
    assert env.api.accepts(token_id, first)
    env.clock.advance(seconds=2)
    assert not env.api.accepts(token_id, first)
    assert env.api.accepts(token_id, second)


def test_a_rotation_that_fails_keeps_its_full_grace_when_retried_two_days_later(env: World):
    stack, args = token_stack(env, secret_version=1)
    stack.up()
    token_id, first = stack.outputs["token_id"], stack.outputs["client_secret"]
    args["secret_version"] = 2
    # Whichever write carries the rotation to Cloudflare fails (a rotation is tried once).
    env.api.fail_next("rotate", Fault(503))
    env.api.fail_next("update", Fault(503))

    with pytest.raises(DeploymentError):
        stack.up()
    assert env.api.calls("rotate") == 1
    env.clock.advance(days=2)
    retried_at = env.clock.now()
    stack.up()

    handed_over = [
        parse_timestamp(r.body["previous_client_secret_expires_at"])
        for r in env.api.requests
        if "previous_client_secret_expires_at" in r.body
    ][-1]
    assert handed_over >= retried_at + GRACE
    assert env.api.accepts(token_id, first)
    assert env.api.accepts(token_id, stack.outputs["client_secret"])


def test_a_targeted_up_of_the_token_alone_never_invalidates_the_previous_secret(env: World):
    stack, args = token_stack(env, secret_version=1)
    stack.up()
    token_id, first = stack.outputs["token_id"], stack.outputs["client_secret"]
    args["secret_version"] = 2
    env.clock.advance(days=2)

    stack.up(target=[stack.one(":ZeroTrustAccessServiceToken").urn])
    assert env.api.accepts(token_id, first)
    stack.up()

    assert env.api.calls("rotate") == 1
    assert env.api.accepts(token_id, first)
    assert env.api.accepts(token_id, stack.outputs["client_secret"])
