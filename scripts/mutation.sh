#!/usr/bin/env bash
# Mutation testing of the decision modules (not part of CI: about an hour on two cores).
#
# mutmut only understands a `src/` (or flat) layout, so it runs on a copy of the project in
# .mutation/ with components/ renamed to src/; running this again resumes where it stopped
# (delete .mutation/ to start over). The score and the survivors are printed at the end;
# scripts/mutation_equivalents.toml lists the survivors judged equivalent, and why.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root="$PWD"
work="${MUTATION_WORK:-$root/.mutation}"
# An environment of its own: the test script's `uv sync` would otherwise remove mutmut mid-run.
UV_PROJECT_ENVIRONMENT="$root/.mutation-venv" .tools/bin/uv sync --frozen --quiet --group mutation
if [ ! -d "$work" ]; then
    mkdir -p "$work"
    git ls-files -z | xargs -0 -I{} cp --parents {} "$work"/
    mv "$work/components" "$work/src"
    sed -i -e 's|pythonpath = \["components", "."\]|pythonpath = ["src", "."]|' \
        -e 's|"components/cloudflare_service_token/|"src/cloudflare_service_token/|' \
        -e 's|^    "components/",|    "src/",|' "$work/pyproject.toml"
fi
cd "$work"
# Property tests stay deterministic and quick under mutation.
export HYPOTHESIS_PROFILE=mutation
"$root/.mutation-venv/bin/mutmut" run "$@" || true
"$root/.mutation-venv/bin/python" "$root/scripts/mutation_report.py" "$work/mutants" \
    "$root/scripts/mutation_equivalents.toml"
