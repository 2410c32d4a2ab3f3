"""How a client presents a service token: the header pair, or one JSON header.

Everything here carries the client secret, so every result is a Pulumi secret. Without a secret
(an adopted token) the results are None rather than headers Cloudflare would refuse.
"""

import json

import pulumi

CLIENT_ID_HEADER = "CF-Access-Client-Id"
CLIENT_SECRET_HEADER = "CF-Access-Client-Secret"


def secret_headers(
    client_id: pulumi.Input[str], client_secret: pulumi.Input[str | None]
) -> pulumi.Output[dict[str, str] | None]:
    """`{"CF-Access-Client-Id": …, "CF-Access-Client-Secret": …}`, as a secret."""
    return pulumi.Output.secret(
        pulumi.Output.all(client_id, client_secret).apply(
            lambda pair: (
                None
                if pair[1] is None
                else {CLIENT_ID_HEADER: pair[0], CLIENT_SECRET_HEADER: pair[1]}
            )
        )
    )


def single_header_value(headers: pulumi.Output[dict[str, str] | None]) -> pulumi.Output[str | None]:
    """The JSON value an app with `read_service_tokens_from_header` expects, from `headers`
    (whose secretness it keeps)."""
    return headers.apply(
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
