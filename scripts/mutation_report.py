"""Summarise a mutmut run: the score per module, and every survivor not judged equivalent.

Usage: python scripts/mutation_report.py <mutants dir> <equivalents.toml>. The score counts a
mutant as killed if a test failed or timed out on it; survivors and mutants no test reached both
count against it; mutants listed in the equivalents file (name = "why") are left out.
"""

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255, 37}
SURVIVED = {0, 5, 33}


def main(mutants: Path, equivalents_file: Path) -> int:
    equivalents = tomllib.loads(equivalents_file.read_text()) if equivalents_file.exists() else {}
    per_module: dict[str, Counter[str]] = {}
    survivors: list[str] = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.name.removesuffix(".py.meta")
        counts = per_module.setdefault(module, Counter())
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if name in equivalents:
                counts["equivalent"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
                survivors.append(name)
            else:
                counts["not run"] += 1
    total: Counter[str] = Counter()
    print("| module | killed | survived | equivalent | not run | score |")
    print("|---|---|---|---|---|---|")
    for module, counts in per_module.items():
        total.update(counts)
        print(f"| {module} | {_row(counts)} |")
    print(f"| all | {_row(total)} |\n")
    for name in survivors:
        print(f"survived: {name}")
    stale = sorted(set(equivalents) - {n for m in per_module for n in _names(mutants, m)})
    for name in stale:
        print(f"listed as equivalent but no longer a mutant: {name}")
    return 0


def _row(counts: Counter[str]) -> str:
    decided = counts["killed"] + counts["survived"]
    score = 100 * counts["killed"] / decided if decided else 0.0
    return (
        f"{counts['killed']} | {counts['survived']} | {counts['equivalent']} | "
        f"{counts['not run']} | {score:.1f}%"
    )


def _names(mutants: Path, module: str) -> list[str]:
    return [
        name
        for meta in mutants.rglob(f"{module}.py.meta")
        for name in json.loads(meta.read_text())["exit_code_by_key"]
    ]


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
