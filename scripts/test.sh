#!/usr/bin/env bash
# The test command. Needs only Python 3.11+ on PATH as python3: it makes its own environment
# and runs pytest with any arguments given, on every core (pytest-xdist; `-n 0` for one
# process), a test file's tests in one worker so module fixtures are set up once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec .tools/bin/uv run --frozen --no-sync pytest -n auto --dist loadfile "$@"
