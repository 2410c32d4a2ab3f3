#!/usr/bin/env bash
# The main job: `pulumi up` of the root stack (default stack name: dev; pass another as $1).
#
# Needs: the Pulumi CLI (>= 3.226) on PATH; a Cloudflare API token with "Access: Service Tokens
# Write" as CLOUDFLARE_API_TOKEN (or `pulumi config set --secret cloudflare:apiToken`); a
# passphrase for the local state as PULUMI_CONFIG_PASSPHRASE. On first use it copies
# Pulumi.example.yaml to Pulumi.<stack>.yaml, taking the account id from CLOUDFLARE_ACCOUNT_ID.
# Any further arguments go to `pulumi up`.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-dev}"
shift || true

command -v pulumi >/dev/null || {
    echo "scripts/up.sh: the Pulumi CLI is not on PATH; install it (>= 3.226) first." >&2
    exit 1
}
[ -n "${PULUMI_CONFIG_PASSPHRASE:-}${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] || {
    echo "scripts/up.sh: set PULUMI_CONFIG_PASSPHRASE: it encrypts this stack's secrets." >&2
    exit 1
}
# The project's Python environment, and uv (Pulumi.yaml's toolchain) on PATH for the CLI.
source scripts/env.sh
export PATH="$PWD/.tools/bin:$PATH"
# Pulumi.yaml keeps state in this folder; an absolute URL here spares the CLI a relative path.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
mkdir -p .pulumi-state
if [ ! -f "Pulumi.$stack.yaml" ]; then
    cp Pulumi.example.yaml "Pulumi.$stack.yaml"
    if [ -n "${CLOUDFLARE_ACCOUNT_ID:-}" ]; then
        sed -i "s/accountId: .*/accountId: $CLOUDFLARE_ACCOUNT_ID/" "Pulumi.$stack.yaml"
    fi
    echo "scripts/up.sh: wrote Pulumi.$stack.yaml from the example; review its tokens." >&2
fi
pulumi stack select --create "$stack"
exec pulumi up --stack "$stack" "$@"
