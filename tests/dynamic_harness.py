"""The dynamic-provider servicer harness, now part of the testing kit
(`cloudflare_service_token.testing._dynamic_host`); kept under this name for the tests."""

from cloudflare_service_token.testing._dynamic_host import (
    PROVIDER_KEY,
    Diff,
    DynamicProviderHarness,
    serve_dynamic_providers,
)

__all__ = ["PROVIDER_KEY", "Diff", "DynamicProviderHarness", "serve_dynamic_providers"]
