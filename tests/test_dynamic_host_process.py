"""The renewal providers in a real `pulumi-python` host process, started as the engine starts it:
a fresh interpreter in a fresh working directory, driven over gRPC for a whole lifecycle.

The in-process servicer tests cover the many cases; these few prove the wiring a real
`pulumi up` depends on: that the pickled providers the component registers load in a host that
has imported nothing, take their credentials from Configure, and leak them nowhere.
"""

import base64
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloudflare_service_token._renewal import format_timestamp, parse_timestamp
from cloudflare_service_token.testing import FakeCloudflareApi
from tests.conftest import ACCOUNT_ID
from tests.dynamic_harness import DynamicProviderHarness
from tests.hosts import HostProcess, dynamic_host_command, host_environment, start_host
from tests.renewal_world import component_run, dynamic_inputs

# Starts real processes (hosts, plugins, pip, pytest): `-m process`, run by CI after the
# fast suite.
pytestmark = pytest.mark.process

SENTINEL = "sentinel-api-token-0a1b2c3d-must-never-leak"
YEAR = timedelta(days=365)


def wall_now() -> datetime:
    """The host runs on the real clock: every decision below is days away from a boundary."""
    return datetime.now(UTC)


@pytest.fixture
def api() -> Iterator[tuple[FakeCloudflareApi, str]]:
    fake = FakeCloudflareApi(api_token=SENTINEL, now=wall_now)
    with fake.serve() as base_url:
        yield fake, base_url


@pytest.fixture
def host(tmp_path: Path) -> Iterator[HostProcess]:
    with start_host(dynamic_host_command(), tmp_path) as started:
        yield started


def registered(kind: str, **args: Any) -> dict[str, Any]:
    """The inputs (`__provider` included) a mock run of the component registers for `kind`."""
    from cloudflare_service_token.testing import FakeClock

    return dynamic_inputs(component_run(FakeClock(wall_now()), **args), f":{kind}")


def test_a_tracker_lives_its_whole_life_in_a_separate_host_with_one_read_and_one_refresh(
    host: HostProcess, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    engine = DynamicProviderHarness(host.stub)
    engine.configure({"cloudflare:apiToken": SENTINEL, "cloudflare:baseUrl": base_url})
    inputs = registered("TokenRenewal", min_days_for_renewal=30)
    fake.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"])

    renewal_id, created = engine.create(engine.check({}, inputs))
    # The token reports a nearer expiry (a `pulumi refresh` after a duration change): due.
    nearer = wall_now() + timedelta(days=10)
    fake.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"], expires_at=nearer)
    soon = {**inputs, "token_expires_at": format_timestamp(nearer)}
    checked = engine.check(inputs, soon)
    diff = engine.diff(renewal_id, created, checked)
    assert fake.calls() == 0
    renewed = engine.update(renewal_id, created, checked)
    read_id, read = engine.read(renewal_id, renewed)
    engine.delete(renewal_id, renewed)

    assert created.get("last_renewed_at") is None
    assert diff.changes is True
    assert [r.operation for r in fake.requests] == ["get", "refresh"]
    assert abs(parse_timestamp(renewed["expires_at"]) - (wall_now() + YEAR)) < timedelta(hours=1)
    assert (read_id, read) == (renewal_id, renewed)
    answers = repr([created, checked, renewed, read])
    for text in (answers, host.output(), repr(host.engine.logs)):
        assert SENTINEL not in text
    for pickled in (inputs["__provider"], renewed["__provider"]):
        assert SENTINEL.encode() not in base64.b64decode(pickled)


def test_a_rotation_in_a_separate_host_rotates_once_with_a_deadline_a_full_grace_away(
    host: HostProcess, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    engine = DynamicProviderHarness(host.stub)
    engine.configure({"cloudflare:apiToken": SENTINEL, "cloudflare:baseUrl": base_url})
    inputs = registered("SecretRotation", secret_version=1)
    fake.add_token(account_id=ACCOUNT_ID, token_id=inputs["token_id"])

    rotation_id, created = engine.create(engine.check({}, inputs))
    bumped = engine.check(inputs, {**inputs, "secret_version": 2})
    diff = engine.diff(rotation_id, created, bumped)
    rotated = engine.update(rotation_id, created, bumped)

    assert diff.changes is True
    # A read when tracking starts, another before the rotation: Cloudflare's view each time.
    assert [r.operation for r in fake.requests] == ["get", "get", "rotate"]
    deadline = parse_timestamp(fake.requests[-1].body["previous_client_secret_expires_at"])
    assert abs(deadline - (wall_now() + timedelta(hours=24))) < timedelta(hours=1)
    assert rotated["client_secret"] and fake.accepts(inputs["token_id"], rotated["client_secret"])
    for text in (host.output(), repr(host.engine.logs)):
        assert SENTINEL not in text
        assert rotated["client_secret"] not in text


def test_a_host_with_no_credentials_fails_the_update_clearly_and_calls_nothing(
    host: HostProcess, api: tuple[FakeCloudflareApi, str]
):
    fake, base_url = api
    engine = DynamicProviderHarness(host.stub)
    engine.configure({"cloudflare:baseUrl": base_url})  # an old CLI hands no stack config
    inputs = registered("TokenRenewal", min_days_for_renewal=30)
    due = {**inputs, "token_expires_at": format_timestamp(wall_now() + timedelta(days=10))}

    with pytest.raises(Exception, match="no Cloudflare credentials for renewal"):
        engine.create(engine.check({}, due))
    assert fake.calls() == 0


def test_loading_the_providers_imports_neither_the_cloudflare_provider_nor_the_sdk(tmp_path):
    probe = (
        "import sys, cloudflare_service_token._providers\n"
        "print(sorted(m for m in ('pulumi_cloudflare', 'cloudflare') if m in sys.modules))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=host_environment(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )

    assert loaded.stdout.strip() == "[]"
