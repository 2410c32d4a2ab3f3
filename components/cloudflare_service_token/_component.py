"""`ServiceTokenComponent`: an Access service token with safe replacement and secret outputs."""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import pulumi
import pulumi_cloudflare as cloudflare

from ._access_resources import expiry_alert, service_auth_policy
from ._args import ServiceTokenArgs, validate_args
from ._credentials import secret_credentials
from ._renewal import renew_after_text
from ._renewal_resources import RenewalSchedule, SecretRotation, TokenRenewal

TYPE_TOKEN = "cloudflare-service-token:index:ServiceTokenComponent"


class ServiceTokenComponent(pulumi.ComponentResource):
    """A Cloudflare Access service token whose credentials stay secret and whose replacement never
    leaves services without a valid token."""

    # Declared for type checkers and IDEs only. At run time the SDK turns a resource class's own
    # annotations into a new class, a copy of several modules' globals and a get_type_hints call on
    # every instance (`_types.resource_types`, uncached), about a fifth of the bare token's cost
    # per component; a component's outputs need none of it.
    if TYPE_CHECKING:
        token_id: pulumi.Output[str]
        """The token's Cloudflare id (a UUID): what Access policies include."""
        client_id: pulumi.Output[str]
        """The value of the `CF-Access-Client-Id` header (`<32 hex>.access`)."""
        client_secret: pulumi.Output[str | None]
        """The value of the `CF-Access-Client-Secret` header. Secret; None for an adopted token
        until its first rotation."""
        expires_at: pulumi.Output[str | None]
        """When the token expires (RFC 3339), counting renewals this component made; None:
        never."""
        renew_after: pulumi.Output[str | None]
        """From when the next `pulumi up` renews the token (RFC 3339); None without renewal."""
        headers: pulumi.Output[dict[str, str] | None]
        """Both request headers, ready to send. Secret; None for an adopted token until
        rotated."""
        single_header_value: pulumi.Output[str | None]
        """The JSON value for apps that read the token from one header. Secret; None
        likewise."""
        policy_id: pulumi.Output[str | None]
        """The Service Auth Access policy's id, when `service_auth_policy_name` is set."""

        _TokenRenewal: ClassVar[Callable[..., TokenRenewal | Any]]
        _RenewalSchedule: ClassVar[Callable[..., RenewalSchedule | Any]]
        _SecretRotation: ClassVar[Callable[..., SecretRotation | Any]]

    # The resources renewal and rotation declare: dynamic resources in library mode; the provider
    # plugin swaps in its own custom resources, which take the same arguments.
    _TokenRenewal = TokenRenewal
    _RenewalSchedule = RenewalSchedule
    _SecretRotation = SecretRotation

    def __init__(
        self,
        name: str,
        args: ServiceTokenArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validated = validate_args(args, protected=_protected(opts))
        super().__init__(TYPE_TOKEN, name, None, opts)
        renews = validated.min_days_for_renewal > 0

        # One Output stands for every output this token has no value for.
        unset: pulumi.Output[None] = pulumi.Output.from_input(None)
        replacement_trigger: pulumi.Output[int] | None = None
        renew_after: pulumi.Output[str | None] = unset
        if renews and validated.renewal_strategy == "replace":
            schedule = self._RenewalSchedule(
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
                # Rotation is the rotation resource's job (it sets the previous secret's
                # deadline the moment the new secret exists); state from 0.1.0, where the
                # provider rotated, keeps its values here and shows no diff.
                ignore_changes=["clientSecretVersion", "previousClientSecretExpiresAt"],
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
                "rotate the secret: set secret_version (e.g. 1), then raise it by one in a later "
                "`pulumi up` to get a new secret under the same client id.",
                resource=self,
            )

        client_secret: pulumi.Output[str | None] = token.client_secret
        if validated.secret_version is not None:
            rotation = self._SecretRotation(
                f"{name}-rotation",
                token_id=token.id,
                account_id=validated.scope_id,
                secret_version=validated.secret_version,
                grace=validated.previous_secret_grace,
                opts=pulumi.ResourceOptions(parent=self),
            )
            # The latest rotation's secret, or the token's own until the first rotation.
            client_secret = pulumi.Output.all(rotation.client_secret, token.client_secret).apply(
                lambda secrets: secrets[0] if secrets[0] is not None else secrets[1]
            )

        expires_at: pulumi.Output[str | None] = token.expires_at
        if renews and validated.renewal_strategy == "refresh":
            token.expires_at.apply(
                partial(_warn_without_expiry, self, validated.min_days_for_renewal)
            )
            renewal = self._TokenRenewal(
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

        policy_id: pulumi.Output[str | None] = unset
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
        # The engine applies additional_secret_outputs, but only to the token's own state: these
        # are made secret here, so they are secret wherever they are read.
        self.client_secret, self.headers, self.single_header_value = secret_credentials(
            token.client_id, client_secret
        )
        self.expires_at = expires_at
        self.renew_after = renew_after
        self.policy_id = policy_id
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


def _protected(opts: pulumi.ResourceOptions | None) -> bool:
    """Whether the token will be protected: `protect` on the component, or inherited from its
    parent as the SDK does (known before anything is registered)."""
    if opts is None:
        return False
    if opts.protect is not None:
        return opts.protect
    return bool(opts.parent is not None and getattr(opts.parent, "_protect", False))


def _warn_without_expiry(component: pulumi.Resource, min_days: int, expires_at: str | None) -> None:
    if expires_at is None:
        pulumi.log.warn(
            f"the service token reports no expiry, so `min_days_for_renewal` ({min_days}) cannot "
            f"renew it: Cloudflare gives every token one (a 'forever' token about 100 years out); "
            f"run `pulumi refresh` to read it.",
            resource=component,
        )
