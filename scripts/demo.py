"""The demo behind `bash scripts/demo.sh`: the root stack deployed for real by the Pulumi CLI
against the local Cloudflare (no account needed), then renewed on its renewal day.

Usage: python scripts/demo.py <folder holding pulumi>
"""

import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cloudflare_service_token._durations import parse_duration  # noqa: E402
from tests.engine.harness import LocalCloudflare, Project, local_cloudflare, root_stack  # noqa: E402

# The example config's tokens: what `scripts/up.sh` would deploy to a real account.
EXAMPLE = yaml.safe_load((ROOT / "Pulumi.example.yaml").read_text())["config"]
TOKENS = EXAMPLE["cloudflare-service-tokens:tokens"]
RENEWING = "ci"


def main(engine: Path) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="service-token-demo-") as folder,
        local_cloudflare(Path(folder)) as cloud,
    ):
        stack = root_stack(Path(folder) / "root", engine, cloud, TOKENS)
        banner(f"pulumi up: the root stack's {len(TOKENS)} tokens from Pulumi.example.yaml")
        show(stack, "up", "--yes", "--skip-preview")
        banner("pulumi stack output (secrets masked)")
        show(stack, "stack", "output", program=False)
        calls(cloud)

        settings = TOKENS[RENEWING]
        lifetime = parse_duration(settings.get("duration", "8760h"))
        assert lifetime is not None, "the demo renews a token that expires"
        due_in = lifetime.days - int(settings["minDaysForRenewal"]) + 1
        cloud.travel(days=due_in)
        banner(
            f"{due_in} days later: {RENEWING!r} expires in under "
            f"{settings['minDaysForRenewal']} days (the clock moved for the fake Cloudflare "
            f"and for every process the engine starts)"
        )
        banner("pulumi preview --diff: the renewal is announced, and nothing is called")
        before = cloud.calls()
        show(stack, "preview", "--diff")
        print(f"Cloudflare calls during the preview: {cloud.calls() - before}")
        banner("pulumi up: the renewal")
        show(stack, "up", "--yes", "--skip-preview")
        banner(f"the new expiry of {RENEWING!r}")
        show(stack, "stack", "output", f"{RENEWING}_expires_at", program=False)
        calls(cloud)


def show(stack: Project, *args: str, program: bool = True) -> None:
    run = stack.cli(*args, program=program)
    print(run.stdout.rstrip())


def calls(cloud: LocalCloudflare) -> None:
    print(f"\nCloudflare so far: {', '.join(cloud.log()) or 'no calls'}")


def banner(text: str) -> None:
    print(f"\n=== {text}\n", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
