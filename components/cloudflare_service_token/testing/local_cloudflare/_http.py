"""A small JSON client for the fake Cloudflare API on loopback: urllib, no proxy, no redirect.

It checks the address again before every request (the settings already refused anything off this
machine), unwraps Cloudflare's envelope and turns an error answer into a `CloudflareCallError`
that names the call, the status and Cloudflare's codes and messages, never a header or a body.
"""

import json
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.error import HTTPError, URLError

from ._errors import LocalCloudflareError
from ._settings import Connection, loopback_problem

TIMEOUT_SECONDS = 30.0


class CloudflareCallError(LocalCloudflareError):
    """Cloudflare (the fake) answered a call with an error; `status` is its HTTP status."""

    def __init__(self, method: str, path: str, status: int, errors: list[tuple[int, str]]) -> None:
        said = "; ".join(f"error {code}: {message}" for code, message in errors) or "no details"
        super().__init__(f"Cloudflare refused {method} {path} (HTTP {status}): {said}")
        self.status = status
        self.codes = tuple(code for code, _ in errors)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off loopback: answer it as the error it is instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class CloudflareHttp:
    """Calls below the connection's base URL (`/accounts/<id>/access/service_tokens`, …)."""

    def __init__(self, connection: Connection, timeout: float = TIMEOUT_SECONDS) -> None:
        self._connection = connection
        self._timeout = timeout
        # Loopback only: never through a proxy the environment may name.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """The `result` of Cloudflare's envelope; raises `CloudflareCallError` on an error."""
        url = self._connection.base_url.rstrip("/") + path
        problem = loopback_problem(url)
        if problem:
            raise LocalCloudflareError(problem)
        request = urllib.request.Request(  # noqa: S310 - an http(s) loopback URL, checked above
            url,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                **self._connection.headers(),
                "accept": "application/json",
                "content-type": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                status, raw = response.status, response.read()
        except HTTPError as error:
            status, raw = error.code, error.read()
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise LocalCloudflareError(
                f"could not reach the fake Cloudflare API for {method} {path}: {reason}"
            ) from None
        envelope = _envelope(raw)
        if status >= 400 or envelope.get("success") is not True:
            raise CloudflareCallError(method, path, status, _errors(envelope))
        return envelope.get("result")


def _envelope(raw: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _errors(envelope: Mapping[str, Any]) -> list[tuple[int, str]]:
    errors = envelope.get("errors")
    if not isinstance(errors, list):
        return []
    return [
        (int(e.get("code") or 0), str(e.get("message") or ""))
        for e in errors
        if isinstance(e, dict)
    ]
