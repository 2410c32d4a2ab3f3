"""Every example under examples/ runs under the project's mocks, and exports what its README says,
secrets kept secret."""

import json
import re
import runpy
import subprocess
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from croniter import croniter

from cloudflare_service_token._renewal import format_timestamp
from cloudflare_service_token._schema import package_schema
from cloudflare_service_token.testing import CloudflareMocks, ProgramRun, run_program
from tests.conftest import NOW

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PYTHON_EXAMPLES = ("basic", "consumer", "github-actions", "protected-app", "renewal", "vault")
# Programs in other languages use the provider plugin; they need the Pulumi CLI to run (it
# generates their SDK), so what can be checked here is checked against the plugin's schema.
OTHER_LANGUAGES = {"go": "main.go", "typescript": "index.ts", "yaml": "Pulumi.yaml"}


def run_example(name: str, mocks: CloudflareMocks | None = None) -> ProgramRun:
    folder = EXAMPLES / name
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())["name"]
    config = yaml.safe_load((folder / "Pulumi.dev.yaml").read_text())["config"]
    return run_program(
        lambda: runpy.run_path(str(folder / "__main__.py")),
        mocks=mocks or CloudflareMocks(now=NOW),
        config=config,
        project=project,
        stack="dev",
    )


def test_every_example_is_a_pulumi_project_with_a_readme_and_a_test() -> None:
    examples = sorted(
        p.name for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    tested = sorted(
        name.removeprefix("test_").removesuffix("_example").replace("_", "-")
        for name in globals()
        if name.startswith("test_") and name.endswith("_example")
    )

    assert examples == sorted([*PYTHON_EXAMPLES, *OTHER_LANGUAGES])
    assert tested == examples
    for example in PYTHON_EXAMPLES:
        for required in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py", "README.md"):
            assert (EXAMPLES / example / required).is_file(), f"{example}/{required}"
    for example, program in OTHER_LANGUAGES.items():
        for required in ("Pulumi.yaml", "Pulumi.dev.yaml", program, "README.md"):
            assert (EXAMPLES / example / required).is_file(), f"{example}/{required}"


def test_basic_example() -> None:
    run = run_example("basic")

    assert {key: out.secret for key, out in run.outputs.items()} == {
        "ci_token_id": False,
        "ci_client_id": False,
        "ci_client_secret": True,
        "ci_expires_at": False,
    }
    assert run.outputs["ci_client_secret"].value


def test_renewal_example() -> None:
    run = run_example("renewal")

    assert run.outputs["deploy_renew_after"].value == format_timestamp(NOW + timedelta(days=335))
    assert run.outputs["deploy_client_secret"].secret
    assert run.monitor.one(":TokenRenewal").inputs["min_days"] == 30
    assert run.monitor.one(":SecretRotation").inputs["grace"] == "48h"


def test_the_renewal_workflow_runs_up_well_inside_the_window() -> None:
    folder = EXAMPLES / "renewal"
    workflow = yaml.safe_load((folder / "renew.yml").read_text())
    window_days = int(
        yaml.safe_load((folder / "Pulumi.dev.yaml").read_text())["config"][
            "service-token-renewal:minDaysForRenewal"
        ]
    )
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    (schedule,) = triggers["schedule"]
    runs = croniter(schedule["cron"], datetime(2026, 1, 1, tzinfo=UTC))
    times = [runs.get_next(datetime) for _ in range(120)]
    longest_gap = max(later - earlier for earlier, later in pairwise(times))

    # At least three runs fall inside every window, so one failed run cannot let a token lapse.
    assert longest_gap * 3 <= timedelta(days=window_days)
    assert any(
        "pulumi up" in step.get("run", "") and step.get("working-directory") == "examples/renewal"
        for step in workflow["jobs"]["up"]["steps"]
    )


def renewal_workflow() -> tuple[dict[str, Any], str]:
    text = (EXAMPLES / "renewal" / "renew.yml").read_text()
    return yaml.safe_load(text), text


def test_the_renewal_workflow_may_only_read_the_repository() -> None:
    workflow, _ = renewal_workflow()

    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_the_renewal_workflow_pins_every_action_by_commit() -> None:
    workflow, text = renewal_workflow()
    uses = [step["uses"] for step in workflow["jobs"]["up"]["steps"] if "uses" in step]

    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        # The tag it stands for, for a reader and for updates.
        assert re.search(rf"{re.escape(action)} # v\d+\.\d+\.\d+\n", text), action


def test_the_renewal_workflows_checkout_keeps_no_credential() -> None:
    workflow, _ = renewal_workflow()
    checkouts = [
        step
        for step in workflow["jobs"]["up"]["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]

    assert [step["with"]["persist-credentials"] for step in checkouts] == [False]


def test_the_renewal_workflow_routes_no_secret_through_outputs_or_other_steps() -> None:
    workflow, text = renewal_workflow()
    steps = workflow["jobs"]["up"]["steps"]

    assert "steps." not in text and "GITHUB_OUTPUT" not in text and "GITHUB_ENV" not in text
    # The Pulumi action only installs the CLI: with a `command` it would set stack outputs as
    # step outputs, a client secret among them.
    assert all("command" not in step.get("with", {}) for step in steps)
    holders = [step["name"] for step in steps if "secrets." in json.dumps(step)]
    assert holders == ["pulumi up"]
    assert "secrets." not in json.dumps({k: v for k, v in workflow.items() if k != "jobs"})
    assert "secrets." not in json.dumps(workflow["jobs"]["up"].get("env", {}))


def test_the_renewal_workflow_installs_only_locked_versions() -> None:
    workflow, _ = renewal_workflow()
    steps = workflow["jobs"]["up"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    pulumi_up = next(step for step in steps if step.get("name") == "pulumi up")

    assert "pip install --require-hashes --no-deps -r examples/renewal/requirements-uv.txt" in runs
    assert "uv sync --locked" in runs
    assert pulumi_up["env"]["UV_LOCKED"] == "1"
    assert workflow["jobs"]["up"]["env"]["UV_PYTHON_DOWNLOADS"] == "never"
    assert re.fullmatch(
        r"\d+\.\d+\.\d+",
        next(
            step["with"]["pulumi-version"]
            for step in steps
            if "pulumi/actions@" in step.get("uses", "")
        ),
    )


def test_every_secret_and_variable_the_workflow_uses_is_documented() -> None:
    _, text = renewal_workflow()
    header, body = text.split("\nname:", 1)
    pattern = r"\$\{\{ (?:secrets|vars)\.(\w+) \}\}"
    used = set(
        re.findall(pattern, "\n".join(re.sub(r"#.*", "", line) for line in body.split("\n")))
    )
    optional = set(re.findall(pattern, body)) - used
    operations = (EXAMPLES.parent / "docs" / "operations.md").read_text()

    assert used == {"CLOUDFLARE_API_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"}
    for name in used:
        assert f"`{name}`" in operations, name
        assert name in header, name
    for name in optional:
        assert f"`{name}`" in operations, name


@pytest.mark.parametrize("example", PYTHON_EXAMPLES)
def test_each_python_example_keeps_its_state_in_the_examples_own_folder(example: str) -> None:
    project = yaml.safe_load((EXAMPLES / example / "Pulumi.yaml").read_text())

    # Relative to the example's folder, where its README runs `pulumi`; shared, so the consumer
    # can read what basic exported.
    assert project["backend"] == {"url": "file://../.pulumi-state"}
    assert "mkdir -p examples/.pulumi-state" in (EXAMPLES / example / "README.md").read_text()


def test_the_consumer_reads_basics_stack_by_its_name_in_a_self_managed_backend() -> None:
    basic = yaml.safe_load((EXAMPLES / "basic" / "Pulumi.yaml").read_text())["name"]
    config = yaml.safe_load((EXAMPLES / "consumer" / "Pulumi.dev.yaml").read_text())["config"]
    readme = (EXAMPLES / "consumer" / "README.md").read_text()

    # A self-managed backend names every stack organization/<project>/<stack>.
    assert config["service-token-consumer:producerStack"] == f"organization/{basic}/dev"
    assert f"<your organization>/{basic}/dev" in readme


def test_virtualenvs_made_in_examples_are_ignored_by_git() -> None:
    paths = ["examples/basic/venv/", "examples/.pulumi-state/"]

    result = subprocess.run(
        ["git", "check-ignore", *paths],
        cwd=EXAMPLES.parent,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.stdout.split() == paths


def test_consumer_example() -> None:
    produced = run_example("basic")
    mocks = CloudflareMocks(now=NOW)
    mocks.publish_stack("organization/service-token-basic/dev", produced.as_stack_outputs())

    run = run_example("consumer", mocks)

    bindings = run.outputs["worker_bindings"]
    assert bindings.secret
    texts = {binding["name"]: binding["text"] for binding in bindings.value}
    assert texts == {
        "CF_ACCESS_CLIENT_ID": produced.outputs["ci_client_id"].value,
        "CF_ACCESS_CLIENT_SECRET": produced.outputs["ci_client_secret"].value,
    }
    assert not run.outputs["token_expires_at"].secret


def test_github_actions_example() -> None:
    run = run_example("github-actions")

    secrets = {s.inputs["secretName"]: s for s in run.monitor.find(":ActionsSecret")}
    token = run.monitor.one(":ZeroTrustAccessServiceToken")
    assert sorted(secrets) == ["CF_ACCESS_CLIENT_ID", "CF_ACCESS_CLIENT_SECRET"]
    assert run.outputs["client_secret"].secret
    assert run.outputs["client_secret"].value
    # Renewed or rotated, the token's new secret flows into the Actions secret in the same `up`.
    assert token.urn in secrets["CF_ACCESS_CLIENT_SECRET"].property_dependencies["value"]
    assert token.replacement_trigger == 1


def test_vault_example() -> None:
    run = run_example("vault")

    data = run.outputs["vault_data_json"]
    assert data.secret
    assert sorted(json.loads(data.value)) == ["CLIENT_ID", "CLIENT_SECRET"]
    kv = run.monitor.one(":SecretV2").inputs
    assert (kv["mount"], kv["name"]) == ("kv", "cloudflare/example_service_token")


def test_protected_app_example() -> None:
    run = run_example("protected-app")

    app: dict[str, Any] = run.monitor.one(":ZeroTrustAccessApplication").inputs
    assert app["readServiceTokensFromHeader"] == "Authorization"
    assert app["policies"] == [{"id": run.outputs["policy_id"].value, "precedence": 1}]
    header = run.outputs["authorization_header_value"]
    assert header.secret
    assert sorted(json.loads(header.value)) == ["cf-access-client-id", "cf-access-client-secret"]
    assert run.monitor.one(":NotificationPolicy").inputs["mechanisms"] == {
        "emails": [{"id": "ops@example.com"}]
    }


def _schema() -> dict[str, Any]:
    return package_schema("0.0.0")


def _declares_the_plugin(folder: Path) -> None:
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    plugin = (folder / project["packages"]["cloudflare-service-token"]).resolve()
    assert yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    assert (plugin / "__main__.py").is_file()


def test_yaml_example() -> None:
    folder = EXAMPLES / "yaml"
    program = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    schema = _schema()["resources"]
    _declares_the_plugin(folder)

    ours = {
        name: resource
        for name, resource in program["resources"].items()
        if resource["type"].startswith("cloudflare-service-token:")
    }
    assert ours, "the YAML example declares no component"
    for name, resource in ours.items():
        spec = schema[resource["type"]]
        properties = resource["properties"]
        assert set(spec["requiredInputs"]) <= set(properties), name
        for key, value in properties.items():
            expected = spec["inputProperties"][key]  # KeyError: not in the schema
            interpolated = isinstance(value, str) and value.startswith("${")
            # A plain setting is a literal or the program's config, known when it runs.
            from_config = interpolated and value[2:-1] in program.get("config", {})
            assert not (expected.get("plain") and interpolated and not from_config), (
                f"{key} must be a literal or config"
            )
            if not interpolated:
                assert _json_type(value) == expected["type"], key
    for output, expression in program["outputs"].items():
        resource, _, prop = expression.removeprefix("${").removesuffix("}").partition(".")
        assert prop in schema[ours[resource]["type"]]["properties"], output


def test_typescript_example() -> None:
    folder = EXAMPLES / "typescript"
    source = (folder / "index.ts").read_text()
    component = _schema()["resources"]["cloudflare-service-token:index:ServiceTokenComponent"]
    _declares_the_plugin(folder)

    (args,) = re.findall(
        r"new serviceToken\.ServiceTokenComponent\([^{]*\{(.*?)\}\);", source, re.S
    )
    used = set(re.findall(r"^\s*(\w+):", args, re.M))
    outputs = set(re.findall(r"= deploy\.(\w+);", source))

    assert used and used <= set(component["inputProperties"])
    assert set(component["requiredInputs"]) <= used
    assert outputs and outputs <= set(component["properties"])


def test_go_example() -> None:
    folder = EXAMPLES / "go"
    source = (folder / "main.go").read_text()
    component = _schema()["resources"]["cloudflare-service-token:index:ServiceTokenComponent"]
    _declares_the_plugin(folder)

    (args,) = re.findall(r"ServiceTokenComponentArgs\{(.*?)\n\t\}\)", source, re.S)
    used = {_camel(name) for name in re.findall(r"^\s*(\w+):", args, re.M)}
    outputs = set(re.findall(r'ctx\.Export\("\w+", deploy\.(\w+)\)', source))

    assert used and used <= set(component["inputProperties"])
    assert set(component["requiredInputs"]) <= used
    assert outputs and {_camel(name) for name in outputs} <= set(component["properties"])


def _camel(go_name: str) -> str:
    return go_name[0].lower() + go_name[1:]


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, list):
        return "array"
    return "string"
