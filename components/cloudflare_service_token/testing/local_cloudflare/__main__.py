"""`python -m cloudflare_service_token.testing.local_cloudflare <engine address>`: serve the local
Cloudflare stand-in as the engine runs a provider plugin."""

from ._serve import main

main()
