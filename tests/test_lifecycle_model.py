"""The engine model the lifecycle tests rely on follows the engine's rules, shown on bare
Cloudflare tokens: if it did not, tests built on it would prove nothing."""

from collections.abc import Iterator
from typing import Any

import pulumi
import pulumi_cloudflare as cloudflare
import pytest

from cloudflare_service_token.testing import Fault
from tests.conftest import ACCOUNT_ID, NOW
from tests.lifecycle import DeploymentError, Stack, StepError, World, world


@pytest.fixture
def env() -> Iterator[World]:
    with world(NOW) as w:
        yield w


def tokens_stack(env: World, settings: dict[str, dict[str, Any]]) -> Stack:
    """One bare token per entry: name -> resource options as keyword arguments, plus inputs."""

    def program() -> None:
        for name, options in settings.items():
            options = dict(options)
            duration = options.pop("duration", "8760h")
            token = cloudflare.ZeroTrustAccessServiceToken(
                name,
                name=name,
                account_id=ACCOUNT_ID,
                duration=duration,
                opts=pulumi.ResourceOptions(**options),
            )
            pulumi.export(name, token.id)

    return Stack(program, env)


def ops(steps: list[Any]) -> dict[str, str]:
    return {step.name: step.op for step in steps}


def test_a_new_resource_is_created_and_an_unchanged_one_is_kept(env: World):
    stack = tokens_stack(env, {"a": {}})

    assert ops(stack.up()) == {"a": "create"}
    assert ops(stack.up()) == {"a": "same"}
    assert env.api.calls("create") == 1


def test_a_run_stops_at_the_first_failure_and_keeps_the_steps_that_finished(env: World):
    durations = {"a": "8760h", "b": "8760h", "c": "8760h"}

    def program() -> None:
        previous = None
        for name, duration in durations.items():  # each after the one before: a, b, c
            previous = cloudflare.ZeroTrustAccessServiceToken(
                name,
                name=name,
                account_id=ACCOUNT_ID,
                duration=duration,
                opts=pulumi.ResourceOptions(depends_on=[previous] if previous else []),
            )

    stack = Stack(program, env)
    stack.up()
    durations.update(a="720h", b="720h", c="720h")
    env.api.fail_next("update", Fault(500), after=1)  # a goes through, b fails

    with pytest.raises(DeploymentError) as failed:
        stack.up()

    assert ops(failed.value.steps) == {"a": "update", "b": "update"}
    assert stack.named("a").inputs["duration"] == "720h"
    assert stack.named("b").inputs["duration"] == "8760h"
    assert stack.named("c").inputs["duration"] == "8760h"
    assert ops(stack.up()) == {"a": "same", "b": "update", "c": "update"}


def test_a_preview_decides_but_never_acts(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {}}
    stack = tokens_stack(env, settings)
    stack.up()
    settings["a"]["duration"] = "720h"
    before = env.api.calls()

    assert ops(stack.preview()) == {"a": "update"}
    assert env.api.calls() == before
    assert stack.named("a").inputs["duration"] == "8760h"


def test_a_replacement_creates_the_new_resource_before_deleting_the_old(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {"replacement_trigger": 1}}
    stack = tokens_stack(env, settings)
    stack.up()
    old_id = stack.named("a").id
    settings["a"]["replacement_trigger"] = 2

    steps = stack.up()

    assert [step.op for step in steps] == ["replace", "delete"]
    assert [r.operation for r in env.api.requests[-2:]] == ["create", "delete"]
    assert stack.named("a").id != old_id
    assert env.api.token(old_id) is None


def test_adding_a_replacement_trigger_does_not_replace(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {}}
    stack = tokens_stack(env, settings)
    stack.up()
    settings["a"]["replacement_trigger"] = 1

    assert ops(stack.up()) == {"a": "same"}


def test_a_protected_resource_is_never_replaced_or_deleted(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {"protect": True, "replacement_trigger": 1}}
    stack = tokens_stack(env, settings)
    stack.up()
    settings["a"]["replacement_trigger"] = 2

    with pytest.raises(DeploymentError, match="marked for protection"):
        stack.up()
    with pytest.raises(StepError, match="marked for protection"):
        stack.destroy()


def test_a_resource_still_carrying_its_import_id_is_never_replaced(env: World):
    existing = env.api.add_token(account_id=ACCOUNT_ID, name="a")
    settings: dict[str, dict[str, Any]] = {
        "a": {"import_": f"accounts/{ACCOUNT_ID}/{existing['id']}", "replacement_trigger": 1}
    }
    stack = tokens_stack(env, settings)
    assert ops(stack.up()) == {"a": "import"}
    settings["a"]["replacement_trigger"] = 2

    with pytest.raises(DeploymentError, match="previously-imported resources"):
        stack.up()


def test_ignore_changes_keeps_the_old_value(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {"ignore_changes": ["duration"]}}
    stack = tokens_stack(env, settings)
    stack.up()
    settings["a"]["duration"] = "720h"

    assert ops(stack.up()) == {"a": "same"}


def test_a_targeted_run_steps_only_its_targets(env: World):
    settings: dict[str, dict[str, Any]] = {"a": {}, "b": {}}
    stack = tokens_stack(env, settings)
    stack.up()
    settings["a"]["duration"] = settings["b"]["duration"] = "720h"

    steps = stack.up(target=[stack.named("b").urn])

    assert ops(steps) == {"a": "same", "b": "update"}


def test_refresh_reads_and_drops_what_is_gone(env: World):
    stack = tokens_stack(env, {"a": {}, "b": {}})
    stack.up()
    env.api.delete_token(stack.named("b").id)

    assert ops(stack.refresh()) == {"a": "read", "b": "delete"}
    assert [s.urn.rsplit("::", 1)[-1] for s in stack.state.values()] == ["a"]
