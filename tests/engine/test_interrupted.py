"""An `up` interrupted while it acts on Cloudflare: the user presses Ctrl-C, then the process is
killed mid-refresh; or Cloudflare rotates the secret and its answer is lost. The next `up` must
end with the token renewed exactly once, the secret rotated at most once per version, and
nothing lost without saying so."""

import os
import signal
import subprocess
import threading
from pathlib import Path

from cloudflare_service_token.testing import Fault

from .harness import LocalCloudflare, Project, end_group, root_stack

# Bounds on waits for things that should happen at once, not timings.
ARRIVAL_TIMEOUT_SECONDS = 120
GRACEFUL_WAIT_SECONDS = 3


def test_an_up_killed_mid_renewal_is_finished_by_the_next_up_with_one_refresh(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = root_stack(
        tmp_path / "root",
        engine,
        cloud,
        {"ci": {"name": "CI/CD app", "duration": "8760h", "minDaysForRenewal": 30}},
        # The SDK leaves the program's coroutines unfinished when the engine dies mid-run:
        # that debris stays in a program process of its own.
        isolated=True,
    )
    stack.up()
    first_expiry = stack.outputs()["ci_expires_at"]
    cloud.travel(days=340)
    held = cloud.api.hold_next("refresh")
    interrupted: list[str] = []

    def interrupt(cli: subprocess.Popen[str]) -> None:
        def press_ctrl_c_then_kill() -> None:
            if not held.arrived.wait(ARRIVAL_TIMEOUT_SECONDS):
                return
            os.kill(cli.pid, signal.SIGINT)
            try:
                cli.wait(GRACEFUL_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                end_group(cli)
            interrupted.append("killed" if cli.returncode == -signal.SIGKILL else "stopped")
            # Cloudflare carries out the refresh the killed host had sent.
            held.release()

        threading.Thread(target=press_ctrl_c_then_kill, daemon=True).start()

    killed = stack.up(check=False, on_started=interrupt)

    assert interrupted == ["killed"], killed.output
    assert killed.code != 0
    token_id = stack.outputs()["ci_token_id"]
    renewed_at_cloudflare = cloud.api.token(token_id)
    assert renewed_at_cloudflare is not None
    assert renewed_at_cloudflare["expires_at"] > first_expiry

    # What a user sees next: the killed CLI's lock on the stack, and how to lift it.
    locked = stack.up(check=False)
    assert locked.code != 0
    assert "the stack is currently locked" in locked.output
    assert "pulumi cancel" in locked.output
    stack.cli("cancel", "--yes")

    after = stack.up()

    # The tracker read Cloudflare's view first: renewed already, so recorded, not refreshed.
    assert cloud.calls("refresh") == 1, after.output
    assert "was renewed already" in after.output
    assert stack.outputs()["ci_expires_at"] == renewed_at_cloudflare["expires_at"][:19] + "Z"
    stack.preview("--expect-no-changes")


def rotating(stack: Project, version: int) -> None:
    stack.configure(
        {
            "cloudflare-service-tokens:tokens": {
                "uptime": {"name": "Uptime", "secretVersion": version}
            }
        }
    )


def test_a_rotation_whose_answer_is_lost_is_never_made_twice(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = root_stack(tmp_path / "root", engine, cloud, {})
    rotating(stack, 1)
    stack.up()
    outputs = stack.outputs(show_secrets=True)
    token_id, held = outputs["uptime_token_id"], outputs["uptime_client_secret"]
    rotating(stack, 2)
    # Cloudflare rotates, then its answer is lost on the way back (a gateway's 502).
    cloud.api.fail_next("rotate", Fault(502, commit=True))

    lost = stack.up(check=False)

    assert lost.code != 0
    assert "may or may not have happened: Cloudflare answered HTTP 502" in lost.output
    assert cloud.calls("rotate") == 1
    assert cloud.api.accepts(token_id, held)  # consumers keep theirs through the grace

    again = stack.up(check=False)

    assert again.code != 0
    assert "rotated already" in again.output and "raise secret_version to 3" in again.output
    assert cloud.calls("rotate") == 1
    assert cloud.api.accepts(token_id, held)

    rotating(stack, 3)
    stack.up()

    assert cloud.calls("rotate") == 2
    fresh = stack.outputs(show_secrets=True)["uptime_client_secret"]
    assert cloud.api.accepts(token_id, fresh)
    stack.preview("--expect-no-changes")
