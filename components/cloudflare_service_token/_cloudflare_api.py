"""The Cloudflare calls renewal and rotation make, through the official `cloudflare` SDK.

A thin shell: it resolves credentials, makes the calls a plan names, and turns every failure into
a `CloudflareApiError` whose message says what happened and what to do, and never carries a
secret. The SDK is imported inside the functions that call Cloudflare, so importing this package
(and every preview) stays free of it.

What reaches Cloudflare is only what this module resolved (`ApiSettings.resolve`): one
credential, sent only to the configured API's own origin. The SDK would add credentials of its
own from the environment (`CLOUDFLARE_API_KEY`, `CLOUDFLARE_EMAIL`,
`CLOUDFLARE_API_USER_SERVICE_KEY`, `CLOUDFLARE_CUSTOM_HEADERS`) and prefer a global key over
the token it was given; a hook on the HTTP client sets the credential headers of every request
to the resolved ones, refuses a request to any other origin, and redirects are never followed,
so no credential crosses hosts. Ids and credentials are checked before the first request: an id
is a URL path segment, a credential a header value.
"""

import ipaddress
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from ._machines import (
    ACCOUNT_ID_PATTERN,
    TOKEN_ID_PATTERN,
    NotRotated,
    Read,
    Refresh,
    Refreshed,
    Rotated,
    RotationUnknown,
    TokenView,
    Verdict,
)
from ._renewal import format_timestamp, parse_timestamp

if TYPE_CHECKING:
    import httpx
    from cloudflare import Cloudflare

    from ._machines import Call, Rotate

PERMISSION = "Access: Service Tokens Write"
DEFAULT_BASE_URL: Final = "https://api.cloudflare.com/client/v4"
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
# Every header that carries a Cloudflare credential; each request carries exactly the resolved
# one's.
_CREDENTIAL_HEADERS: Final = (
    "authorization",
    "x-auth-key",
    "x-auth-email",
    "x-auth-user-service-key",
)
# A credential is a header value: printable ASCII, no spaces or line breaks.
_HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
_LOOPBACK_NAMES: Final = frozenset({"localhost"})


class CloudflareApiError(Exception):
    """A Cloudflare call failed; nothing was changed by this package. Safe to show."""


class RotationOutcomeUnknownError(Exception):
    """The rotate call was sent, and whether Cloudflare carried it out is unknown."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class _OffOriginError(Exception):
    """A request about to leave the configured API's origin (never sent)."""


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
    # Where each setting was found (`cloudflare:apiToken`, CLOUDFLARE_API_TOKEN, …), by field
    # name: names only, so messages can say which one to fix without showing it.
    sources: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        config: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        namespace: str = "cloudflare",
    ) -> "ApiSettings":
        """Config first (`<namespace>:apiToken`, …), then the environment, as the Cloudflare
        provider does. Which credential is sent: an API token if one is found (config, then
        CLOUDFLARE_API_TOKEN), else a global API key with its email (each from config, then
        CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL). Nothing else is ever sent."""
        env = os.environ if environ is None else environ
        sources: dict[str, str] = {}

        def pick(name: str, key: str, env_key: str) -> str | None:
            configured = config.get(f"{namespace}:{key}")
            if configured:
                sources[name] = f"`{namespace}:{key}`"
                return str(configured)
            if env.get(env_key):
                sources[name] = env_key
                return env[env_key]
            return None

        return cls(
            api_token=pick("api_token", "apiToken", "CLOUDFLARE_API_TOKEN"),
            api_key=pick("api_key", "apiKey", "CLOUDFLARE_API_KEY"),
            email=pick("email", "email", "CLOUDFLARE_EMAIL"),
            base_url=pick("base_url", "baseUrl", "CLOUDFLARE_BASE_URL"),
            timeout_seconds=float(_setting(config, TIMEOUT_KEY, 30.0)),
            max_retries=int(_setting(config, RETRIES_KEY, 2)),
            namespace=namespace,
            sources=sources,
        )

    def source(self, name: str, fallback: str) -> str:
        return self.sources.get(name, fallback)


@dataclass(frozen=True)
class _Credential:
    """The one credential a request carries, and how to name it in a message."""

    headers: dict[str, str] = field(repr=False)
    described: str
    is_token: bool


def _setting(config: Mapping[str, Any], key: str, default: float) -> Any:
    """The configured value, the default only when none is given: 0 retries means 0."""
    value = config.get(key)
    return default if value is None or value == "" else value


def base_url_problem(url: str) -> str | None:
    """What is wrong with a Cloudflare API base URL, or None. `https://` anywhere; `http://`
    only to a loopback address, where nothing crosses a network (a local test API)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return "must be an http(s) URL of the Cloudflare API, e.g. 'https://api.cloudflare.com/client/v4'"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user or password: credentials go in `apiToken`"
    if parts.scheme == "http" and not _is_loopback(host):
        return (
            "uses http://, which would send the API token in clear text: use https://, or "
            "http:// only to a loopback address (127.0.0.1, ::1, localhost) for a local test API"
        )
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def perform(
    settings: ApiSettings, call: "Call", *, transport: "httpx.BaseTransport | None" = None
) -> Any:
    """Make the calls a renewal plan names; return the answer its machine takes (see
    `_machines`). A refresh or a rotation first reads Cloudflare's view of the token and acts
    only if the call's own rule says so. `transport` replaces the network (the testing kit)."""
    if isinstance(call, Read):
        return read_service_token(settings, call.account_id, call.token_id, transport=transport)
    if isinstance(call, Refresh):
        return _refresh_if_due(settings, call, transport)
    return _rotate_if_allowed(settings, call, transport)


def _refresh_if_due(
    settings: ApiSettings, call: Refresh, transport: "httpx.BaseTransport | None"
) -> Refreshed:
    view = read_service_token(
        settings, call.account_id, call.token_id, transport=transport, action="read before refresh"
    )
    if not call.still_due(view) and view.expires_at is not None:
        return Refreshed(view.expires_at, refreshed=False)
    return Refreshed(
        refresh_service_token(settings, call.account_id, call.token_id, transport=transport)
    )


def _rotate_if_allowed(
    settings: ApiSettings, call: "Rotate", transport: "httpx.BaseTransport | None"
) -> Rotated | NotRotated | RotationUnknown:
    view = read_service_token(
        settings, call.account_id, call.token_id, transport=transport, action="read before rotation"
    )
    verdict = call.verdict(view)
    if verdict is not Verdict.ROTATE:
        return NotRotated(verdict, view)
    try:
        return rotate_service_token(
            settings,
            call.account_id,
            call.token_id,
            call.previous_secret_expires_at,
            before=view,
            transport=transport,
        )
    except RotationOutcomeUnknownError as unknown:
        return RotationUnknown(unknown.what)


def read_service_token(
    settings: ApiSettings,
    account_id: str,
    token_id: str,
    *,
    transport: "httpx.BaseTransport | None" = None,
    action: str = "read",
) -> TokenView:
    """Cloudflare's view of the token. A read changes nothing, so the SDK's retries apply."""
    where = _where(account_id, token_id)
    with (
        _client(settings, transport) as (client, credential),
        _explained(settings, credential, action, where),
    ):
        raw = client.zero_trust.access.service_tokens.with_raw_response.get(
            token_id, account_id=account_id
        )
        return _view(_result(raw.http_response.content, where, action))


def refresh_service_token(
    settings: ApiSettings,
    account_id: str,
    token_id: str,
    *,
    transport: "httpx.BaseTransport | None" = None,
) -> datetime:
    """Extend the token's life (same id and secret) and return its new expiry.

    One call, plus one read only if the answer lacks the expiry. The SDK retries 408/409/429/5xx
    and timeouts `settings.max_retries` times with backoff, honouring `retry-after`: a refresh is
    safe to repeat, since each one only sets the expiry a year from its own moment, on the same
    token with the same secret.
    """
    where = _where(account_id, token_id)
    with (
        _client(settings, transport) as (client, credential),
        _explained(settings, credential, "refresh", where, acts=True),
    ):
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
    settings: ApiSettings,
    account_id: str,
    token_id: str,
    previous_secret_expires_at: datetime,
    *,
    before: TokenView | None = None,
    transport: "httpx.BaseTransport | None" = None,
) -> Rotated:
    """Give the token a new client secret (same client id); the previous secret is accepted
    until `previous_secret_expires_at`. One call, never retried: Cloudflare keeps one previous
    secret, so a repeated rotation would end the secret consumers hold at once.

    Raises `RotationOutcomeUnknownError` when the call was sent and its outcome is unknown (a 5xx or
    408, a timeout, a broken connection, an answer that is not JSON), `CloudflareApiError` when
    Cloudflare surely did not rotate. Cloudflare's view afterwards comes from the answer, else
    from one read; if none can be had, `before` stands in (the rotation then counts as a change
    the next one cannot explain, which only makes it more careful).
    """
    where = _where(account_id, token_id)
    with _client(settings, transport, max_retries=0) as (client, credential):
        with _explained(settings, credential, "rotation", where, retried=False), _outcome(settings):
            raw = client.zero_trust.access.service_tokens.with_raw_response.rotate(
                token_id,
                account_id=account_id,
                previous_client_secret_expires_at=format_timestamp(previous_secret_expires_at),
            )
            content = raw.http_response.content
        try:
            result = _result(content, where, "rotation")
        except _NotJsonError:
            raise RotationOutcomeUnknownError(
                "Cloudflare answered with a body that is not JSON"
            ) from None
        except _NoResultError:
            result = {}
        secret = result.get("client_secret")
        view = _view(result) if result.get("updated_at") else None
    if view is None:
        try:
            view = read_service_token(
                settings, account_id, token_id, transport=transport, action="read after rotation"
            )
        except CloudflareApiError:
            view = before or TokenView(None, None)
    return Rotated(secret if isinstance(secret, str) else "", view)


def _where(account_id: str, token_id: str) -> str:
    """Where a call goes, checked first: each id becomes a segment of the URL's path."""
    if not (isinstance(token_id, str) and TOKEN_ID_PATTERN.fullmatch(token_id)):
        raise CloudflareApiError(
            "the service token id is not a Cloudflare token id (a UUID such as "
            "'f174e90a-fafe-4643-bbbc-4a0ed4fc8415'); nothing was sent to Cloudflare."
        )
    if not (isinstance(account_id, str) and ACCOUNT_ID_PATTERN.fullmatch(account_id)):
        raise CloudflareApiError(
            f"the account id of service token {token_id} is not a Cloudflare account id (32 hex "
            f"characters); nothing was sent to Cloudflare."
        )
    return f"service token {token_id} in account {account_id}"


def _view(result: Mapping[str, Any]) -> TokenView:
    version = result.get("client_secret_version")
    whole = (
        isinstance(version, int | float)
        and not isinstance(version, bool)
        and float(version).is_integer()
    )
    return TokenView(
        expires_at=_instant(result.get("expires_at")),
        updated_at=_instant(result.get("updated_at")),
        secret_version=int(version) if whole else None,  # type: ignore[arg-type]
    )


def _instant(text: object) -> datetime | None:
    """An RFC 3339 instant as Cloudflare writes it, fractions kept; None if absent or garbled."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@contextmanager
def _outcome(settings: ApiSettings) -> Iterator[None]:
    """Which failures of a sent rotation leave its outcome unknown: a server error or a request
    timeout (Cloudflare may have acted before it failed), no answer in time, a connection that
    broke after the request left. A refused connection sent nothing; 4xx answers and 429 are
    Cloudflare's refusal: those stay errors that say nothing changed."""
    import cloudflare
    import httpx

    try:
        yield
    except cloudflare.APIStatusError as error:
        if error.status_code >= 500 or error.status_code == 408:
            raise RotationOutcomeUnknownError(
                f"Cloudflare answered HTTP {error.status_code}{_codes(error.body)}"
            ) from None
        raise
    except cloudflare.APITimeoutError:
        raise RotationOutcomeUnknownError(
            f"no answer came within {settings.timeout_seconds:g}s"
        ) from None
    except cloudflare.APIConnectionError as error:
        if isinstance(error.__cause__, httpx.ConnectError | _OffOriginError):
            raise
        raise RotationOutcomeUnknownError(
            "the connection broke before Cloudflare answered"
        ) from None


@contextmanager
def _explained(
    settings: ApiSettings,
    credential: _Credential,
    action: str,
    where: str,
    *,
    retried: bool = True,
    acts: bool = False,
) -> Iterator[None]:
    """Turn every SDK failure into a CloudflareApiError that says what to do; never chained, so
    no request (and no credential) rides along in a traceback. `acts`: the call changes the
    token, so a server error or a timeout may come after Cloudflare acted (a refresh: the next
    `up` looks first, so saying so is all it takes)."""
    import cloudflare

    tries = f"after {settings.max_retries} retries" if retried else "never retried"
    unsure = (
        "it may have taken effect all the same: the next `pulumi up` reads the token first and "
        "acts only if still needed"
        if acts
        else "nothing changed, run `pulumi up` again"
    )
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
            f"(HTTP {error.status_code}{_codes(error.body)}) with {credential.described}: "
            f"{_permission_advice(settings, credential)}"
        ) from None
    except cloudflare.RateLimitError as error:
        raise CloudflareApiError(
            f"Cloudflare rate-limited the {action} of {where} (HTTP 429{_codes(error.body)}), "
            f"{tries}; nothing changed, run `pulumi up` again later."
        ) from None
    except cloudflare.APIStatusError as error:
        server_side = error.status_code >= 500 or error.status_code == 408
        raise CloudflareApiError(
            f"Cloudflare answered HTTP {error.status_code}{_codes(error.body)} to the {action} "
            f"of {where}, {tries}; "
            f"{unsure if server_side else 'nothing changed, run `pulumi up` again'}."
        ) from None
    except cloudflare.APITimeoutError:
        raise CloudflareApiError(
            f"the {action} of {where} timed out ({settings.timeout_seconds:g}s, {tries}); "
            f"{unsure if acts else 'nothing was recorded, run `pulumi up` again'}."
        ) from None
    except cloudflare.APIConnectionError as error:
        if isinstance(error.__cause__, _OffOriginError):
            raise CloudflareApiError(
                f"the {action} of {where} was about to leave the Cloudflare API's address "
                f"({settings.source('base_url', 'the default')}); nothing was sent there, and "
                f"credentials never go to another host."
            ) from None
        raise CloudflareApiError(
            f"could not reach Cloudflare for the {action} of {where} ({tries}); check the "
            f"network or `{settings.namespace}:baseUrl`, then run `pulumi up` again."
        ) from None


def _permission_advice(settings: ApiSettings, credential: _Credential) -> str:
    if credential.is_token:
        return (
            f"the API token needs the permission '{PERMISSION}' on that account; set "
            f"`{settings.namespace}:apiToken` (pulumi config set --secret) or "
            f"CLOUDFLARE_API_TOKEN to a token that has it."
        )
    return (
        f"check that the global API key and the email belong to one user with access to that "
        f"account, or set an API token with the permission '{PERMISSION}' instead "
        f"(`{settings.namespace}:apiToken`, which takes precedence)."
    )


def _credential(settings: ApiSettings) -> _Credential:
    """The one credential to send, checked: a header value must be printable ASCII."""
    ns = settings.namespace
    if settings.api_token:
        where = settings.source("api_token", f"`{ns}:apiToken`")
        _check_header_value(settings.api_token, f"the API token from {where}")
        return _Credential(
            {"Authorization": f"Bearer {settings.api_token}"},
            f"the API token from {where}",
            is_token=True,
        )
    if settings.api_key and settings.email:
        key_from = settings.source("api_key", f"`{ns}:apiKey`")
        email_from = settings.source("email", f"`{ns}:email`")
        _check_header_value(settings.api_key, f"the global API key from {key_from}")
        _check_header_value(settings.email, f"the email from {email_from}")
        return _Credential(
            {"X-Auth-Key": settings.api_key, "X-Auth-Email": settings.email},
            f"the global API key from {key_from} (email from {email_from})",
            is_token=False,
        )
    if settings.api_key or settings.email:
        given, missing = (
            ("a global API key", f"email (`{ns}:email` or CLOUDFLARE_EMAIL)")
            if settings.api_key
            else ("an email", f"global API key (`{ns}:apiKey` or CLOUDFLARE_API_KEY)")
        )
        raise CloudflareApiError(
            f"no usable Cloudflare credentials for renewal: {given} is set but no {missing}; "
            f"set both, or better, an API token with the permission '{PERMISSION}' "
            f"(pulumi config set --secret {ns}:apiToken …, or CLOUDFLARE_API_TOKEN)."
        )
    raise CloudflareApiError(
        f"no Cloudflare credentials for renewal: set `{ns}:apiToken` (pulumi config set "
        f"--secret {ns}:apiToken …) or CLOUDFLARE_API_TOKEN to an API token with the "
        f"permission '{PERMISSION}'."
    )


def _check_header_value(value: str, described: str) -> None:
    if _HEADER_SAFE.fullmatch(value):
        return
    if any(character.isspace() for character in value):
        problem = "contains a space or a line break (a newline left at its end?)"
    else:
        problem = "contains a character outside printable ASCII"
    raise CloudflareApiError(
        f"{described} is malformed: it {problem}; copy it again exactly. Nothing was sent to "
        f"Cloudflare."
    )


def _endpoint(settings: ApiSettings) -> str:
    url = settings.base_url or DEFAULT_BASE_URL
    problem = base_url_problem(url)
    if problem is not None:
        where = settings.source("base_url", f"`{settings.namespace}:baseUrl`")
        raise CloudflareApiError(f"the Cloudflare API base URL from {where} {problem}.")
    return url


@contextmanager
def _client(
    settings: ApiSettings,
    transport: "httpx.BaseTransport | None",
    *,
    max_retries: int | None = None,
) -> Iterator[tuple["Cloudflare", _Credential]]:
    """A client that sends only `settings`' credential, only to `settings`' API."""
    import httpx
    from cloudflare import Cloudflare

    credential = _credential(settings)
    url = httpx.URL(_endpoint(settings))
    origin = (url.scheme, url.host, url.port)

    def only_ours(request: httpx.Request) -> None:
        if (request.url.scheme, request.url.host, request.url.port) != origin:
            raise _OffOriginError()
        for name in _CREDENTIAL_HEADERS:
            request.headers.pop(name, None)
        request.headers.update(credential.headers)

    http = httpx.Client(
        transport=transport,
        timeout=settings.timeout_seconds,
        # A redirect would take the request, credentials and all, somewhere else.
        follow_redirects=False,
        event_hooks={"request": [only_ours]},
    )
    client = Cloudflare(
        api_token=settings.api_token if credential.is_token else None,
        api_key=None if credential.is_token else settings.api_key,
        api_email=None if credential.is_token else settings.email,
        base_url=str(url),
        max_retries=settings.max_retries if max_retries is None else max_retries,
        timeout=settings.timeout_seconds,
        http_client=http,
    )
    _forget_ambient_credentials(client, credential)
    try:
        yield client, credential
    finally:
        client.close()


def _forget_ambient_credentials(client: "Cloudflare", credential: _Credential) -> None:
    """The SDK fills every credential it was not given from the environment, and prefers a
    global key to a token: it keeps only the one resolved here (the request hook enforces it
    again on the wire)."""
    if credential.is_token:
        client.api_key = None
        client.api_email = None
    else:
        client.api_token = None
    client.user_service_key = None


class _NotJsonError(CloudflareApiError):
    pass


class _NoResultError(CloudflareApiError):
    pass


def _result(content: bytes, where: str, action: str) -> dict[str, Any]:
    """The `result` of a Cloudflare envelope; a 2xx with `success: false` is an error too."""
    try:
        envelope = json.loads(content)
    except ValueError:
        raise _NotJsonError(
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
        raise _NoResultError(
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
