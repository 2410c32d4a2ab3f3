"""Secret rotation under the real engine: raising `secretVersion` gives a new secret, and the
previous one keeps working for its grace, counted from the rotation that succeeded."""

from pathlib import Path

from cloudflare_service_token.testing import Fault

from .harness import LocalCloudflare, Project, root_stack


def rotating_stack(tmp_path: Path, engine: Path, cloud: LocalCloudflare) -> Project:
    stack = root_stack(tmp_path / "root", engine, cloud, {})
    set_version(stack, 1)
    stack.up()
    return stack


def set_version(stack: Project, version: int) -> None:
    stack.configure(
        {
            "cloudflare-service-tokens:tokens": {
                "uptime": {"name": "Uptime", "secretVersion": version, "previousSecretGrace": "48h"}
            }
        }
    )


def secret_of(stack: Project) -> tuple[str, str]:
    outputs = stack.outputs(show_secrets=True)
    return outputs["uptime_token_id"], outputs["uptime_client_secret"]


def test_raising_secret_version_rotates_and_the_previous_secret_lasts_its_grace(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = rotating_stack(tmp_path, engine, cloud)
    token_id, first = secret_of(stack)

    set_version(stack, 2)
    stack.up()

    _, second = secret_of(stack)
    assert cloud.calls("rotate") == 1
    assert second != first
    assert cloud.api.accepts(token_id, second)
    cloud.travel(hours=47)
    assert cloud.api.accepts(token_id, first)
    cloud.travel(hours=2)
    assert not cloud.api.accepts(token_id, first)
    assert cloud.api.accepts(token_id, second)


def test_a_rotation_retried_days_later_gives_the_previous_secret_its_grace_from_the_retry(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = rotating_stack(tmp_path, engine, cloud)
    token_id, first = secret_of(stack)
    set_version(stack, 2)
    cloud.api.fail_next("rotate", Fault(status=403, code=10000, message="Forbidden"))

    failed = stack.up(check=False)

    assert failed.code != 0
    assert cloud.api.accepts(token_id, first)

    cloud.travel(days=2)
    stack.up()

    assert cloud.calls("rotate") == 2
    _, second = secret_of(stack)
    assert cloud.api.accepts(token_id, second)
    cloud.travel(hours=47)
    assert cloud.api.accepts(token_id, first)
    cloud.travel(hours=2)
    assert not cloud.api.accepts(token_id, first)
