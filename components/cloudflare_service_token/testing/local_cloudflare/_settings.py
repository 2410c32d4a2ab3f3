"""Where the stand-in sends its calls and how it signs them, from the provider's config as the
engine passes it, else the environment, as pulumi-cloudflare 6 reads them.

The one rule that matters most lives here: the base URL must be on this machine. The stand-in
is for tests and demos against the fake API; anything else is refused before a request is made.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._errors import LocalCloudflareError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# pulumi-cloudflare's config keys (`cloudflare:<key>`) and the variables it falls back to.
_SETTINGS = {
    "baseUrl": "CLOUDFLARE_BASE_URL",
    "apiToken": "CLOUDFLARE_API_TOKEN",
    "apiKey": "CLOUDFLARE_API_KEY",
    "email": "CLOUDFLARE_EMAIL",
}
_PURPOSE = (
    "this `cloudflare` provider is the local stand-in for tests and demos, backed by a fake "
    "Cloudflare API on this machine, and must never reach a real account"
)


@dataclass(frozen=True)
class Connection:
    """A checked loopback base URL and the credentials to send; the credentials stay out of
    `repr`."""

    base_url: str
    api_token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    email: str | None = None

    def headers(self) -> dict[str, str]:
        if self.api_token:
            return {"authorization": f"Bearer {self.api_token}"}
        return {"x-auth-key": self.api_key or "", "x-auth-email": self.email or ""}


def loopback_problem(base_url: str) -> str:
    """Why the stand-in refuses this base URL, or '' when it is on loopback."""
    parts = urlsplit(base_url)
    if parts.scheme in {"http", "https"} and parts.hostname in LOOPBACK_HOSTS:
        return ""
    return (
        f"baseUrl {_shown(base_url)!r} is not a loopback address "
        f"({', '.join(sorted(LOOPBACK_HOSTS))}): {_PURPOSE}. Point cloudflare:baseUrl (or "
        f"CLOUDFLARE_BASE_URL) at the fake API's address (`with FakeCloudflareApi().serve() as "
        f"base_url:`), or use the real pulumi-cloudflare plugin for a real account."
    )


def resolve_connection(
    args: Mapping[str, Any], variables: Mapping[str, str], environ: Mapping[str, str]
) -> Connection:
    """The provider's inputs first (an explicit provider, or the stack's `cloudflare:` config),
    then the engine's `cloudflare:config:<key>` variables, then the environment."""

    def pick(key: str) -> str | None:
        for value in (
            args.get(key),
            variables.get(f"cloudflare:config:{key}"),
            variables.get(f"cloudflare:{key}"),
            environ.get(_SETTINGS[key]),
        ):
            if isinstance(value, str) and value:
                return value
        return None

    base_url = pick("baseUrl")
    if base_url is None:
        raise LocalCloudflareError(
            f"no baseUrl: {_PURPOSE}, so it has no default (pulumi-cloudflare's is Cloudflare's "
            f"own API). Set cloudflare:baseUrl or CLOUDFLARE_BASE_URL to the fake API's address."
        )
    problem = loopback_problem(base_url)
    if problem:
        raise LocalCloudflareError(problem)
    token, key, email = pick("apiToken"), pick("apiKey"), pick("email")
    if token is None and (key is None or email is None):
        raise LocalCloudflareError(
            "no credentials: set cloudflare:apiToken (or CLOUDFLARE_API_TOKEN), or "
            "cloudflare:apiKey with cloudflare:email (or CLOUDFLARE_API_KEY with CLOUDFLARE_EMAIL) "
            "to what the fake API accepts."
        )
    return Connection(base_url, api_token=token, api_key=None if token else key, email=email)


def _shown(url: str) -> str:
    """The URL without what may carry a credential (user info, query, fragment)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "(not a URL)"
