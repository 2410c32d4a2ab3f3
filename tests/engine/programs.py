"""Small Python programs of the scenarios' own, for what the root stack's config cannot say
(resource options, stack references). Each reads its settings from stack config."""

import pulumi

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenReference,
    export_service_token,
)

from .harness import ACCOUNT_ID


def protected_token() -> None:
    """One protected token whose renewal strategy comes from config `strategy`."""
    config = pulumi.Config()
    token = ServiceTokenComponent(
        "ci",
        ServiceTokenArgs(
            name="CI/CD app",
            account_id=ACCOUNT_ID,
            min_days_for_renewal=30,
            renewal_strategy="replace" if config.require("strategy") == "replace" else "refresh",
        ),
        pulumi.ResourceOptions(protect=True),
    )
    export_service_token("ci", token)


def token_consumer() -> None:
    """Reads token `ci` from the stack named in config `producer`, and exports what it got."""
    ci = ServiceTokenReference(pulumi.Config().require("producer"), "ci")
    pulumi.export("token_id", ci.token_id)
    pulumi.export("client_id", ci.client_id)
    pulumi.export("client_secret", ci.client_secret)
    pulumi.export("headers", ci.headers)
    pulumi.export("single_header_value", ci.single_header_value)
