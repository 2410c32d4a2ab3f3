#!/usr/bin/env bash
# The main job: `pulumi up` of the root stack on a real Cloudflare account. `bash scripts/up.sh`
# deploys the stack `dev`; `bash scripts/up.sh prod` deploys `prod`; further arguments go to
# `pulumi up`. See docs/operations.md.
#
# Before `pulumi up`, it refuses and says what to set when: the Pulumi CLI is missing or older
# than 3.226; PULUMI_CONFIG_PASSPHRASE is unset; there is no Cloudflare credential
# (CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_KEY with CLOUDFLARE_EMAIL, or cloudflare:apiToken in the
# stack's config); CLOUDFLARE_ACCOUNT_ID is set but not 32 hex characters; or the stack's config
# still holds the example's account id or an @example.com address. On first use it writes
# Pulumi.<stack>.yaml from Pulumi.example.yaml with CLOUDFLARE_ACCOUNT_ID as the account, and
# the example's alert address makes it stop there until the tokens are edited.
#
# What the caller types is data, never code: the stack name and the account id are checked
# against fixed patterns first, and only ever written to files or passed as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-dev}"
shift || true

MINIMUM_MINOR=226 # Pulumi CLI 3.226: replacement_trigger, and stack config for renewal
EXAMPLE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353

refuse() {
    printf 'scripts/up.sh: %s\n' "$*" >&2
    exit 1
}

command -v pulumi >/dev/null ||
    refuse "the Pulumi CLI is not on PATH; install it (>= 3.$MINIMUM_MINOR) first."
cli_version=$(pulumi version 2>/dev/null || true)
if [[ ! $cli_version =~ ^v?([0-9]+)\.([0-9]+)\. ]]; then
    refuse "could not read the Pulumi CLI's version (\`pulumi version\` printed '$cli_version');" \
        "this project needs 3.$MINIMUM_MINOR or newer."
fi
if ((BASH_REMATCH[1] < 3 || (BASH_REMATCH[1] == 3 && BASH_REMATCH[2] < MINIMUM_MINOR))); then
    refuse "the Pulumi CLI is $cli_version; this project needs 3.$MINIMUM_MINOR or newer" \
        "(replacement_trigger, and stack config handed to renewal): upgrade it."
fi
[[ -n "${PULUMI_CONFIG_PASSPHRASE:-}${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]] ||
    refuse "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts this" \
        "stack's secrets; keep it, every later run needs the same one."
[[ $stack =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] ||
    refuse "the stack name '$stack' is not a plain name (letters, digits, '_', '.' and '-')."
account_id="${CLOUDFLARE_ACCOUNT_ID:-}"
[[ -z $account_id || $account_id =~ ^[0-9a-f]{32}$ ]] ||
    refuse "CLOUDFLARE_ACCOUNT_ID is not an account id (32 hex characters, lower case); copy" \
        "it from the Cloudflare dashboard (Overview page, right column)."

stack_file="Pulumi.$stack.yaml"
if [[ ! -f $stack_file ]]; then
    [[ -n $account_id ]] ||
        refuse "there is no $stack_file yet: export CLOUDFLARE_ACCOUNT_ID=<your account id>" \
            "(32 hex characters) and run again; it writes $stack_file from" \
            "Pulumi.example.yaml with that account, for you to edit its tokens."
    # The checked id, written as data: no part of it reaches a command.
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line == *"cloudflare-service-tokens:accountId:"* ]]; then
            printf '  cloudflare-service-tokens:accountId: %s\n' "$account_id"
        else
            printf '%s\n' "$line"
        fi
    done <Pulumi.example.yaml >"$stack_file"
    printf 'scripts/up.sh: wrote %s from Pulumi.example.yaml; edit its tokens.\n' \
        "$stack_file" >&2
fi

if grep -q "$EXAMPLE_ACCOUNT_ID" "$stack_file"; then
    refuse "$stack_file still holds the example's account id $EXAMPLE_ACCOUNT_ID: put yours" \
        "there (\`pulumi config set accountId <id> --stack $stack\`, or edit the file)."
fi
if example_address=$(grep -Eo '[A-Za-z0-9._%+-]+@example\.(com|org|net)' "$stack_file"); then
    refuse "$stack_file still sends expiry alerts to $(head -n1 <<<"$example_address"), an" \
        "example address: put yours in expiryAlertEmails, or remove the line."
fi
if [[ -z "${CLOUDFLARE_API_TOKEN:-}" && -z "${CLOUDFLARE_API_KEY:-}${CLOUDFLARE_EMAIL:-}" ]] &&
    ! grep -Eq '^[[:space:]]*cloudflare:apiToken:' "$stack_file"; then
    refuse "no Cloudflare credential: export CLOUDFLARE_API_TOKEN=<token> (permissions: Access:" \
        "Service Tokens Write; Access: Apps and Policies Write for serviceAuthPolicyName;" \
        "Notifications Write for expiryAlertEmails), or store it with" \
        "\`pulumi config set --secret cloudflare:apiToken <token> --stack $stack\`."
fi
if [[ -z "${CLOUDFLARE_API_TOKEN:-}" && -n "${CLOUDFLARE_API_KEY:-}${CLOUDFLARE_EMAIL:-}" ]] &&
    [[ -z "${CLOUDFLARE_API_KEY:-}" || -z "${CLOUDFLARE_EMAIL:-}" ]]; then
    refuse "CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL go together: set both, or CLOUDFLARE_API_TOKEN."
fi

# The project's Python environment, from uv.lock, and uv (Pulumi.yaml's toolchain) on PATH.
source scripts/env.sh
export PATH="$PWD/.tools/bin:$PATH"
# Pulumi.yaml keeps state in this folder; an absolute URL here spares the CLI a relative path.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
mkdir -p .pulumi-state
pulumi stack select --create "$stack"
exec pulumi up --stack "$stack" "$@"
