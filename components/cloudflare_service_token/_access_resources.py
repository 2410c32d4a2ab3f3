"""The optional companions of a token: the Access policy that lets it in, and the expiry alert."""

import pulumi
import pulumi_cloudflare as cloudflare

EXPIRY_ALERT_TYPE = "expiring_service_token_alert"


def service_auth_policy(
    name: str,
    *,
    account_id: pulumi.Input[str],
    policy_name: pulumi.Input[str],
    token_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> cloudflare.ZeroTrustAccessPolicy:
    """A reusable Service Auth policy including the token by its id (not its client id).

    It depends on the token's id output, so when the token is replaced the engine points the
    policy at the new token before it deletes the old one, which Cloudflare requires.
    """
    return cloudflare.ZeroTrustAccessPolicy(
        f"{name}-policy",
        account_id=account_id,
        name=policy_name,
        decision="non_identity",
        includes=[{"service_token": {"token_id": token_id}}],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def expiry_alert(
    name: str,
    *,
    account_id: pulumi.Input[str],
    token_name: pulumi.Input[str],
    token_id: pulumi.Input[str],
    emails: tuple[str, ...],
    parent: pulumi.Resource,
) -> cloudflare.NotificationPolicy:
    """Cloudflare's "Expiring Access Service Token" notification, for this token only."""
    return cloudflare.NotificationPolicy(
        f"{name}-expiry-alert",
        account_id=account_id,
        name=pulumi.Output.from_input(token_name).apply(lambda n: f"Service token expiring: {n}"),
        alert_type=EXPIRY_ALERT_TYPE,
        mechanisms={"emails": [{"id": address} for address in emails]},
        filters={"token_ids": [token_id]},
        opts=pulumi.ResourceOptions(parent=parent),
    )
