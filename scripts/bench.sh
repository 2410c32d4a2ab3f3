#!/usr/bin/env bash
# The benchmarks (not part of the tests): prints the figures of docs/performance.md (and the
# README's engine table); exits 1 over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The figures under the real Pulumi CLI need one (built and cached by scripts/engine.sh).
PULUMI_ENGINE_BIN=$(bash scripts/engine.sh | tail -n1)
export PULUMI_ENGINE_BIN
exec .tools/bin/uv run --frozen --no-sync python -m bench.run
