"""Record golden state fixtures: what the engine stores for each dynamic resource of this release.

Run once per release (`.tools/bin/uv run python scripts/record_state_fixtures.py`); it writes
`tests/fixtures/state/<version>.json` and refuses to overwrite one that exists: fixtures are never
regenerated, only added to, so every release's state is proven to load with the code after it.

Each record is a resource as the engine keeps it: its type, id, the inputs Check returned and the
outputs Create or Update returned, `__provider` included, driven through the SDK's own servicer.
"""

import json
import sys
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cloudflare_service_token._machines import MACHINES
from tests.conftest import ACCOUNT_ID, NOW
from tests.renewal_world import component_run, renewal_world

SECRET_OUTPUTS = {key for machine in MACHINES for key in machine.secret_outputs}
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "state"


def _record(
    kind: str,
    stage: str,
    type_: str,
    id_: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    at: str,
) -> dict[str, Any]:
    return {
        "resource": kind,
        "stage": stage,
        "type": type_,
        "id": id_,
        "recorded_at": at,
        "inputs": inputs,
        "outputs": _redacted(outputs),
    }


# The fake API's secrets are random and worthless, but a secret never goes into a snapshot: the
# fixtures keep where a secret was, not what it was.
REDACTED = "secret-redacted-from-fixture"


def _redacted(outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        key: REDACTED if key in SECRET_OUTPUTS and value else value
        for key, value in outputs.items()
    }


def record() -> list[dict[str, Any]]:
    records = []
    with renewal_world() as world:
        at = world.clock.now().isoformat()
        run = component_run(world.clock, min_days_for_renewal=30, secret_version=1)
        tracker = run.monitor.one(":TokenRenewal")
        world.api.add_token(account_id=ACCOUNT_ID, token_id=tracker.inputs["token_id"])
        inputs = world.engine.check({}, dict(tracker.inputs))
        tracker_id, created = world.engine.create(inputs)
        records.append(
            _record("TokenRenewal", "created", tracker.type, tracker_id, inputs, created, at)
        )
        rotation = run.monitor.one(":SecretRotation")
        rotation_inputs = world.engine.check({}, dict(rotation.inputs))
        rotation_id, rotation_created = world.engine.create(rotation_inputs)
        records.append(
            _record(
                "SecretRotation",
                "created",
                rotation.type,
                rotation_id,
                rotation_inputs,
                rotation_created,
                at,
            )
        )

        schedule_run = component_run(
            world.clock, min_days_for_renewal=30, renewal_strategy="replace"
        )
        schedule = schedule_run.monitor.one(":RenewalSchedule")
        schedule_inputs = world.engine.check({}, dict(schedule.inputs))
        schedule_id, schedule_created = world.engine.create(schedule_inputs)
        records.append(
            _record(
                "RenewalSchedule",
                "created",
                schedule.type,
                schedule_id,
                schedule_inputs,
                schedule_created,
                at,
            )
        )

        world.clock.advance(days=340)
        later = world.clock.now().isoformat()
        renewed = world.engine.update(tracker_id, created, inputs)
        records.append(
            _record("TokenRenewal", "renewed", tracker.type, tracker_id, inputs, renewed, later)
        )
        bumped = world.engine.update(schedule_id, schedule_created, schedule_inputs)
        records.append(
            _record(
                "RenewalSchedule",
                "renewed",
                schedule.type,
                schedule_id,
                schedule_inputs,
                bumped,
                later,
            )
        )
        rotated_inputs = world.engine.check(
            rotation_created, {**rotation_inputs, "secret_version": 2}
        )
        rotated = world.engine.update(rotation_id, rotation_created, rotated_inputs)
        records.append(
            _record(
                "SecretRotation",
                "rotated",
                rotation.type,
                rotation_id,
                rotated_inputs,
                rotated,
                later,
            )
        )
    assert world.clock.now() == NOW + timedelta(days=340)
    return records


def main() -> int:
    release = version("pulumi-cloudflare-service-token")
    target = FIXTURES / f"{release}.json"
    if target.exists():
        print(
            f"{target} exists: fixtures are never regenerated; bump the version first.",
            file=sys.stderr,
        )
        return 1
    document = {
        "release": release,
        "pulumi": version("pulumi"),
        "dill": version("dill"),
        "python": sys.version.split()[0],
        "records": record(),
    }
    FIXTURES.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
