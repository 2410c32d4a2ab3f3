#!/usr/bin/env bash
# Makes a real Pulumi engine available and prints, as its last line, the folder that holds
# `pulumi` (the engine scenarios, the demo and the bench put it first on PATH).
#
# - A `pulumi` >= 3.226 already on PATH is used as it is.
# - Otherwise the pinned CLI is built from the Go module proxy through our module in
#   tools/engine/ (go.mod and go.sum committed), and the YAML language host through
#   tools/engine/yaml/ (pulumi-yaml needs an older pkg/v3 than the CLI's), into
#   .tools/engine/bin/. The build is cached per content of that module in
#   ${PULUMI_ENGINE_CACHE:-~/.cache/cloudflare-service-token/engine}, so it is rebuilt only
#   when the module changes (a fresh clone on the same machine reuses it).
# - Our own `pulumi-resource-pulumi-python` (tools/engine/) goes next to `pulumi`, so the engine
#   can start the Python dynamic providers.
# Everything it says goes to stderr; stdout carries the folder only.
set -euo pipefail
cd "$(dirname "$0")/.."

MINIMUM=3.226.0
module=tools/engine
bin="$PWD/.tools/engine/bin"
say() { echo "engine.sh: $*" >&2; }

version_of() { "$1" version 2>/dev/null | head -n1 | sed 's/^v//'; }
at_least() { [ "$(printf '%s\n%s\n' "$MINIMUM" "$1" | sort -V | head -n1)" = "$MINIMUM" ]; }

# 1. A CLI the user installed (not ours from an earlier run: that one is checked below).
if installed=$(command -v pulumi 2>/dev/null) && [ "$(dirname "$installed")" != "$bin" ]; then
    found=$(version_of "$installed" || true)
    if [ -n "$found" ] && at_least "$found"; then
        folder=$(dirname "$installed")
        say "using the Pulumi CLI on PATH: $installed (v$found), as it is."
        for host in pulumi-language-python pulumi-language-nodejs pulumi-language-yaml \
            pulumi-resource-pulumi-python; do
            if [ -x "$folder/$host" ] || command -v "$host" >/dev/null; then
                say "  $host: present"
            else
                say "  $host: not found next to it or on PATH"
            fi
        done
        echo "$folder"
        exit 0
    fi
    say "ignoring $installed: version '${found:-unknown}' is older than $MINIMUM."
fi

# 2. The pinned CLI, built from our Go module.
if ! command -v go >/dev/null; then
    say "no Pulumi CLI >= $MINIMUM on PATH and no Go toolchain to build one. Either:"
    say "  - install the Pulumi CLI (https://www.pulumi.com/docs/install/) and run this again, or"
    say "  - install Go (>= 1.26) so that this script can build the pinned CLI from $module/."
    exit 1
fi

pinned=$(sed -n 's#^\s*github.com/pulumi/pulumi/pkg/v3 \(v[0-9.]*\).*#\1#p' "$module/go.mod")
yaml_version=$(sed -n 's#^\s*github.com/pulumi/pulumi-yaml \(v[0-9.]*\).*#\1#p' \
    "$module/yaml/go.mod")
key=$(cat "$module/go.mod" "$module/go.sum" "$module/yaml/go.mod" "$module/yaml/go.sum" \
    "$module/pulumi-resource-pulumi-python" "$0" <(go env GOVERSION GOOS GOARCH) |
    sha256sum | cut -c1-16)
cache="${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudflare-service-token/engine}"
built="$cache/$key"

if [ ! -x "$built/pulumi" ]; then
    say "building the Pulumi CLI $pinned and pulumi-language-yaml $yaml_version from the Go"
    say "module proxy (first time on this machine: about 15-25 minutes on two cores) ..."
    mkdir -p "$cache"
    staging=$(mktemp -d "$cache/staging.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    # Static binaries (no cgo): the engine's own clock stays real when tests preload libfaketime
    # for the processes it starts.
    export CGO_ENABLED=0 GOFLAGS=-mod=readonly
    (cd "$module" && go build -trimpath -o "$staging/pulumi" \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pinned" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    (cd "$module/yaml" && go build -trimpath -o "$staging/pulumi-language-yaml" \
        -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version" \
        github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
    cp "$module/pulumi-resource-pulumi-python" "$staging/"
    # The Python and Node.js hosts are modules without version tags: built only if the proxy
    # serves a version (then at that version), otherwise recorded as missing.
    for host in python nodejs; do
        host_module="github.com/pulumi/pulumi/sdk/$host/cmd/pulumi-language-$host/v3"
        if version=$(go list -m -f '{{.Version}}' "$host_module@latest" 2>/dev/null); then
            if GOBIN="$staging" GOFLAGS=-mod=mod go install "$host_module@$version" 2>/dev/null
            then
                echo "pulumi-language-$host $version: built from the Go module proxy" >> \
                    "$staging/hosts.txt"
            else
                echo "pulumi-language-$host: $host_module@$version is served but does not" \
                    "build with go install" >> "$staging/hosts.txt"
            fi
        else
            echo "pulumi-language-$host: not served by the Go module proxy ($host_module" \
                "has no version there)" >> "$staging/hosts.txt"
        fi
    done
    rm -rf "$built"
    mv "$staging" "$built"
    trap - EXIT
fi

if [ "$(cat "$bin/.key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$bin"
    mkdir -p "$bin"
    cp -p "$built"/pulumi* "$bin/"
    echo "$key" > "$bin/.key"
fi

say "using the Pulumi CLI $("$bin/pulumi" version) built from $module/ (cache $built)."
say "  pulumi-language-yaml $yaml_version: built from github.com/pulumi/pulumi-yaml."
say "  pulumi-resource-pulumi-python: ours ($module/), runs python -m pulumi.dynamic."
while read -r line; do say "  $line"; done < "$built/hosts.txt"
[ -x "$bin/pulumi-language-python" ] && [ -x "$bin/pulumi-language-nodejs" ] ||
    say "  Python and TypeScript programs without their host run as Automation API inline programs."
echo "$bin"
