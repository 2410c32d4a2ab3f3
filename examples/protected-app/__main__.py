"""An Access application that admits a service token: through the usual header pair, and through
one `Authorization` header for clients that can send only one."""

import pulumi
import pulumi_cloudflare as cloudflare

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent

config = pulumi.Config()
account_id = config.require("accountId")

token = ServiceTokenComponent(
    "partner",
    ServiceTokenArgs(
        name="Partner integration",
        account_id=account_id,
        service_auth_policy_name="Partner integration may call the API",
        expiry_alert_emails=["ops@example.com"],
        min_days_for_renewal=30,
    ),
)

app = cloudflare.ZeroTrustAccessApplication(
    "api",
    account_id=account_id,
    name="Partner API",
    domain=config.require("domain"),
    type="self_hosted",
    policies=[{"id": token.policy_id, "precedence": 1}],
    # Such clients send `Authorization: {"cf-access-client-id": …, "cf-access-client-secret": …}`.
    read_service_tokens_from_header="Authorization",
)

pulumi.export("application_id", app.id)
pulumi.export("policy_id", token.policy_id)
pulumi.export("authorization_header_value", token.single_header_value)
