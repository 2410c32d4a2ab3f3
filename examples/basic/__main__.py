"""One service token for a CI system, exported so other stacks can read it."""

import pulumi

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent, export_service_token

config = pulumi.Config()

token = ServiceTokenComponent(
    "ci",
    ServiceTokenArgs(name="CI/CD app", account_id=config.require("accountId"), duration="8760h"),
)

# ci_token_id, ci_client_id, ci_client_secret (secret), ci_expires_at
export_service_token("ci", token)
