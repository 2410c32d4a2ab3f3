"""A token renewed in place before it expires, with a rotatable secret.

Renewal only happens when `pulumi up` runs: renew.yml is a GitHub Actions workflow that runs it
on a schedule well inside the renewal window.
"""

import pulumi

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent, export_service_token

config = pulumi.Config()

token = ServiceTokenComponent(
    "deploy",
    ServiceTokenArgs(
        name="Deploy pipeline",
        account_id=config.require("accountId"),
        duration="8760h",
        min_days_for_renewal=config.require_int("minDaysForRenewal"),
        renewal_strategy="refresh",  # same id, client id and secret: consumers change nothing
        secret_version=config.require_int("secretVersion"),
        previous_secret_grace="48h",
    ),
)

export_service_token("deploy", token)
pulumi.export("deploy_renew_after", token.renew_after)
