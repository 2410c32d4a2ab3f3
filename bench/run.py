"""Benchmarks (not part of the tests): `bash scripts/bench.sh` (`python -m bench.run` from the
repository root, in the project's environment). Exits 1 if a budget is blown.

Budgets:
- under the real Pulumi CLI, `pulumi up` and `pulumi preview` of the component take at most
  1.25x the time of the same registrations with no logic (its floor) at 100 tokens;
- under the project's mocks, the component costs at most 2.5x the bare resource per token
  without renewal and 3.5x with it (it registers two resources where the bare token registers
  one, three with renewal);
- renewal makes no Cloudflare call in a preview or an `up` with nothing due, and at most 2 per
  due token;
- importing the package adds at most 50 ms to `import pulumi_cloudflare` and never imports the
  `cloudflare` SDK; loading the renewal providers costs at most 150 ms over the dynamic host's
  own imports; the host answers its first Check within 0.5 s of printing its port.
"""

import os
import platform
import sys

from bench import cloudflare_calls, engine_cost, host_start, import_cost, program_cost
from tests.engine.harness import engine_folder

RATIO_BUDGETS = {"component, no renewal": 2.5, "component, refresh renewal": 3.5}
# Under the real engine, each component against the same registrations with no logic.
ENGINE_FLOORS = {
    "component, no renewal": "SDK floor: component + token",
    "component, refresh renewal": "SDK floor: component + token + tracker",
}
ENGINE_FLOOR_BUDGET = 1.25
ENGINE_BUDGET_COUNT = 100
CALL_TOKENS = 200
IMPORT_BUDGET_SECONDS = 0.050
PROVIDERS_OVER_HOST_BUDGET_SECONDS = 0.150
FIRST_CHECK_BUDGET_SECONDS = 0.5


def main() -> int:
    failures: list[str] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )

    print("| tokens | way | ms per token | ratio to bare |\n|---|---|---|---|")
    for count, ways in program_cost.measure((100, 500), repeats=7).items():
        bare = ways["bare ZeroTrustAccessServiceToken"]
        for name, seconds in ways.items():
            ratio = seconds / bare
            print(f"| {count} | {name} | {seconds * 1000:.2f} | {ratio:.2f}x |")
            if ratio > RATIO_BUDGETS.get(name, float("inf")):
                failures.append(f"{name} at N={count}: {ratio:.2f}x > {RATIO_BUDGETS[name]}x")

    failures += _engine_figures()

    calls = cloudflare_calls.count_calls(CALL_TOKENS)
    print(f"\n| Cloudflare calls for {CALL_TOKENS} tokens | calls |\n|---|---|")
    for phase, count in calls.items():
        print(f"| {phase} | {count} |")
    print(
        f"| Terraform v4 model: every read lists all tokens | "
        f"{cloudflare_calls.terraform_v4_calls(CALL_TOKENS)} per plan |"
    )
    if calls["preview"] or calls["up, nothing due"] or calls["preview, all due"]:
        failures.append(f"calls when nothing may call Cloudflare: {calls}")
    if calls["up, all due"] > 2 * CALL_TOKENS:
        failures.append(f"more than 2 calls per due token: {calls['up, all due']}")

    seconds, sdk_imported = import_cost.measure(repeats=5)
    print(
        f"\nimport cloudflare_service_token after pulumi_cloudflare: {seconds * 1000:.1f} ms; "
        f"cloudflare SDK imported: {sdk_imported}"
    )
    if seconds > IMPORT_BUDGET_SECONDS or sdk_imported:
        failures.append(f"import: {seconds * 1000:.1f} ms, SDK imported: {sdk_imported}")

    loaded, baseline = import_cost.providers_over_host(repeats=5)
    print(
        f"fresh interpreter loading the renewal providers: {loaded * 1000:.0f} ms, against "
        f"{baseline * 1000:.0f} ms for `import pulumi.dynamic, dill, grpc`: "
        f"+{(loaded - baseline) * 1000:.0f} ms "
        f"(budget {PROVIDERS_OVER_HOST_BUDGET_SECONDS * 1000:.0f})"
    )
    if loaded - baseline > PROVIDERS_OVER_HOST_BUDGET_SECONDS:
        failures.append(f"providers over host imports: {(loaded - baseline) * 1000:.0f} ms")

    first_check = host_start.first_check_seconds(repeats=5)
    print(
        f"dynamic host, port printed to first Check answered: {first_check * 1000:.0f} ms "
        f"(budget {FIRST_CHECK_BUDGET_SECONDS * 1000:.0f})"
    )
    if first_check > FIRST_CHECK_BUDGET_SECONDS:
        failures.append(f"first Check: {first_check * 1000:.0f} ms")

    for failure in failures:
        print(f"OVER BUDGET: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _engine_figures() -> list[str]:
    """`pulumi up` / `pulumi preview` wall time per token under the real CLI."""
    failures = []
    engine = engine_folder()
    print(
        "\nUnder the real Pulumi CLI (local Cloudflare), seconds per token, median of 3 "
        "interleaved rounds; ratios to the bare token and to the component's floor:\n"
    )
    print("| tokens | way | up | preview | up / bare | up / floor | preview / floor |")
    print("|---|---|---|---|---|---|---|")
    for count, ways in engine_cost.measure(engine, (10, 100), repeats=3).items():
        bare = ways["bare ZeroTrustAccessServiceToken"]
        for name, phases in ways.items():
            floor = ways.get(ENGINE_FLOORS.get(name, ""))
            to_floor = {phase: phases[phase] / floor[phase] if floor else None for phase in phases}
            print(
                f"| {count} | {name} | {phases['up']:.3f} | {phases['preview']:.3f} | "
                f"{phases['up'] / bare['up']:.2f}x | {_ratio(to_floor['up'])} | "
                f"{_ratio(to_floor['preview'])} |"
            )
            for phase, ratio in to_floor.items():
                if count == ENGINE_BUDGET_COUNT and ratio and ratio > ENGINE_FLOOR_BUDGET:
                    failures.append(
                        f"{name}, {phase} at N={count}: {ratio:.2f}x its floor "
                        f"> {ENGINE_FLOOR_BUDGET}x"
                    )
    return failures


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


if __name__ == "__main__":
    raise SystemExit(main())
