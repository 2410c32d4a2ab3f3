"""The `pulumi-resource-cloudflare` executable that makes the engine run the stand-in."""

import shlex
import stat
import sys
from pathlib import Path

PLUGIN_NAME = "pulumi-resource-cloudflare"
_MODULE = "cloudflare_service_token.testing.local_cloudflare"


def write_local_cloudflare_plugin(folder: str | Path, python: str = sys.executable) -> Path:
    """Write an executable `pulumi-resource-cloudflare` into `folder` (created if needed) that
    runs the local Cloudflare stand-in with `python`, and return its path.

    Point the engine at it through the project's `plugins.providers` (`name: cloudflare`,
    `path: <folder>`) or by putting `folder` first on `PATH`. It talks only to a fake Cloudflare
    API on loopback (`cloudflare:baseUrl`) and refuses any other address; keep `folder` out of
    any place a real stack could find it.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    plugin = target / PLUGIN_NAME
    plugin.write_text(
        "#!/bin/sh\n"
        "# The local Cloudflare stand-in for tests and demos (a fake Cloudflare API on loopback),\n"
        "# written by cloudflare_service_token.testing.write_local_cloudflare_plugin.\n"
        f'exec {shlex.quote(python)} -u -m {_MODULE} "$@"\n'
    )
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return plugin
