"""`ServiceTokenComponent`: an Access service token with safe replacement and secret outputs."""

from functools import partial

import pulumi
import pulumi_cloudflare as cloudflare

from ._access_resources import expiry_alert, service_auth_policy
from ._args import ServiceTokenArgs, validate_args
from ._credentials import secret_headers, single_header_value
from ._renewal import renew_after_text
from ._renewal_resources import RenewalSchedule, SecretRotation, TokenRenewal

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
    expires_at: pulumi.Output[str | None]
    """When the token expires (RFC 3339), counting renewals this component made; None: never."""
    renew_after: pulumi.Output[str | None]
    """From when the next `pulumi up` renews the token (RFC 3339); None without renewal."""
    headers: pulumi.Output[dict[str, str] | None]
    """Both request headers, ready to send. Secret; None for an adopted token until rotated."""
    single_header_value: pulumi.Output[str | None]
    """The JSON value for apps that read the token from one header. Secret; None likewise."""
    policy_id: pulumi.Output[str | None]
    """The Service Auth Access policy's id, when `service_auth_policy_name` is set."""

    def __init__(
        self,
        name: str,
        args: ServiceTokenArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validated = validate_args(args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        renews = validated.min_days_for_renewal > 0

        replacement_trigger: pulumi.Output[int] | None = None
        renew_after: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if renews and validated.renewal_strategy == "replace":
            schedule = RenewalSchedule(
                f"{name}-schedule",
                duration=validated.duration,
                min_days=validated.min_days_for_renewal,
                opts=pulumi.ResourceOptions(parent=self),
            )
            replacement_trigger = schedule.generation
            # From the window in this program: the schedule applies a new one without an update.
            renew_after = schedule.expires_at.apply(
                partial(renew_after_text, min_days=validated.min_days_for_renewal)
            )

        previous_secret_expires_at: pulumi.Output[str] | None = None
        if validated.secret_version is not None:
            rotation = SecretRotation(
                f"{name}-rotation",
                secret_version=validated.secret_version,
                grace=validated.previous_secret_grace,
                opts=pulumi.ResourceOptions(parent=self),
            )
            previous_secret_expires_at = rotation.previous_secret_expires_at

        token = cloudflare.ZeroTrustAccessServiceToken(
            f"{name}-token",
            name=validated.name,
            account_id=validated.account_id,
            zone_id=validated.zone_id,
            duration=validated.duration,
            enabled=validated.enabled,
            client_secret_version=validated.secret_version,
            previous_client_secret_expires_at=previous_secret_expires_at,
            # Not merged with the caller's opts: their `parent` would replace this component.
            # Providers, `protect` and the like reach the token through `parent=self`.
            opts=pulumi.ResourceOptions(
                parent=self,
                # Cloudflare refuses to delete a token a policy still references, and services
                # need the new token before the old one goes: always create before destroy.
                delete_before_replace=False,
                additional_secret_outputs=["clientSecret"],
                # Replace strategy: a new generation replaces the token, new one first.
                replacement_trigger=replacement_trigger,
                import_=validated.import_id,
                aliases=list(validated.token_aliases),
            ),
        )
        if validated.import_id is not None:
            pulumi.log.warn(
                "adopted an existing service token: Cloudflare never returns its client secret "
                "again, so client_secret, headers and single_header_value are empty until you "
                "rotate the secret: after this import, set secret_version one above the token's "
                "current version (2 if it was never rotated).",
                resource=self,
            )

        expires_at: pulumi.Output[str | None] = token.expires_at
        if renews and validated.renewal_strategy == "refresh":
            renewal = TokenRenewal(
                f"{name}-renewal",
                token_id=token.id,
                account_id=validated.scope_id,
                token_expires_at=token.expires_at,
                min_days=validated.min_days_for_renewal,
                opts=pulumi.ResourceOptions(parent=self),
            )
            # The token's own expires_at lags behind a refresh until `pulumi refresh`.
            expires_at = renewal.expires_at
            renew_after = renewal.renew_after

        policy_id: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if validated.service_auth_policy_name is not None:
            policy_id = service_auth_policy(
                name,
                account_id=validated.scope_id,
                policy_name=validated.service_auth_policy_name,
                token_id=token.id,
                parent=self,
            ).id
        if validated.expiry_alert_emails:
            expiry_alert(
                name,
                account_id=validated.scope_id,
                token_name=validated.name,
                token_id=token.id,
                emails=validated.expiry_alert_emails,
                parent=self,
            )

        self.token_id = token.id
        self.client_id = token.client_id
        # The engine applies additional_secret_outputs, but only to the token's own state: wrap
        # here so the component's outputs are secret wherever they are read.
        self.client_secret = pulumi.Output.secret(token.client_secret)
        self.expires_at = expires_at
        self.renew_after = renew_after
        self.policy_id = policy_id
        self.headers = secret_headers(self.client_id, self.client_secret)
        self.single_header_value = single_header_value(self.headers)
        self.register_outputs(
            {
                "token_id": self.token_id,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "expires_at": self.expires_at,
                "renew_after": self.renew_after,
                "policy_id": self.policy_id,
                "headers": self.headers,
                "single_header_value": self.single_header_value,
            }
        )
