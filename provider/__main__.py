"""Entry point of the `cloudflare-service-token` provider plugin (see the README)."""

import sys
from importlib.metadata import version

from cloudflare_service_token._plugin import serve

if __name__ == "__main__":
    serve(sys.argv, version("pulumi-cloudflare-service-token"))
