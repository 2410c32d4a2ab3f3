#!/usr/bin/env bash
# Mutation testing of the decision modules (not part of CI: about an hour on two cores).
#
# mutmut only understands a `src/` (or flat) layout, so it runs on a copy of the project in
# .mutation/ with components/ renamed to src/; running this again resumes where it stopped
# (delete .mutation/ to start over; name mutants, e.g. survivors after new tests, to run just
# those again). The score and the survivors are printed at the end;
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
# The tests move on faster than the code under mutation: bring them in on every run and, when
# they changed, drop mutmut's map of which tests cover which function (it runs each mutant
# against the tests in that map only), so new tests are mapped and used.
fresh="$(mktemp -d)"
git ls-files -z tests | xargs -0 -I{} cp --parents {} "$fresh"/
if ! diff -rq --exclude=__pycache__ "$fresh/tests" "$work/tests" >/dev/null 2>&1; then
    rm -rf "$work/tests"
    mv "$fresh/tests" "$work/tests"
    rm -f "$work/mutants/mutmut-stats.json"
fi
rm -rf "$fresh"
cd "$work"
# Property tests stay deterministic and quick under mutation.
export HYPOTHESIS_PROFILE=mutation
"$root/.mutation-venv/bin/mutmut" run "$@" || true
"$root/.mutation-venv/bin/python" "$root/scripts/mutation_report.py" "$work/mutants" \
    "$root/scripts/mutation_equivalents.toml"
