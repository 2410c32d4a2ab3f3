"""A CI pipeline behind Access: the token's headers go into GitHub Actions secrets, and every
`pulumi up` that renews or rotates the token updates them."""

import pulumi
import pulumi_github as github

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent

config = pulumi.Config()
repository = config.require("repository")

token = ServiceTokenComponent(
    "ci",
    ServiceTokenArgs(
        name=f"GitHub Actions: {repository}",
        account_id=config.require("accountId"),
        min_days_for_renewal=30,
        renewal_strategy="replace",  # new credentials each year; the secrets below follow
    ),
)

client_id = github.ActionsSecret(
    "cf-access-client-id",
    repository=repository,
    secret_name="CF_ACCESS_CLIENT_ID",
    value=token.client_id,
)
client_secret = github.ActionsSecret(
    "cf-access-client-secret",
    repository=repository,
    secret_name="CF_ACCESS_CLIENT_SECRET",
    value=token.client_secret,
)

pulumi.export("secret_names", [client_id.secret_name, client_secret.secret_name])
pulumi.export("client_secret", client_secret.value)
