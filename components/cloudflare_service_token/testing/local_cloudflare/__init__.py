"""A stand-in for the pulumi-cloudflare 6 provider plugin, for tests and demos under the real
Pulumi engine: the `cloudflare` provider's three resource types that `ServiceTokenComponent`
declares (`ZeroTrustAccessServiceToken`, `ZeroTrustAccessPolicy`, `NotificationPolicy`), with the
same type tokens, property names and semantics, backed by `FakeCloudflareApi` on loopback. It
refuses any base URL off this machine and any other resource type.

`write_local_cloudflare_plugin(folder)` writes the `pulumi-resource-cloudflare` executable the
engine runs; `python -m cloudflare_service_token.testing.local_cloudflare <engine address>` is
what it runs. Importing this package loads neither gRPC nor the provider.
"""

from ._plugin_file import PLUGIN_NAME, write_local_cloudflare_plugin

__all__ = ["PLUGIN_NAME", "write_local_cloudflare_plugin"]
