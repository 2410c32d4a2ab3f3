#!/usr/bin/env bash
# Makes sure libfaketime is installed: the engine scenarios and the demo move the clock of the
# processes the Pulumi CLI starts with it. Installs Debian's `faketime` when it is missing and
# this user may (root with apt-get); otherwise says what to install.
set -euo pipefail
if compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null ||
    [ -f /usr/lib/faketime/libfaketime.so.1 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "faketime.sh: installing Debian's faketime (libfaketime) ..." >&2
    apt-get install -y -qq faketime >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq faketime >/dev/null; }
    exit 0
fi
echo "faketime.sh: libfaketime is missing; install it (Debian/Ubuntu: sudo apt-get install faketime)." >&2
exit 1
