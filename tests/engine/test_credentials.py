"""Which credential reaches Cloudflare under the real engine: the scoped API token the stack is
configured with, even when the shell also holds a global API key (which the official SDK would
pick up by itself, and prefer). The local Cloudflare accepts both, so only its record of what
each request carried tells them apart."""

from pathlib import Path

from .harness import API_TOKEN, LocalCloudflare, root_stack

GLOBAL_KEY = "engine-scenario-global-key-must-never-be-sent"
EMAIL = "ops@example.com"


def test_with_a_global_key_in_the_shell_renewal_and_rotation_send_the_configured_token(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    cloud.api.api_key, cloud.api.email = GLOBAL_KEY, EMAIL
    token = {"name": "CI/CD app", "duration": "8760h", "minDaysForRenewal": 30}
    stack = root_stack(tmp_path / "root", engine, cloud, {"ci": {**token, "secretVersion": 1}})
    stack.extra_env.update(
        {"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_API_KEY": GLOBAL_KEY, "CLOUDFLARE_EMAIL": EMAIL}
    )
    stack.set_secret("cloudflare:apiToken", API_TOKEN)
    stack.up()
    cloud.travel(days=340)
    stack.configure({"cloudflare-service-tokens:tokens": {"ci": {**token, "secretVersion": 2}}})

    renewed = stack.up()

    assert cloud.calls("refresh") == 1 and cloud.calls("rotate") == 1
    renewal_and_rotation = [
        request
        for request in cloud.api.requests
        if request.operation in {"get", "refresh", "rotate"}
    ]
    assert renewal_and_rotation
    assert {request.credentials for request in renewal_and_rotation} == {("api_token",)}
    assert all(request.authorized for request in cloud.api.requests)
    for text in (renewed.output, stack.state_file()):
        assert GLOBAL_KEY not in text
