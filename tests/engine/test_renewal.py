"""Renewal under the real engine, as a user lives it: deploy, wait until the token is due,
preview the renewal, renew once."""

from pathlib import Path

from .harness import LocalCloudflare, Project, Step, root_stack

TRACKER = "pulumi-python:dynamic/cloudflare-service-token:TokenRenewal"
SCHEDULE = "pulumi-python:dynamic/cloudflare-service-token:RenewalSchedule"
TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy"


def changes(steps: list[Step]) -> list[tuple[str, str]]:
    return [(step.op, step.type) for step in steps if step.op != "same"]


def deploy(tmp_path: Path, engine: Path, cloud: LocalCloudflare, **settings: object) -> Project:
    stack = root_stack(
        tmp_path / "root",
        engine,
        cloud,
        {"ci": {"name": "CI/CD app", "duration": "8760h", "minDaysForRenewal": 30, **settings}},
    )
    stack.up()
    return stack


def test_refresh_renewal_is_previewed_without_a_call_then_made_once(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = deploy(tmp_path, engine, cloud)
    first_expiry = stack.outputs()["ci_expires_at"]
    cloud.travel(days=340)
    calls = cloud.calls()

    previewed = stack.preview("--diff")

    assert changes(previewed) == [("update", TRACKER)]
    assert cloud.calls() == calls, "a preview must not call Cloudflare"

    stack.up()

    assert cloud.calls("refresh") == 1
    renewed_expiry = stack.outputs()["ci_expires_at"]
    assert renewed_expiry > first_expiry
    token = cloud.api.token(stack.outputs()["ci_token_id"])
    assert token is not None
    assert token["expires_at"] > first_expiry

    stack.up()

    assert cloud.calls("refresh") == 1


def test_after_pulumi_refresh_a_renewed_token_shows_no_changes(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = deploy(tmp_path, engine, cloud)
    cloud.travel(days=340)
    stack.up()

    stack.refresh()

    stack.preview("--expect-no-changes")
    assert cloud.calls("refresh") == 1


def test_replace_renewal_creates_the_new_token_and_repoints_the_policy_before_deleting_the_old(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = deploy(
        tmp_path,
        engine,
        cloud,
        renewalStrategy="replace",
        serviceAuthPolicyName="CI/CD may reach internal apps",
    )
    old_id = stack.outputs()["ci_token_id"]
    cloud.travel(days=336)
    calls = cloud.calls()

    previewed = changes(stack.preview())

    assert cloud.calls() == calls
    assert ("update", SCHEDULE) in previewed
    # The preview's JSON names a replacement `replace`; the order is the up's (below).
    assert ("replace", TOKEN) in previewed

    first = len(cloud.api.requests)
    stack.up()

    log = cloud.log()[first:]
    assert log.index("create") < log.index("policy.update") < log.index("delete")
    new_id = stack.outputs()["ci_token_id"]
    assert new_id != old_id
    assert cloud.api.token(old_id) is None
    assert [p["include"] for p in cloud.api.policies()] == [
        [{"service_token": {"token_id": new_id}}]
    ]
    secret = stack.outputs(show_secrets=True)["ci_client_secret"]
    assert cloud.api.accepts(new_id, secret)


def test_switching_from_replace_to_refresh_keeps_the_token(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = deploy(tmp_path, engine, cloud, renewalStrategy="replace")
    token_id = stack.outputs()["ci_token_id"]
    stack.configure(
        {
            "cloudflare-service-tokens:tokens": {
                "ci": {"name": "CI/CD app", "duration": "8760h", "minDaysForRenewal": 30}
            }
        }
    )

    previewed = changes(stack.preview())
    stack.up()

    assert ("replace", TOKEN) not in previewed
    assert stack.outputs()["ci_token_id"] == token_id
    assert cloud.calls("create") == 1
    assert cloud.calls("delete") == 0
