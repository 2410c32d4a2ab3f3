"""How a client presents a service token: the header pair, or one JSON header.

Everything here carries the client secret, so every result is a Pulumi secret. Without a secret
(an adopted token) the results are None rather than headers Cloudflare would refuse.
"""

import json
from typing import NamedTuple

import pulumi

CLIENT_ID_HEADER = "CF-Access-Client-Id"
CLIENT_SECRET_HEADER = "CF-Access-Client-Secret"


class SecretCredentials(NamedTuple):
    """The client secret and what is derived from it, each a secret Output."""

    client_secret: pulumi.Output[str | None]
    headers: pulumi.Output[dict[str, str] | None]
    """`{"CF-Access-Client-Id": …, "CF-Access-Client-Secret": …}`"""
    single_header_value: pulumi.Output[str | None]
    """The JSON value an app with `read_service_tokens_from_header` expects."""


def secret_credentials(
    client_id: pulumi.Output[str], client_secret: pulumi.Input[str | None]
) -> SecretCredentials:
    """The secret made secret once, here; the headers and the single-header value are computed
    from it, so they inherit its secrecy.

    Each derived value is one `apply` on the secret: `Output.all` or a second `Output.secret`
    would each add several Outputs per token, the SDK's main cost in a large program.
    """
    secret = pulumi.Output.secret(client_secret)

    def headers(secret_value: str | None) -> pulumi.Output[dict[str, str]] | None:
        if secret_value is None:
            return None
        return client_id.apply(
            lambda id_value: {CLIENT_ID_HEADER: id_value, CLIENT_SECRET_HEADER: secret_value}
        )

    header_pair: pulumi.Output[dict[str, str] | None] = secret.apply(headers)
    single_header_value = header_pair.apply(
        lambda pair: (
            None
            if pair is None
            else json.dumps(
                {
                    "cf-access-client-id": pair[CLIENT_ID_HEADER],
                    "cf-access-client-secret": pair[CLIENT_SECRET_HEADER],
                }
            )
        )
    )
    return SecretCredentials(secret, header_pair, single_header_value)
