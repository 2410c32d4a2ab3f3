"""Entry point of the `cloudflare-service-token` provider plugin (see docs/languages.md)."""

import importlib.util
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# requirements.txt installs the package's dependencies, pinned and hash-checked; the package
# itself comes from this checkout's source beside this folder (pip cannot hash-check a folder),
# unless an installed copy is already there.
_CHECKOUT = Path(__file__).resolve().parent.parent
_FROM_SOURCE = importlib.util.find_spec("cloudflare_service_token") is None
if _FROM_SOURCE:
    sys.path.insert(0, str(_CHECKOUT / "components"))

from cloudflare_service_token._plugin import serve  # noqa: E402


def _version() -> str:
    if _FROM_SOURCE:
        project = tomllib.loads((_CHECKOUT / "pyproject.toml").read_text())["project"]
        return str(project["version"])
    try:
        return version("pulumi-cloudflare-service-token")
    except PackageNotFoundError:  # run from a checkout on PYTHONPATH, not installed
        return "0.0.0-dev"


if __name__ == "__main__":
    serve(sys.argv, _version())
