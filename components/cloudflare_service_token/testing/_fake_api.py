"""A stateful fake of Cloudflare's Access service-token API, served on loopback for tests.

It speaks the real envelope (`success`, `errors`, `messages`, `result`), the account and zone
paths, and the real error shapes, so code under test can use the official `cloudflare` SDK over
HTTP. Faults are queued per operation; every request is logged (without its credentials) so tests
can count calls; time comes from a settable clock.
"""

import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._durations import parse_duration
from .._renewal import REFRESH_EXTENSION, format_timestamp

_PATH = re.compile(
    r"/client/v4/(?P<scope>accounts|zones)/(?P<scope_id>[^/]+)/access/service_tokens"
    r"(?:/(?P<token_id>[^/]+)(?:/(?P<action>refresh|rotate))?)?/?"
)


@dataclass
class Fault:
    """What the fake does instead of answering normally, for one matching request.

    `status` with an error envelope (`code`, `message`); `retry_after` sets that header; `delay`
    (seconds) stalls before answering; `success_false` answers 200 with `success: false`;
    `body` sends these raw bytes with `status`.
    """

    status: int = 500
    code: int = 10001
    message: str = "Internal error"
    retry_after: str | None = None
    delay: float = 0.0
    success_false: bool = False
    body: bytes | None = None


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    operation: str
    authorized: bool


@dataclass
class _Token:
    id: str
    scope: str
    scope_id: str
    name: str
    duration: str
    enabled: bool
    client_id: str
    client_secret: str
    client_secret_version: int
    created_at: datetime
    expires_at: datetime | None
    previous_client_secret_expires_at: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "name": self.name,
            "duration": self.duration,
            "enabled": self.enabled,
            "client_secret_version": self.client_secret_version,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.created_at),
            "expires_at": None if self.expires_at is None else format_timestamp(self.expires_at),
            "last_seen_at": None,
        }


@dataclass
class FakeCloudflareApi:
    """Serve with `with api.serve() as base_url:`; point the SDK (or `cloudflare:baseUrl`) at it.

    `api_token`: the bearer token it accepts (others get 401). `now`: its clock.
    """

    api_token: str = "fake-api-token"
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    requests: list[LoggedRequest] = field(default_factory=list)
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- test controls -------------------------------------------------------------------------

    def add_token(
        self,
        *,
        account_id: str | None = None,
        zone_id: str | None = None,
        name: str = "token",
        duration: str = "8760h",
        expires_at: datetime | None = None,
        token_id: str | None = None,
    ) -> dict[str, Any]:
        """Create a token directly (no request logged); returns it with its secret."""
        scope, scope_id = ("accounts", account_id) if account_id else ("zones", zone_id or "")
        with self._lock:
            token = self._new_token(scope, scope_id, {"name": name, "duration": duration})
            if token_id is not None:
                del self._tokens[token.id]
                token.id = token_id
                self._tokens[token_id] = token
            if expires_at is not None:
                token.expires_at = expires_at
        return {**token.public(), "client_secret": token.client_secret}

    def token(self, token_id: str) -> dict[str, Any] | None:
        """The stored token, as a get would show it (no secret), or None if deleted."""
        with self._lock:
            stored = self._tokens.get(token_id)
            return None if stored is None else stored.public()

    def delete_token(self, token_id: str) -> None:
        """Delete behind Pulumi's back, as a dashboard user might."""
        with self._lock:
            self._tokens.pop(token_id, None)

    def fail_next(self, operation: str, *faults: Fault) -> None:
        """Answer the next requests of `operation` (create, get, list, update, delete, refresh,
        rotate, or * for any) with these faults, one each, in order."""
        with self._lock:
            self._faults.setdefault(operation, []).extend(faults)

    def calls(self, operation: str | None = None) -> int:
        return sum(1 for r in self.requests if operation in (None, r.operation))

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on 127.0.0.1 (a free port) for the block; yields the SDK's base URL."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/client/v4"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    # -- the API -------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        match = _PATH.fullmatch(urlsplit(path).path)
        operation = _operation(method, match)
        authorized = headers.get("authorization") == f"Bearer {self.api_token}"
        with self._lock:
            self.requests.append(LoggedRequest(method, path, operation, authorized))
            queue = self._faults.get(operation) or self._faults.get("*") or []
            fault = queue.pop(0) if queue else None
        if fault is not None:
            return _faulted(fault)
        if match is None or operation == "unknown":
            return _error(404, 7003, "No route for that URI")
        if not authorized:
            return _error(401, 10000, "Authentication error")
        if match["action"] in {"refresh", "rotate"} and match["scope"] != "accounts":
            return _error(404, 7003, "No route for that URI")
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return _error(400, 10026, "Invalid JSON body")
        query = parse_qs(urlsplit(path).query)
        with self._lock:
            return self._answer(operation, match, payload, query)

    def _answer(
        self,
        operation: str,
        match: re.Match[str],
        payload: dict[str, Any],
        query: dict[str, list[str]],
    ) -> tuple[int, dict[str, str], bytes]:
        scope, scope_id, token_id = match["scope"], match["scope_id"], match["token_id"]
        if operation == "list":
            found = [
                t.public()
                for t in self._tokens.values()
                if (t.scope, t.scope_id) == (scope, scope_id)
                and t.name == query.get("name", [t.name])[0]
            ]
            page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["20"])[0])
            shown = found[(page - 1) * per_page : page * per_page]
            info = {"page": page, "per_page": per_page, "count": len(shown)}
            return _ok(shown, result_info={**info, "total_count": len(found)})
        if operation == "create":
            if not payload.get("name"):
                return _error(400, 12130, "name is required")
            created = self._new_token(scope, scope_id, payload)
            return _ok({**created.public(), "client_secret": created.client_secret})
        token = self._tokens.get(token_id or "")
        if token is None or (token.scope, token.scope_id) != (scope, scope_id):
            return _error(404, 12135, "Access service token not found")
        if operation == "get":
            return _ok(token.public())
        if operation == "delete":
            del self._tokens[token.id]
            return _ok({"id": token.id})
        if operation == "refresh":
            token.expires_at = self.now() + REFRESH_EXTENSION
            return _ok(token.public())
        if operation == "rotate":
            token.client_secret = secrets.token_hex(32)
            token.client_secret_version += 1
            token.previous_client_secret_expires_at = payload.get(
                "previous_client_secret_expires_at"
            )
            return _ok({**token.public(), "client_secret": token.client_secret})
        return self._update(token, payload)

    def _update(self, token: _Token, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        token.name = payload.get("name", token.name)
        token.enabled = payload.get("enabled", token.enabled)
        if "duration" in payload and payload["duration"] != token.duration:
            token.duration = payload["duration"]
            lifetime = parse_duration(token.duration)
            token.expires_at = None if lifetime is None else self.now() + lifetime
        result = token.public()
        version = payload.get("client_secret_version")
        if version is not None and int(version) > token.client_secret_version:
            token.client_secret = secrets.token_hex(32)
            token.client_secret_version = int(version)
            token.previous_client_secret_expires_at = payload.get(
                "previous_client_secret_expires_at"
            )
            result = {**token.public(), "client_secret": token.client_secret}
        return _ok(result)

    def _new_token(self, scope: str, scope_id: str, payload: dict[str, Any]) -> _Token:
        now = self.now()
        duration = str(payload.get("duration") or "8760h")
        lifetime = parse_duration(duration)
        token = _Token(
            id=str(uuid.uuid4()),
            scope=scope,
            scope_id=scope_id,
            name=str(payload["name"]),
            duration=duration,
            enabled=bool(payload.get("enabled", True)),
            client_id=f"{secrets.token_hex(16)}.access",
            client_secret=secrets.token_hex(32),
            client_secret_version=int(payload.get("client_secret_version") or 1),
            created_at=now,
            expires_at=None if lifetime is None else now + lifetime,
        )
        self._tokens[token.id] = token
        return token


def _operation(method: str, match: re.Match[str] | None) -> str:
    if match is None:
        return "unknown"
    if match["action"]:
        return match["action"] if method == "POST" else "unknown"
    if match["token_id"] is None:
        return {"GET": "list", "POST": "create"}.get(method, "unknown")
    return {"GET": "get", "PUT": "update", "DELETE": "delete"}.get(method, "unknown")


def _ok(result: object, **extra: object) -> tuple[int, dict[str, str], bytes]:
    envelope = {"success": True, "errors": [], "messages": [], "result": result, **extra}
    return 200, {}, json.dumps(envelope).encode()


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, str], bytes]:
    envelope = {
        "success": False,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": None,
    }
    return status, {}, json.dumps(envelope).encode()


def _faulted(fault: Fault) -> tuple[int, dict[str, str], bytes]:
    if fault.delay:
        time.sleep(fault.delay)  # the fault under test is a slow server, not a slow test
    headers = {"retry-after": fault.retry_after} if fault.retry_after is not None else {}
    if fault.body is not None:
        return fault.status, headers, fault.body
    if fault.success_false:
        status, _, body = _error(200, fault.code, fault.message)
        return status, headers, body
    status, _, body = _error(fault.status, fault.code, fault.message)
    return status, headers, body


def _handler_for(api: FakeCloudflareApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, extra_headers, payload = api.handle(self.command, self.path, headers, body)
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for key, value in extra_headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout under test); nothing to answer

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's names

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: tests read `api.requests` instead."""

    return Handler
