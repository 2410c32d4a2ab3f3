"""The testing kit's `Stack`: state that lasts from one run to the next, so a user's test of
renewal passes for the right reason (a renewal, not a new token)."""

import runpy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pulumi
import pytest

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenReference,
    export_service_token,
)
from cloudflare_service_token.testing import (
    DeploymentError,
    FakeClock,
    FakeCloudflareApi,
    Stack,
    StackOutput,
    run_program,
)
from tests.conftest import ACCOUNT_ID

ROOT = Path(__file__).resolve().parent.parent
DAY_ZERO = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def token_program(**settings: Any) -> Any:
    """One exported token; `settings` is read at each run, so a test can change it between
    runs as a user edits their program."""

    def program() -> None:
        args = cast(ServiceTokenArgs, {"name": "CI", "account_id": ACCOUNT_ID, **settings})
        export_service_token("ci", ServiceTokenComponent("ci", args))

    return program


def test_a_renewal_is_previewed_without_a_call_then_made_once_and_only_once() -> None:
    with Stack(token_program(min_days_for_renewal=30), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        token_id, created = stack.outputs["ci_token_id"], stack.outputs["ci_expires_at"]
        calls = stack.api.calls()

        stack.clock.advance(days=340)
        preview = stack.preview()
        assert preview.changes == [("ci-renewal", "update")]
        assert stack.api.calls() == calls

        assert stack.up().changes == [("ci-renewal", "update")]
        assert stack.api.calls("refresh") == 1
        assert stack.outputs["ci_token_id"] == token_id
        assert stack.outputs["ci_expires_at"] > created

        assert stack.up().changes == []
        assert stack.api.calls("refresh") == 1


def test_a_stack_keeps_the_token_cloudflare_created_across_runs() -> None:
    with Stack(token_program(), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        stack.clock.advance(days=100)
        stack.up()

        assert [token["id"] for token in stack.api.tokens()] == [stack.outputs["ci_token_id"]]
        assert stack.api.calls("create") == 1


def test_an_up_with_nothing_due_calls_nothing() -> None:
    with Stack(token_program(min_days_for_renewal=30), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        calls = stack.api.calls()
        stack.clock.advance(days=200)

        assert stack.up().changes == []
        assert stack.api.calls() == calls


def test_secret_outputs_stay_secret_and_the_secret_works_with_cloudflare() -> None:
    with Stack(token_program(), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()

        assert stack.last is not None
        assert stack.last.outputs["ci_client_secret"].secret
        assert not stack.last.outputs["ci_client_id"].secret
        assert stack.api.accepts(stack.outputs["ci_token_id"], stack.outputs["ci_client_secret"])


def test_refresh_reads_every_resource_and_the_next_up_changes_nothing() -> None:
    with Stack(token_program(min_days_for_renewal=30), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        stack.clock.advance(days=340)
        stack.up()

        refreshed = stack.refresh()

        assert {op for _, op in refreshed.changes} == {"read"}
        assert stack.up().changes == []
        assert stack.api.calls("refresh") == 1


def test_a_token_deleted_outside_pulumi_leaves_the_state_on_refresh() -> None:
    with Stack(token_program(), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        stack.api.delete_token(stack.outputs["ci_token_id"])

        assert ("ci-token", "delete") in stack.refresh().changes
        assert stack.up().changes == [("ci-token", "create")]


def test_destroy_deletes_the_token_in_cloudflare() -> None:
    with Stack(token_program(min_days_for_renewal=30), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()

        steps = stack.destroy()

        assert sorted(steps.changes) == [("ci-renewal", "delete"), ("ci-token", "delete")]
        assert stack.api.tokens() == []
        assert stack.state == {}


def test_up_with_replace_makes_the_new_token_before_deleting_the_old() -> None:
    with Stack(token_program(), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        old_id = stack.outputs["ci_token_id"]

        steps = stack.up(replace=[stack.named("ci-token").urn])

        assert steps.changes == [("ci-token", "replace"), ("ci-token", "delete")]
        assert [token["id"] for token in stack.api.tokens()] == [stack.outputs["ci_token_id"]]
        assert stack.outputs["ci_token_id"] != old_id


def test_a_failed_up_names_the_failure_and_keeps_the_renewal_due() -> None:
    with Stack(token_program(min_days_for_renewal=30), clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        stack.clock.advance(days=340)
        stack.api.delete_token(stack.outputs["ci_token_id"])

        with pytest.raises(DeploymentError, match="pulumi refresh") as failed:
            stack.up()

        assert failed.value.steps.changes == [("ci-renewal", "update")]
        assert stack.preview().changes == [("ci-renewal", "update")]


def test_renewal_reaches_only_the_fake_whatever_the_config_and_environment_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "a-real-looking-token")
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://192.0.2.1/client/v4")
    config = {
        "cloudflare:baseUrl": "https://api.cloudflare.com/client/v4",
        "cloudflare:apiToken": "another-real-looking-token",
    }
    program = token_program(min_days_for_renewal=30)

    with Stack(program, config=config, clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()
        stack.clock.advance(days=340)
        stack.up()

        assert stack.api.calls("refresh") == 1
        assert all(request.authorized for request in stack.api.requests)


def test_the_api_given_is_the_one_acted_on() -> None:
    clock = FakeClock(DAY_ZERO)
    api = FakeCloudflareApi(api_token="my-fake-token", now=clock.now)

    with Stack(token_program(), clock=clock, api=api) as stack:
        stack.up()

    assert api.calls("create") == 1


def test_stack_references_answer_from_the_stacks_given() -> None:
    published = {"ci_token_id": StackOutput("id-1"), "ci_client_id": StackOutput("c.access")}

    def program() -> None:
        pulumi.export("client_id", ServiceTokenReference("org/producer/dev", "ci").client_id)

    with Stack(program, stacks={"org/producer/dev": published}) as stack:
        stack.up()

        assert stack.outputs["client_id"] == "c.access"


def test_a_config_key_without_its_namespace_is_refused_naming_the_fix() -> None:
    with pytest.raises(ValueError, match=r"'accountId' has no namespace; write '<project>:acc"):
        Stack(token_program(), config={"accountId": ACCOUNT_ID})


def test_a_run_outside_with_is_refused_saying_how_to_open_the_stack() -> None:
    stack = Stack(token_program())

    with pytest.raises(RuntimeError, match="with Stack"):
        stack.up()


def test_for_project_runs_the_projects_main_with_its_stack_config() -> None:
    with Stack.for_project(ROOT, stack="example", clock=FakeClock(DAY_ZERO)) as stack:
        stack.up()

        assert stack.project == "cloudflare-service-tokens"
        assert sorted(token["name"] for token in stack.api.tokens()) == [
            "CI/CD app",
            "Uptime checks",
        ]
        assert len(stack.api.policies()) == len(stack.api.alerts()) == 1


def test_for_project_config_overrides_the_stack_file() -> None:
    tokens = {"deploy": {"name": "Deploy bot"}}
    config = {"cloudflare-service-tokens:tokens": tokens}

    with Stack.for_project(ROOT, stack="example", config=config) as stack:
        stack.up()

        assert [token["name"] for token in stack.api.tokens()] == ["Deploy bot"]


def test_for_project_reads_keys_without_a_namespace_as_the_projects(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n  accountId: {ACCOUNT_ID}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\npulumi.export('account', pulumi.Config().require('accountId'))\n"
    )

    with Stack.for_project(tmp_path) as stack:
        stack.up()

        assert stack.outputs == {"account": ACCOUNT_ID}


def test_for_project_refuses_an_encrypted_value_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  mine:password:\n    secure: AAABAJ==\n"
        "  cloudflare:apiToken:\n    secure: AAABAK==\n"
    )

    with pytest.raises(ValueError, match=r"'mine:password' in Pulumi.dev.yaml is encrypted"):
        Stack.for_project(tmp_path)


def test_for_project_drops_an_encrypted_cloudflare_credential(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  cloudflare:apiToken:\n    secure: AAB=\n")
    (tmp_path / "__main__.py").write_text("")

    assert Stack.for_project(tmp_path).config == {}


def test_for_project_runs_main_from_the_project_folder(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: python\n")
    (tmp_path / "names.txt").write_text("from a file beside the program")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\npulumi.export('read', open('names.txt').read())\n"
    )

    with Stack.for_project(tmp_path) as stack:
        stack.up()

        assert stack.outputs["read"] == "from a file beside the program"


def test_the_root_stack_through_for_project_matches_running_its_main() -> None:
    config = {
        "cloudflare-service-tokens:accountId": ACCOUNT_ID,
        "cloudflare-service-tokens:tokens": {"ci": {}},
    }
    direct = run_program(
        lambda: runpy.run_path(str(ROOT / "__main__.py")),
        config=config,
        project="cloudflare-service-tokens",
    )

    with Stack.for_project(ROOT, stack="none-such", config=config) as stack:
        stack.up()

        assert sorted(stack.outputs) == sorted(direct.outputs)
