"""Entry point of the `cloudflare-service-token` provider plugin (see the README)."""

import sys
from importlib.metadata import PackageNotFoundError, version

from cloudflare_service_token._plugin import serve

if __name__ == "__main__":
    try:
        installed = version("pulumi-cloudflare-service-token")
    except PackageNotFoundError:  # run from a checkout on PYTHONPATH, not installed
        installed = "0.0.0-dev"
    serve(sys.argv, installed)
