"""The Cloudflare calls renewal makes, through the official `cloudflare` SDK.

A thin shell: it resolves credentials, makes one call, and turns every failure into a
`CloudflareApiError` whose message says what happened and what to do, and never carries a secret.
The SDK is imported inside the functions that call Cloudflare, so importing this package (and
every preview) stays free of it.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._renewal import parse_timestamp

if TYPE_CHECKING:
    from cloudflare import Cloudflare

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

    @classmethod
    def resolve(
        cls, config: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> "ApiSettings":
        """Stack config first (`cloudflare:apiToken`, …), then the environment, as the provider
        does."""
        env = os.environ if environ is None else environ

        def pick(config_key: str, env_key: str) -> str | None:
            value = config.get(config_key) or env.get(env_key)
            return str(value) if value else None

        return cls(
            api_token=pick("cloudflare:apiToken", "CLOUDFLARE_API_TOKEN"),
            api_key=pick("cloudflare:apiKey", "CLOUDFLARE_API_KEY"),
            email=pick("cloudflare:email", "CLOUDFLARE_EMAIL"),
            base_url=pick("cloudflare:baseUrl", "CLOUDFLARE_BASE_URL"),
            timeout_seconds=float(config.get(TIMEOUT_KEY) or 30.0),
            max_retries=int(config.get(RETRIES_KEY) or 2),
        )


def refresh_service_token(settings: ApiSettings, account_id: str, token_id: str) -> datetime:
    """Extend the token's life (same id and secret) and return its new expiry.

    One call, plus one read only if the answer lacks the expiry. The SDK retries 408/409/429/5xx
    and timeouts `settings.max_retries` times with backoff, honouring `retry-after`.
    """
    import cloudflare

    where = f"service token {token_id} in account {account_id}"
    client = _client(settings)
    try:
        tokens = client.zero_trust.access.service_tokens
        raw = tokens.with_raw_response.refresh(token_id, account_id=account_id)
        result = _result(raw.http_response.content, where, "refresh")
        expires_at = result.get("expires_at")
        if not expires_at:
            expires_at = _result(
                tokens.with_raw_response.get(token_id, account_id=account_id).http_response.content,
                where,
                "read after refresh",
            ).get("expires_at")
        if not expires_at:
            raise CloudflareApiError(
                f"Cloudflare refreshed {where} but reported no expiry; run `pulumi refresh` to "
                f"read it, then `pulumi up`."
            )
        return parse_timestamp(str(expires_at))
    except cloudflare.NotFoundError:
        raise CloudflareApiError(
            f"{where} does not exist in Cloudflare (deleted outside Pulumi?); run "
            f"`pulumi refresh` so Pulumi notices, then `pulumi up` to create a new one."
        ) from None
    except (cloudflare.AuthenticationError, cloudflare.PermissionDeniedError) as error:
        raise CloudflareApiError(
            f"Cloudflare refused to refresh {where} "
            f"(HTTP {error.status_code}{_codes(error.body)}): "
            f"the API token needs the permission '{PERMISSION}' on that account; set "
            f"`cloudflare:apiToken` (pulumi config set --secret) or CLOUDFLARE_API_TOKEN."
        ) from None
    except cloudflare.RateLimitError:
        raise CloudflareApiError(
            f"Cloudflare rate-limited the refresh of {where} (HTTP 429) through "
            f"{settings.max_retries} retries; nothing changed, run `pulumi up` again later."
        ) from None
    except cloudflare.APIStatusError as error:
        raise CloudflareApiError(
            f"Cloudflare answered HTTP {error.status_code}{_codes(error.body)} to the refresh of "
            f"{where}, after {settings.max_retries} retries; nothing changed, run `pulumi up` "
            f"again."
        ) from None
    except cloudflare.APITimeoutError:
        raise CloudflareApiError(
            f"the refresh of {where} timed out ({settings.timeout_seconds:g}s, "
            f"{settings.max_retries} retries); nothing was recorded, run `pulumi up` again."
        ) from None
    except cloudflare.APIConnectionError:
        raise CloudflareApiError(
            f"could not reach Cloudflare to refresh {where} ({settings.max_retries} retries); "
            f"check the network or `cloudflare:baseUrl`, then run `pulumi up` again."
        ) from None
    finally:
        client.close()


def _client(settings: ApiSettings) -> "Cloudflare":
    from cloudflare import Cloudflare

    if settings.api_token:
        credentials: dict[str, str] = {"api_token": settings.api_token}
    elif settings.api_key and settings.email:
        credentials = {"api_key": settings.api_key, "api_email": settings.email}
    else:
        raise CloudflareApiError(
            f"no Cloudflare credentials for renewal: set `cloudflare:apiToken` (pulumi config "
            f"set --secret cloudflare:apiToken …) or CLOUDFLARE_API_TOKEN to an API token with "
            f"the permission '{PERMISSION}'."
        )
    return Cloudflare(
        **credentials,  # type: ignore[arg-type]
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout_seconds,
    )


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
