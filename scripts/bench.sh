#!/usr/bin/env bash
# The benchmarks (not part of the tests): prints the README's figures; exits 1 over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec .tools/bin/uv run --frozen --no-sync python -m bench.run
