"""`ServiceTokenComponent`: an Access service token with safe replacement and secret outputs."""

import pulumi
import pulumi_cloudflare as cloudflare

from ._args import ServiceTokenArgs, validate_args
from ._credentials import secret_headers, secret_single_header_value

TYPE_TOKEN = "cloudflare-service-token:index:ServiceTokenComponent"


class ServiceTokenComponent(pulumi.ComponentResource):
    """A Cloudflare Access service token whose credentials stay secret and whose replacement never
    leaves services without a valid token."""

    token_id: pulumi.Output[str]
    """The token's Cloudflare id (a UUID): what Access policies include."""
    client_id: pulumi.Output[str]
    """The value of the `CF-Access-Client-Id` header (`<32 hex>.access`)."""
    client_secret: pulumi.Output[str]
    """The value of the `CF-Access-Client-Secret` header. Secret."""
    expires_at: pulumi.Output[str]
    """When the token expires (RFC 3339)."""
    headers: pulumi.Output[dict[str, str]]
    """Both request headers, ready to send. Secret."""
    single_header_value: pulumi.Output[str]
    """The JSON value for apps that read the token from one header. Secret."""

    def __init__(
        self,
        name: str,
        args: ServiceTokenArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validated = validate_args(args)
        super().__init__(TYPE_TOKEN, name, None, opts)

        token = cloudflare.ZeroTrustAccessServiceToken(
            f"{name}-token",
            name=validated.name,
            account_id=validated.account_id,
            zone_id=validated.zone_id,
            duration=validated.duration,
            enabled=validated.enabled,
            # Not merged with the caller's opts: their `parent` would replace this component.
            # Providers, `protect` and the like reach the token through `parent=self`.
            opts=pulumi.ResourceOptions(
                parent=self,
                # Cloudflare refuses to delete a token a policy still references, and services
                # need the new token before the old one goes: always create before destroy.
                delete_before_replace=False,
                additional_secret_outputs=["clientSecret"],
            ),
        )

        self.token_id = token.id
        self.client_id = token.client_id
        # The engine applies additional_secret_outputs, but only to the token's own state: wrap
        # here so the component's outputs are secret wherever they are read.
        self.client_secret = pulumi.Output.secret(token.client_secret)
        self.expires_at = token.expires_at
        self.headers = secret_headers(self.client_id, self.client_secret)
        self.single_header_value = secret_single_header_value(self.client_id, self.client_secret)
        self.register_outputs(
            {
                "token_id": self.token_id,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "expires_at": self.expires_at,
                "headers": self.headers,
                "single_header_value": self.single_header_value,
            }
        )
