"""Protected components and adopted tokens under the real engine."""

from pathlib import Path

from . import programs
from .harness import ACCOUNT_ID, LocalCloudflare, Project, python_project, root_stack


def protected(tmp_path: Path, engine: Path, cloud: LocalCloudflare, strategy: str) -> Project:
    return python_project(
        tmp_path / "protected",
        engine,
        cloud,
        programs.protected_token,
        name="protected",
        config={"protected:strategy": strategy},
    )


def test_a_protected_component_with_replace_renewal_is_refused_before_anything_exists(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = protected(tmp_path, engine, cloud, "replace")

    run = stack.up(check=False)

    assert run.code != 0
    assert "`renewal_strategy` 'replace' renews by replacing the token" in run.output
    assert "the engine refuses to replace a protected resource" in " ".join(run.output.split())
    assert cloud.calls() == 0


def test_a_protected_component_with_refresh_renewal_renews_on_its_due_day_and_refuses_destroy(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = protected(tmp_path, engine, cloud, "refresh")
    stack.up()
    cloud.travel(days=340)

    stack.up()

    assert cloud.calls("refresh") == 1
    destroyed = stack.destroy(check=False)
    assert destroyed.code != 0
    assert "protected" in destroyed.output
    assert cloud.calls("delete") == 0
    assert len(cloud.api.tokens()) == 1


def test_an_existing_token_is_imported_without_a_create_and_then_left_alone(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    existing = cloud.api.add_token(account_id=ACCOUNT_ID, name="Legacy app")
    stack = root_stack(
        tmp_path / "root",
        engine,
        cloud,
        {"legacy": {"name": "Legacy app", "importTokenId": existing["id"], "secretVersion": 1}},
    )

    stack.up()

    assert cloud.calls("create") == 0
    outputs = stack.outputs(show_secrets=True)
    assert outputs["legacy_token_id"] == existing["id"]
    assert outputs["legacy_client_id"] == existing["client_id"]
    stack.up("--expect-no-changes")
    assert cloud.calls("create") == 0


def test_an_imported_token_gets_a_secret_from_its_first_rotation(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    existing = cloud.api.add_token(account_id=ACCOUNT_ID, name="Legacy app")
    settings = {"name": "Legacy app", "importTokenId": existing["id"], "secretVersion": 1}
    stack = root_stack(tmp_path / "root", engine, cloud, {"legacy": settings})
    stack.up()

    stack.configure(
        {"cloudflare-service-tokens:tokens": {"legacy": {**settings, "secretVersion": 2}}}
    )
    stack.up()

    secret = stack.outputs(show_secrets=True)["legacy_client_secret"]
    assert cloud.calls("rotate") == 1
    assert cloud.api.accepts(existing["id"], secret)
