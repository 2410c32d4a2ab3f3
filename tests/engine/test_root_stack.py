"""The root stack under the real engine: deploy the configured tokens, read working credentials
from the stack outputs, and find no client secret in plain text anywhere in state."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import LocalCloudflare, Project, local_cloudflare, root_stack
from .stories import CI_TOKEN

TOKENS = {
    "ci": CI_TOKEN,
    "uptime": {
        "name": "Uptime checks",
        "duration": "17520h",
        "secretVersion": 1,
        "previousSecretGrace": "48h",
    },
}


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, engine: Path
) -> Iterator[tuple[Project, LocalCloudflare]]:
    """The root stack after its first `up` (one deployment serves every test here)."""
    folder = tmp_path_factory.mktemp("root")
    with local_cloudflare(folder) as cloud:
        stack = root_stack(folder / "root", engine, cloud, TOKENS)
        stack.up()
        yield stack, cloud


def test_the_first_up_creates_each_configured_token_with_its_policy_and_alert(
    deployed: tuple[Project, LocalCloudflare],
):
    _, cloud = deployed

    assert sorted(token["name"] for token in cloud.api.tokens()) == ["CI/CD app", "Uptime checks"]
    assert [policy["name"] for policy in cloud.api.policies()] == ["CI/CD may reach internal apps"]
    assert len(cloud.api.alerts()) == 1
    assert cloud.calls("create") == 2


def test_the_stack_outputs_give_credentials_that_access_accepts(
    deployed: tuple[Project, LocalCloudflare],
):
    stack, cloud = deployed

    outputs = stack.outputs(show_secrets=True)

    for key in TOKENS:
        token = cloud.api.token(outputs[f"{key}_token_id"])
        assert token is not None
        assert outputs[f"{key}_client_id"] == token["client_id"]
        assert cloud.api.accepts(token["id"], outputs[f"{key}_client_secret"])


def test_client_secrets_are_ciphertext_in_the_export_the_state_file_and_plain_outputs(
    deployed: tuple[Project, LocalCloudflare],
):
    stack, _ = deployed
    secrets = [stack.outputs(show_secrets=True)[f"{key}_client_secret"] for key in TOKENS]

    exported = json.dumps(stack.export())
    on_disk = stack.state_file()
    shown = stack.outputs()

    assert all(len(secret) == 64 for secret in secrets)
    for secret in secrets:
        assert secret not in exported
        assert secret not in on_disk
    assert exported.count('"ciphertext"') >= len(secrets)
    assert all(shown[f"{key}_client_secret"] == "[secret]" for key in TOKENS)


def test_a_second_up_changes_nothing(deployed: tuple[Project, LocalCloudflare]):
    stack, cloud = deployed
    calls = cloud.calls()

    stack.up("--expect-no-changes")

    assert cloud.calls() == calls
