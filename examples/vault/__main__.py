"""The token in HashiCorp Vault's KV store, the way Cloudflare's docs show it for Terraform, kept
current across renewals and rotations by the same `pulumi up` that makes them."""

import pulumi
import pulumi_vault as vault

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent

config = pulumi.Config()

token = ServiceTokenComponent(
    "app",
    ServiceTokenArgs(
        name="Example service token",
        account_id=config.require("accountId"),
        min_days_for_renewal=30,
        secret_version=1,  # bump to rotate; Vault gets the new secret in the same `up`
    ),
)

secret = vault.kv.SecretV2(
    "example-service-token",
    mount=config.require("mount"),
    name="cloudflare/example_service_token",
    data_json=pulumi.Output.json_dumps(
        {"CLIENT_ID": token.client_id, "CLIENT_SECRET": token.client_secret}
    ),
)

pulumi.export("vault_path", secret.path)
pulumi.export("vault_data_json", secret.data_json)
