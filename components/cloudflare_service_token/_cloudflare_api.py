"""The Cloudflare calls renewal and rotation make, through the official `cloudflare` SDK.

A thin shell: it resolves credentials, makes one call, and turns every failure into a
`CloudflareApiError` whose message says what happened and what to do, and never carries a secret.
The SDK is imported inside the functions that call Cloudflare, so importing this package (and
every preview) stays free of it.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._machines import Refresh
from ._renewal import format_timestamp, parse_timestamp

if TYPE_CHECKING:
    from cloudflare import Cloudflare

    from ._machines import Call

PERMISSION = "Access: Service Tokens Write"
# Settings of this package itself, under its own config namespace.
TIMEOUT_KEY = "cloudflare-service-token:apiTimeoutSeconds"
RETRIES_KEY = "cloudflare-service-token:apiMaxRetries"
CONFIG_KEYS = (
    "cloudflare:apiToken",
    "cloudflare:apiKey",
    "cloudflare:email",
    "cloudflare:baseUrl",
    TIMEOUT_KEY,
    RETRIES_KEY,
)


class CloudflareApiError(Exception):
    """A Cloudflare call failed; nothing was changed by this package. Safe to show."""


@dataclass(frozen=True)
class ApiSettings:
    """How to reach Cloudflare. The credentials are kept out of `repr`."""

    api_token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    email: str | None = None
    base_url: str | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 2
    # Where the credentials are configured, for error messages: the Cloudflare provider's config
    # in library mode, the plugin's own (`cloudflare-service-token:apiToken`) in plugin mode.
    namespace: str = "cloudflare"

    @classmethod
    def resolve(
        cls,
        config: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        namespace: str = "cloudflare",
    ) -> "ApiSettings":
        """Config first (`<namespace>:apiToken`, …), then the environment, as the Cloudflare
        provider does."""
        env = os.environ if environ is None else environ

        def pick(key: str, env_key: str) -> str | None:
            value = config.get(f"{namespace}:{key}") or env.get(env_key)
            return str(value) if value else None

        return cls(
            api_token=pick("apiToken", "CLOUDFLARE_API_TOKEN"),
            api_key=pick("apiKey", "CLOUDFLARE_API_KEY"),
            email=pick("email", "CLOUDFLARE_EMAIL"),
            base_url=pick("baseUrl", "CLOUDFLARE_BASE_URL"),
            timeout_seconds=float(_setting(config, TIMEOUT_KEY, 30.0)),
            max_retries=int(_setting(config, RETRIES_KEY, 2)),
            namespace=namespace,
        )


def _setting(config: Mapping[str, Any], key: str, default: float) -> Any:
    """The configured value, the default only when none is given: 0 retries means 0."""
    value = config.get(key)
    return default if value is None or value == "" else value


def perform(settings: ApiSettings, call: "Call") -> Any:
    """Make the one call a renewal plan names; return its answer (see `_machines`)."""
    if isinstance(call, Refresh):
        return refresh_service_token(settings, call.account_id, call.token_id)
    return rotate_service_token(
        settings, call.account_id, call.token_id, call.previous_secret_expires_at
    )


def refresh_service_token(settings: ApiSettings, account_id: str, token_id: str) -> datetime:
    """Extend the token's life (same id and secret) and return its new expiry.

    One call, plus one read only if the answer lacks the expiry. The SDK retries 408/409/429/5xx
    and timeouts `settings.max_retries` times with backoff, honouring `retry-after`.
    """
    where = f"service token {token_id} in account {account_id}"
    with _client(settings) as client, _explained(settings, "refresh", where):
        tokens = client.zero_trust.access.service_tokens
        raw = tokens.with_raw_response.refresh(token_id, account_id=account_id)
        expires_at = _result(raw.http_response.content, where, "refresh").get("expires_at")
        if not expires_at:
            raw = tokens.with_raw_response.get(token_id, account_id=account_id)
            expires_at = _result(raw.http_response.content, where, "read after refresh").get(
                "expires_at"
            )
        if not expires_at:
            raise CloudflareApiError(
                f"Cloudflare refreshed {where} but reported no expiry; run `pulumi refresh` to "
                f"read it, then `pulumi up`."
            )
        return parse_timestamp(str(expires_at))


def rotate_service_token(
    settings: ApiSettings, account_id: str, token_id: str, previous_secret_expires_at: datetime
) -> str:
    """Give the token a new client secret (same client id) and return it; the previous secret is
    accepted until `previous_secret_expires_at`. One call."""
    where = f"service token {token_id} in account {account_id}"
    with _client(settings) as client, _explained(settings, "rotation", where):
        raw = client.zero_trust.access.service_tokens.with_raw_response.rotate(
            token_id,
            account_id=account_id,
            previous_client_secret_expires_at=format_timestamp(previous_secret_expires_at),
        )
        secret = _result(raw.http_response.content, where, "rotation").get("client_secret")
        return secret if isinstance(secret, str) else ""


@contextmanager
def _explained(settings: ApiSettings, action: str, where: str) -> Iterator[None]:
    """Turn every SDK failure into a CloudflareApiError that says what to do; never chained, so
    no request (and no credential) rides along in a traceback."""
    import cloudflare

    try:
        yield
    except cloudflare.NotFoundError:
        raise CloudflareApiError(
            f"{where} does not exist in Cloudflare (deleted outside Pulumi?); run "
            f"`pulumi refresh` so Pulumi notices, then `pulumi up` to create a new one."
        ) from None
    except (cloudflare.AuthenticationError, cloudflare.PermissionDeniedError) as error:
        raise CloudflareApiError(
            f"Cloudflare refused the {action} of {where} "
            f"(HTTP {error.status_code}{_codes(error.body)}): "
            f"the API token needs the permission '{PERMISSION}' on that account; set "
            f"`{settings.namespace}:apiToken` (pulumi config set --secret) or "
            f"CLOUDFLARE_API_TOKEN."
        ) from None
    except cloudflare.RateLimitError as error:
        raise CloudflareApiError(
            f"Cloudflare rate-limited the {action} of {where} (HTTP 429{_codes(error.body)}) "
            f"through {settings.max_retries} retries; nothing changed, run `pulumi up` again "
            f"later."
        ) from None
    except cloudflare.APIStatusError as error:
        raise CloudflareApiError(
            f"Cloudflare answered HTTP {error.status_code}{_codes(error.body)} to the {action} "
            f"of {where}, after {settings.max_retries} retries; nothing changed, run `pulumi up` "
            f"again."
        ) from None
    except cloudflare.APITimeoutError:
        raise CloudflareApiError(
            f"the {action} of {where} timed out ({settings.timeout_seconds:g}s, "
            f"{settings.max_retries} retries); nothing was recorded, run `pulumi up` again."
        ) from None
    except cloudflare.APIConnectionError:
        raise CloudflareApiError(
            f"could not reach Cloudflare for the {action} of {where} ({settings.max_retries} "
            f"retries); check the network or `{settings.namespace}:baseUrl`, then run `pulumi up` "
            f"again."
        ) from None


@contextmanager
def _client(settings: ApiSettings) -> Iterator["Cloudflare"]:
    from cloudflare import Cloudflare

    if settings.api_token:
        credentials: dict[str, str] = {"api_token": settings.api_token}
    elif settings.api_key and settings.email:
        credentials = {"api_key": settings.api_key, "api_email": settings.email}
    else:
        raise CloudflareApiError(
            f"no Cloudflare credentials for renewal: set `{settings.namespace}:apiToken` (pulumi "
            f"config set --secret {settings.namespace}:apiToken …) or CLOUDFLARE_API_TOKEN to an "
            f"API token with the permission '{PERMISSION}'."
        )
    client = Cloudflare(
        **credentials,  # type: ignore[arg-type]
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout_seconds,
    )
    try:
        yield client
    finally:
        client.close()


def _result(content: bytes, where: str, action: str) -> dict[str, Any]:
    """The `result` of a Cloudflare envelope; a 2xx with `success: false` is an error too."""
    try:
        envelope = json.loads(content)
    except ValueError:
        raise CloudflareApiError(
            f"Cloudflare answered the {action} of {where} with a body that is not JSON; nothing "
            f"was recorded, run `pulumi up` again."
        ) from None
    if not isinstance(envelope, dict) or envelope.get("success") is not True:
        errors = envelope.get("errors") if isinstance(envelope, dict) else None
        raise CloudflareApiError(
            f"Cloudflare did not succeed with the {action} of {where} (success: false"
            f"{_codes({'errors': errors})}); nothing was recorded, run `pulumi up` again."
        )
    result = envelope.get("result")
    if not isinstance(result, dict):
        raise CloudflareApiError(
            f"Cloudflare answered the {action} of {where} without a token in `result`; nothing "
            f"was recorded, run `pulumi up` again."
        )
    return result


def _codes(body: object) -> str:
    """`, code 10000: message` from an error envelope, for the user to look up."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ""
    parts = [
        f"code {error.get('code')}: {error.get('message')}"
        for error in errors
        if isinstance(error, dict)
    ]
    return f", {'; '.join(parts)}" if parts else ""
