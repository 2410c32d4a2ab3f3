#!/usr/bin/env bash
# The demo, for anyone without a Cloudflare account: `pulumi up` of the root stack for real, by
# the Pulumi CLI, against the local Cloudflare (a fake API on loopback and our stand-in
# `cloudflare` provider plugin, both gone when it ends); then the clock moves to renewal day
# and it shows the preview that announces the renewal, the `up` that makes it, and the new
# expiry. Needs Python 3.11+ as python3, libfaketime (Debian: faketime), and a Pulumi CLI
# >= 3.226 on PATH or Go to build one (scripts/engine.sh says which it used).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/faketime.sh
engine=$(bash scripts/engine.sh | tail -n1)
exec .venv/bin/python scripts/demo.py "$engine"
