"""A stateful fake of Cloudflare's Access service-token API, served on loopback for tests, with
the two companions a token's component may create: Access policies (account scope) and
notification (alerting) policies.

It speaks the real envelope (`success`, `errors`, `messages`, `result`), the account and zone
paths, and the real error shapes, so code under test can use the official `cloudflare` SDK over
HTTP. It is as strict as Cloudflare where the package or its tests go: bodies are checked (a
duration Go would refuse gets a 400 with an error code), ids must look like ids, both ways of
authenticating (API token; API key + email) are accepted and nothing else, timestamps carry
fractional seconds, and a `forever` token has the far-future expiry Cloudflare gives it.

Faults are queued per operation; every request is logged (without its credentials, but with
which kinds of credential it carried) so tests can count calls and see what was sent; time comes
from a settable clock. `transport()` serves the same API in process, with no socket at all.
`accepts()` says whether a client secret would get through Access at that moment, previous
secrets and their grace included.

Policies are as strict: an Access policy's body is `name`, `decision` and the `include` rules
(`exclude`, `require` optional), and a service-token rule must name a token that exists; a
notification policy's `mechanisms` and `filters` take the API's own keys (`email`, `token_id`),
which the cloudflare SDK 5.x types give, not the Pulumi provider's (`emails`, `tokenIds`). As
Cloudflare does, deleting a token that an Access policy still includes fails (400, code 12139,
`service_token_in_use`): a replacement that deletes the old token before the policy points at the
new one fails here as it would there. The error codes for a missing policy or notification
policy are this fake's own: no source gives Cloudflare's.
"""

import copy
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from .._durations import parse_duration
from .._errors import ServiceTokenConfigError
from .._renewal import FOREVER_LIFETIME, REFRESH_EXTENSION

if TYPE_CHECKING:
    import httpx

# Cloudflare's code for a request it could not route (an id that is not an id).
_ROUTE_ERROR = 7003
# The code this fake gives a body Cloudflare would refuse (Access answers 400 with a 12xxx code).
_BAD_REQUEST = 12130
# Cloudflare's answer to deleting a service token that an Access policy still includes.
_TOKEN_IN_USE = 12139
# This fake's codes for a policy or a notification policy that does not exist.
_POLICY_NOT_FOUND = 12132
_ALERT_NOT_FOUND = 17103
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The API's keys are snake_case: a camelCase rule (`serviceToken`) is a client's mistake.
_API_KEY = re.compile(r"[a-z][a-z0-9_]*")
_DECISIONS = ("allow", "bypass", "deny", "non_identity")

_TOKEN_PATH = re.compile(
    r"/client/v4/(?P<scope>accounts|zones)/(?P<scope_id>[^/]+)/access/service_tokens"
    r"(?:/(?P<item_id>[^/]+)(?:/(?P<action>refresh|rotate))?)?/?"
)
_POLICY_PATH = re.compile(
    r"/client/v4/(?P<scope>accounts)/(?P<scope_id>[^/]+)/access/policies(?:/(?P<item_id>[^/]+))?/?"
)
_ALERT_PATH = re.compile(
    r"/client/v4/(?P<scope>accounts)/(?P<scope_id>[^/]+)/alerting/v3/policies"
    r"(?:/(?P<item_id>[^/]+))?/?"
)
# Each collection: its path pattern, its path below the scope, and its operations' prefix in the
# request log (the token's operations keep their bare names).
_COLLECTIONS = {
    "service_tokens": (_TOKEN_PATH, "access/service_tokens", ""),
    "policies": (_POLICY_PATH, "access/policies", "policy."),
    "alerts": (_ALERT_PATH, "alerting/v3/policies", "alert."),
}
_VERBS = {
    ("GET", False): "list",
    ("POST", False): "create",
    ("GET", True): "get",
    ("PUT", True): "update",
    ("DELETE", True): "delete",
}


@dataclass(frozen=True)
class _Route:
    """Where a request goes: a collection, under an account or a zone, maybe one item of it."""

    collection: str
    scope: str
    scope_id: str
    item_id: str | None
    action: str | None

    @property
    def prefix(self) -> str:
        return _COLLECTIONS[self.collection][2]

    @property
    def below_scope(self) -> str:
        return _COLLECTIONS[self.collection][1]


@dataclass
class Fault:
    """What the fake does instead of answering normally, for one matching request.

    `status` with an error envelope (`code`, `message`); `retry_after` sets that header; `delay`
    (seconds) stalls before answering; `success_false` answers 200 with `success: false`;
    `body` sends these raw bytes with `status`. `commit` carries the request out first, then
    answers with the fault instead of the result: Cloudflare made the change, its answer was
    lost (a gateway's 502, a dropped connection).
    """

    status: int = 500
    code: int = 10001
    message: str = "Internal error"
    retry_after: str | None = None
    delay: float = 0.0
    success_false: bool = False
    body: bytes | None = None
    commit: bool = False


# A guard against a test that never releases what it held, not a timing.
_HOLD_TIMEOUT_SECONDS = 300.0


@dataclass
class Hold:
    """A request held before the fake acts on it: `arrived` is set when it comes in; it goes
    ahead (the change made, then answered) on `release()`. For tests that interrupt a client
    mid-call."""

    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


# The headers that carry a credential, by the kind of credential each carries.
CREDENTIAL_HEADERS = {
    "authorization": "api_token",
    "x-auth-key": "api_key",
    "x-auth-email": "email",
    "x-auth-user-service-key": "user_service_key",
}


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the fake saw it; `body` is the JSON it carried (no credentials: those
    travel in headers, which are not kept). `credentials` names the kinds of credential the
    request carried (`api_token`, `api_key`, `email`, `user_service_key`), never their values,
    so a test sees which credential a client chose."""

    method: str
    path: str
    operation: str
    authorized: bool
    body: dict[str, Any] = field(default_factory=dict)
    credentials: tuple[str, ...] = ()


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
    updated_at: datetime
    expires_at: datetime
    previous_client_secret: str | None = None
    previous_client_secret_expires_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "name": self.name,
            "duration": self.duration,
            "enabled": self.enabled,
            "client_secret_version": self.client_secret_version,
            "created_at": _stamp(self.created_at),
            "updated_at": _stamp(self.updated_at),
            "expires_at": _stamp(self.expires_at),
            "last_seen_at": None,
        }

    def rotate(self, previous_expires_at: datetime, now: datetime) -> None:
        """A new secret; the previous one is accepted until `previous_expires_at`."""
        self.previous_client_secret = self.client_secret
        self.previous_client_secret_expires_at = previous_expires_at
        self.client_secret = secrets.token_hex(32)
        self.client_secret_version += 1
        self.updated_at = now


@dataclass
class _AccessPolicy:
    id: str
    account_id: str
    name: str
    decision: str
    include: list[dict[str, Any]]
    exclude: list[dict[str, Any]]
    require: list[dict[str, Any]]
    session_duration: str
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "decision": self.decision,
            "include": copy.deepcopy(self.include),
            "exclude": copy.deepcopy(self.exclude),
            "require": copy.deepcopy(self.require),
            "session_duration": self.session_duration,
            "reusable": True,
            "app_count": 0,
            "approval_required": False,
            "isolation_required": False,
            "purpose_justification_required": False,
            "created_at": _stamp(self.created_at),
            "updated_at": _stamp(self.updated_at),
        }

    def includes_token(self, token_id: str) -> bool:
        rules = [*self.include, *self.exclude, *self.require]
        return any(rule.get("service_token", {}).get("token_id") == token_id for rule in rules)


@dataclass
class _Alert:
    id: str
    account_id: str
    name: str
    alert_type: str
    enabled: bool
    mechanisms: dict[str, list[dict[str, str]]]
    filters: dict[str, list[str]]
    description: str
    alert_interval: str | None
    created: datetime
    modified: datetime

    def public(self) -> dict[str, Any]:
        shown = {
            "id": self.id,
            "name": self.name,
            "alert_type": self.alert_type,
            "enabled": self.enabled,
            "mechanisms": copy.deepcopy(self.mechanisms),
            "filters": copy.deepcopy(self.filters),
            "description": self.description,
            "created": _stamp(self.created),
            "modified": _stamp(self.modified),
        }
        if self.alert_interval is not None:
            shown["alert_interval"] = self.alert_interval
        return shown


class _AccountItem(Protocol):
    """What lives in an account alone (an Access policy, a notification policy)."""

    @property
    def id(self) -> str: ...

    @property
    def account_id(self) -> str: ...

    def public(self) -> dict[str, Any]: ...


_Item = TypeVar("_Item", bound=_AccountItem)


def _listed(items: Mapping[str, _AccountItem], account_id: str) -> list[dict[str, Any]]:
    """What a list under `account_id` shows: the account's own items, as a get shows each."""
    return [item.public() for item in items.values() if item.account_id == account_id]


def _in_account(items: Mapping[str, _Item], route: _Route) -> _Item | None:
    """The item the route names, or None when the route's account has no such item."""
    item = items.get(route.item_id or "")
    return item if item is not None and item.account_id == route.scope_id else None


def _with_accounts(items: Mapping[str, _AccountItem]) -> list[dict[str, Any]]:
    """Every item as a get shows it, with the `account_id` it lives in (for the test controls)."""
    return [{**item.public(), "account_id": item.account_id} for item in items.values()]


@dataclass
class FakeCloudflareApi:
    """Serve with `with api.serve() as base_url:`; point the SDK (or `cloudflare:baseUrl`) at it.

    `api_token`: the bearer token it accepts; `api_key` with `email`: the legacy key pair it
    accepts (`X-Auth-Key` / `X-Auth-Email`); anything else gets 401. `now`: its clock.
    `latency`: how long after a request Cloudflare stamps what it changed, so its timestamps
    carry fractions as Cloudflare's do. `reports_secret_version`: whether its tokens carry
    `client_secret_version` (Cloudflare's reference documents it for create and update only;
    set False to test code that must not rely on it).
    """

    api_token: str = "fake-api-token"
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    api_key: str | None = None
    email: str | None = None
    latency: timedelta = timedelta(microseconds=123_456)
    reports_secret_version: bool = True
    requests: list[LoggedRequest] = field(default_factory=list)
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _policies: dict[str, _AccessPolicy] = field(default_factory=dict)
    _alerts: dict[str, _Alert] = field(default_factory=dict)
    _faults: dict[str, list[Fault | None]] = field(default_factory=dict)
    _holds: dict[str, list[Hold]] = field(default_factory=dict)
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
            assert token is not None, f"add_token: {duration!r} is not a duration Cloudflare takes"
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

    def accepts(self, token_id: str, client_secret: str) -> bool:
        """Whether Access would let `client_secret` through for this token now: the current
        secret, or the previous one before its deadline; never for a disabled, expired or
        deleted token."""
        with self._lock:
            token = self._tokens.get(token_id)
            now = self.now()
            if token is None or not token.enabled or token.expires_at <= now:
                return False
            if client_secret == token.client_secret:
                return True
            deadline = token.previous_client_secret_expires_at
            return (
                client_secret == token.previous_client_secret
                and deadline is not None
                and now < deadline
            )

    def delete_token(self, token_id: str) -> None:
        """Delete behind Pulumi's back, as a dashboard user might."""
        with self._lock:
            self._tokens.pop(token_id, None)

    def tokens(self) -> list[dict[str, Any]]:
        """Every stored token, account and zone alike, as a get would show it (no secret)."""
        with self._lock:
            return [token.public() for token in self._tokens.values()]

    def policies(self) -> list[dict[str, Any]]:
        """Every stored Access policy, as a get shows it, with the `account_id` it lives in."""
        with self._lock:
            return _with_accounts(self._policies)

    def policy(self, policy_id: str) -> dict[str, Any] | None:
        """The stored Access policy (as in `policies()`), or None if there is none."""
        return next((p for p in self.policies() if p["id"] == policy_id), None)

    def delete_policy(self, policy_id: str) -> None:
        """Delete an Access policy behind Pulumi's back."""
        with self._lock:
            self._policies.pop(policy_id, None)

    def alerts(self) -> list[dict[str, Any]]:
        """Every stored notification policy, as a get shows it, with its `account_id`."""
        with self._lock:
            return _with_accounts(self._alerts)

    def alert(self, alert_id: str) -> dict[str, Any] | None:
        """The stored notification policy (as in `alerts()`), or None if there is none."""
        return next((a for a in self.alerts() if a["id"] == alert_id), None)

    def delete_alert(self, alert_id: str) -> None:
        """Delete a notification policy behind Pulumi's back."""
        with self._lock:
            self._alerts.pop(alert_id, None)

    def fail_next(self, operation: str, *faults: Fault, after: int = 0) -> None:
        """Answer the next requests of `operation` (create, get, list, update, delete, refresh,
        rotate for tokens; policy.create … policy.delete for Access policies; alert.create …
        alert.delete for notification policies; or * for any) with these faults, one each, in
        order; with `after`, let that many of them through first."""
        with self._lock:
            queue = self._faults.setdefault(operation, [])
            queue.extend([None] * after)
            queue.extend(faults or [Fault()])

    def hold_next(self, operation: str) -> Hold:
        """Hold the next request of `operation` until the returned `Hold` is released."""
        hold = Hold()
        with self._lock:
            self._holds.setdefault(operation, []).append(hold)
        return hold

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
        route = _route(urlsplit(path).path)
        operation = _operation(method, route)
        authorized = self._authorized(headers)
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = None
        credentials = tuple(
            sorted(kind for name, kind in CREDENTIAL_HEADERS.items() if name in headers)
        )
        with self._lock:
            logged = payload if isinstance(payload, dict) else {}
            self.requests.append(
                LoggedRequest(method, path, operation, authorized, logged, credentials)
            )
            queue = self._faults.get(operation) or self._faults.get("*") or []
            fault = queue.pop(0) if queue else None
            holds = self._holds.get(operation) or []
            hold = holds.pop(0) if holds else None
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(_HOLD_TIMEOUT_SECONDS)
        if fault is not None and not fault.commit:
            return _faulted(fault)
        answer = self._act(route, operation, authorized, payload, path)
        return answer if fault is None else _faulted(fault)

    def _act(
        self,
        route: _Route | None,
        operation: str,
        authorized: bool,
        payload: object,
        path: str,
    ) -> tuple[int, dict[str, str], bytes]:
        if route is None or operation == "unknown":
            return _error(404, _ROUTE_ERROR, "No route for that URI")
        if not authorized:
            return _error(401, 10000, "Authentication error")
        if route.action in {"refresh", "rotate"} and route.scope != "accounts":
            return _error(404, _ROUTE_ERROR, "No route for that URI")
        if not _HEX_ID.fullmatch(route.scope_id):
            return _error(
                400,
                _ROUTE_ERROR,
                f"Could not route to /{route.scope}/{route.scope_id}/{route.below_scope}, "
                f"perhaps your object identifier is invalid?",
            )
        if not isinstance(payload, dict):
            return _error(400, 10026, "Invalid JSON body: an object is required")
        query = parse_qs(urlsplit(path).query)
        with self._lock:
            if route.collection == "policies":
                return self._answer_policy(operation, route, payload, query)
            if route.collection == "alerts":
                return self._answer_alert(operation, route, payload, query)
            answer = self._answer(operation, route, payload, query)
        return answer if self.reports_secret_version else _without_secret_version(answer)

    def transport(self) -> "httpx.BaseTransport":
        """An httpx transport that answers from this fake in process: no socket, no network.
        Any host the client names is answered here."""
        import httpx

        def answer(request: httpx.Request) -> httpx.Response:
            headers = {key.lower(): value for key, value in request.headers.items()}
            path = request.url.raw_path.decode("ascii")
            status, extra, body = self.handle(request.method, path, headers, request.read())
            return httpx.Response(
                status, headers={"content-type": "application/json", **extra}, content=body
            )

        return httpx.MockTransport(answer)

    def _authorized(self, headers: dict[str, str]) -> bool:
        if headers.get("authorization") == f"Bearer {self.api_token}":
            return True
        return (
            self.api_key is not None
            and self.email is not None
            and headers.get("x-auth-key") == self.api_key
            and headers.get("x-auth-email") == self.email
        )

    def _answer(
        self,
        operation: str,
        route: _Route,
        payload: dict[str, Any],
        query: dict[str, list[str]],
    ) -> tuple[int, dict[str, str], bytes]:
        scope, scope_id, token_id = route.scope, route.scope_id, route.item_id
        if operation == "list":
            found = [
                t.public()
                for t in self._tokens.values()
                if (t.scope, t.scope_id) == (scope, scope_id)
                and t.name == query.get("name", [t.name])[0]
            ]
            return _page(found, query)
        if operation == "create":
            problem = _body_problem(payload, creating=True)
            if problem:
                return _error(400, _BAD_REQUEST, problem)
            created = self._new_token(scope, scope_id, payload)
            assert created is not None  # the body was checked
            return _ok({**created.public(), "client_secret": created.client_secret})
        token = self._tokens.get(token_id or "")
        if token is None or (token.scope, token.scope_id) != (scope, scope_id):
            return _error(404, 12135, "Access service token not found")
        if operation == "get":
            return _ok(token.public())
        if operation == "delete":
            user = next((p for p in self._policies.values() if p.includes_token(token.id)), None)
            if user is not None:
                return _error(
                    400,
                    _TOKEN_IN_USE,
                    f"service_token_in_use: Access policy {user.id} includes this service "
                    f"token; remove it from the policy before deleting the token",
                )
            del self._tokens[token.id]
            return _ok({"id": token.id})
        if operation == "refresh":
            # A `forever` token keeps the far-future expiry it has; others get a year from now.
            if token.duration != "forever":
                token.expires_at = self._stamped() + REFRESH_EXTENSION
            token.updated_at = self._stamped()
            return _ok(token.public())
        if operation == "rotate":
            deadline = payload.get("previous_client_secret_expires_at")
            if deadline is not None and _instant(deadline) is None:
                return _error(400, _BAD_REQUEST, _TIMESTAMP_PROBLEM)
            # Without a deadline the previous secret stops working at once, as documented.
            token.rotate(_instant(deadline) or self.now(), self._stamped())
            return _ok({**token.public(), "client_secret": token.client_secret})
        return self._update(token, payload)

    def _update(self, token: _Token, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        problem = _body_problem(payload, creating=False)
        version = payload.get("client_secret_version")
        if not problem and version is not None and int(version) < token.client_secret_version:
            problem = (
                f"client_secret_version ({version}) is lower than the token's "
                f"({token.client_secret_version})"
            )
        if problem:
            return _error(400, _BAD_REQUEST, problem)
        now = self._stamped()
        token.name = payload.get("name", token.name)
        token.enabled = payload.get("enabled", token.enabled)
        token.updated_at = now
        if "duration" in payload and payload["duration"] != token.duration:
            token.duration = payload["duration"]
            token.expires_at = now + _lifetime(token.duration)
        result = token.public()
        if version is not None and int(version) > token.client_secret_version:
            deadline = _instant(payload.get("previous_client_secret_expires_at"))
            token.rotate(deadline or self.now(), now)
            token.client_secret_version = int(version)
            result = {**token.public(), "client_secret": token.client_secret}
        return _ok(result)

    def _answer_policy(
        self,
        operation: str,
        route: _Route,
        payload: dict[str, Any],
        query: dict[str, list[str]],
    ) -> tuple[int, dict[str, str], bytes]:
        if operation == "policy.list":
            return _page(_listed(self._policies, route.scope_id), query)
        if operation in {"policy.create", "policy.update"}:
            problem = _policy_problem(payload, lambda token_id: token_id in self._tokens)
            if problem:
                return _error(400, _BAD_REQUEST, problem)
        if operation == "policy.create":
            now = self._stamped()
            created = _AccessPolicy(
                str(uuid.uuid4()),
                route.scope_id,
                created_at=now,
                **_policy_fields(payload),
                updated_at=now,
            )
            self._policies[created.id] = created
            return _ok(created.public())
        policy = _in_account(self._policies, route)
        if policy is None:
            return _error(404, _POLICY_NOT_FOUND, "Access policy not found")
        if operation == "policy.get":
            return _ok(policy.public())
        if operation == "policy.delete":
            del self._policies[policy.id]
            return _ok({"id": policy.id})
        # A PUT replaces the policy whole, as Cloudflare's does (name, decision, include required).
        for name, value in _policy_fields(payload).items():
            setattr(policy, name, value)
        policy.updated_at = self._stamped()
        return _ok(policy.public())

    def _answer_alert(
        self,
        operation: str,
        route: _Route,
        payload: dict[str, Any],
        query: dict[str, list[str]],
    ) -> tuple[int, dict[str, str], bytes]:
        if operation == "alert.list":
            return _page(_listed(self._alerts, route.scope_id), query)
        if operation in {"alert.create", "alert.update"}:
            problem = _alert_problem(payload, creating=operation == "alert.create")
            if problem:
                return _error(400, _BAD_REQUEST, problem)
        if operation == "alert.create":
            now = self._stamped()
            created = _Alert(
                id=str(uuid.uuid4()),
                account_id=route.scope_id,
                name=payload["name"],
                alert_type=payload["alert_type"],
                enabled=payload["enabled"],
                mechanisms=copy.deepcopy(payload["mechanisms"]),
                filters=copy.deepcopy(payload.get("filters") or {}),
                description=payload.get("description") or "",
                alert_interval=payload.get("alert_interval"),
                created=now,
                modified=now,
            )
            self._alerts[created.id] = created
            # Creating and updating answer with the id alone, as the SDK's types say.
            return _ok({"id": created.id})
        alert = _in_account(self._alerts, route)
        if alert is None:
            return _error(404, _ALERT_NOT_FOUND, "Notification policy not found")
        if operation == "alert.get":
            return _ok(alert.public())
        if operation == "alert.delete":
            del self._alerts[alert.id]
            return _ok(None)
        for name in ("name", "alert_type", "enabled", "description", "alert_interval"):
            if name in payload:
                setattr(alert, name, payload[name])
        for name in ("mechanisms", "filters"):
            if name in payload:
                setattr(alert, name, copy.deepcopy(payload[name] or {}))
        alert.modified = self._stamped()
        return _ok({"id": alert.id})

    def _new_token(self, scope: str, scope_id: str, payload: dict[str, Any]) -> _Token | None:
        duration = str(payload.get("duration") or "8760h")
        try:
            lifetime = _lifetime(duration)
        except ServiceTokenConfigError:
            return None
        now = self._stamped()
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
            updated_at=now,
            expires_at=now + lifetime,
        )
        self._tokens[token.id] = token
        return token

    def _stamped(self) -> datetime:
        """The instant Cloudflare records for what a request changes."""
        return self.now() + self.latency


_TIMESTAMP_PROBLEM = "previous_client_secret_expires_at must be an RFC 3339 timestamp"


def _body_problem(payload: dict[str, Any], *, creating: bool) -> str:
    """What Cloudflare would refuse in a create or update body, or ''."""
    name = payload.get("name")
    if creating and (not isinstance(name, str) or not name.strip()):
        return "name is required"
    if "name" in payload and not isinstance(name, str):
        return "name must be a string"
    if "duration" in payload:
        duration = payload["duration"]
        try:
            _lifetime(duration)
        except ServiceTokenConfigError:
            return f"duration: invalid duration {duration!r}: use e.g. 8760h, or forever"
    if "enabled" in payload and not isinstance(payload["enabled"], bool):
        return "enabled must be a boolean"
    version = payload.get("client_secret_version")
    if version is not None and (
        isinstance(version, bool)
        or not isinstance(version, int | float)
        or version < 1
        or not float(version).is_integer()
    ):
        return "client_secret_version must be a whole number, 1 or more"
    deadline = payload.get("previous_client_secret_expires_at")
    if deadline is not None and _instant(deadline) is None:
        return _TIMESTAMP_PROBLEM
    return ""


def _policy_problem(payload: dict[str, Any], token_exists: Callable[[str], bool]) -> str:
    """What Cloudflare would refuse in an Access policy's create or update body, or ''."""
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        return "name is required"
    if payload.get("decision") not in _DECISIONS:
        return f"decision must be one of {', '.join(_DECISIONS)}"
    if not isinstance(payload.get("include"), list) or not payload["include"]:
        return "include is required: a list of at least one rule"
    for key in ("include", "exclude", "require"):
        rules = payload.get(key) or []
        if not isinstance(rules, list):
            return f"{key} must be a list of rules"
        for rule in rules:
            problem = _rule_problem(rule, token_exists)
            if problem:
                return f"{key}: {problem}"
    session = payload.get("session_duration")
    if session is not None and (not isinstance(session, str) or _session_problem(session)):
        return f"session_duration: invalid duration {session!r}: use e.g. 24h"
    return ""


def _rule_problem(rule: object, token_exists: Callable[[str], bool]) -> str:
    if not isinstance(rule, dict) or len(rule) != 1:
        return 'each rule is an object of one kind, e.g. {"service_token": {"token_id": "…"}}'
    ((kind, value),) = rule.items()
    if not _API_KEY.fullmatch(kind) or not isinstance(value, dict):
        return f"{kind!r} is not a rule"
    if kind != "service_token":
        return ""
    token_id = value.get("token_id")
    if not isinstance(token_id, str) or not _UUID.fullmatch(token_id):
        return "service_token.token_id must be a service token's id (a UUID)"
    if not token_exists(token_id):
        return f"service_token.token_id {token_id} is not a service token"
    return ""


def _session_problem(session: str) -> bool:
    try:
        return parse_duration(session) is None  # `forever` is a token's, not a session's
    except ServiceTokenConfigError:
        return True


def _policy_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """An Access policy's stored fields from a checked body; what it leaves out gets Cloudflare's
    defaults."""
    return {
        "name": payload["name"],
        "decision": payload["decision"],
        "include": copy.deepcopy(payload["include"]),
        "exclude": copy.deepcopy(payload.get("exclude") or []),
        "require": copy.deepcopy(payload.get("require") or []),
        "session_duration": payload.get("session_duration") or "24h",
    }


def _alert_problem(payload: dict[str, Any], *, creating: bool) -> str:
    """What Cloudflare would refuse in a notification policy's create or update body, or ''."""
    required = ("name", "alert_type", "enabled", "mechanisms") if creating else ()
    missing = [key for key in required if key not in payload]
    if missing:
        return f"{', '.join(missing)} required"
    for key in ("name", "alert_type"):
        if key in payload and (not isinstance(payload[key], str) or not payload[key].strip()):
            return f"{key} must be a non-empty string"
    if "alert_type" in payload and not _API_KEY.fullmatch(payload["alert_type"]):
        return f"alert_type {payload['alert_type']!r} is not an alert type"
    if "enabled" in payload and not isinstance(payload["enabled"], bool):
        return "enabled must be a boolean"
    for key in ("description", "alert_interval"):
        if payload.get(key) is not None and not isinstance(payload[key], str):
            return f"{key} must be a string"
    if "mechanisms" in payload:
        problem = _mechanisms_problem(payload["mechanisms"])
        if problem:
            return problem
    return _filters_problem(payload.get("filters"))


def _mechanisms_problem(mechanisms: object) -> str:
    keys = _sdk_keys("MechanismParam")
    if not isinstance(mechanisms, dict) or not mechanisms:
        return f"mechanisms must be an object of {', '.join(sorted(keys))}"
    for kind, targets in mechanisms.items():
        if kind not in keys:
            return f"mechanisms.{kind} is not a mechanism: use {', '.join(sorted(keys))}"
        if not isinstance(targets, list) or not all(
            isinstance(t, dict) and set(t) == {"id"} and isinstance(t["id"], str) and t["id"]
            for t in targets
        ):
            return f'mechanisms.{kind} must be a list of {{"id": "…"}}'
    if not any(mechanisms.values()):
        return "mechanisms must name at least one target"
    return ""


def _filters_problem(filters: object) -> str:
    if filters is None:
        return ""
    if not isinstance(filters, dict):
        return "filters must be an object"
    keys = _sdk_keys("PolicyFilterParam")
    for key, values in filters.items():
        if key not in keys:
            return f"filters.{key} is not a filter"
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return f"filters.{key} must be a list of strings"
    return ""


@cache
def _sdk_keys(name: str) -> frozenset[str]:
    """The body keys the official SDK's request types give (loaded on the first alert only:
    the testing kit stays light to import)."""
    from cloudflare.types import alerting

    return frozenset(getattr(alerting, name).__annotations__)


def _page(
    found: list[dict[str, Any]], query: dict[str, list[str]]
) -> tuple[int, dict[str, str], bytes]:
    page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["20"])[0])
    shown = found[(page - 1) * per_page : page * per_page]
    info = {"page": page, "per_page": per_page, "count": len(shown)}
    return _ok(shown, result_info={**info, "total_count": len(found)})


def _lifetime(duration: object) -> timedelta:
    """How long a token of this `duration` lives; Go's parser decides what is a duration."""
    lifetime = parse_duration(duration)
    return FOREVER_LIFETIME if lifetime is None else lifetime


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def _stamp(moment: datetime) -> str:
    """RFC 3339 as Cloudflare writes it: UTC, with the fraction of a second when there is one."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def _route(path: str) -> _Route | None:
    for collection, (pattern, _, _) in _COLLECTIONS.items():
        match = pattern.fullmatch(path)
        if match is not None:
            groups = match.groupdict()
            return _Route(
                collection,
                groups["scope"],
                groups["scope_id"],
                groups["item_id"],
                groups.get("action"),
            )
    return None


def _operation(method: str, route: _Route | None) -> str:
    if route is None:
        return "unknown"
    if route.action:
        return route.action if method == "POST" else "unknown"
    verb = _VERBS.get((method, route.item_id is not None))
    return "unknown" if verb is None else route.prefix + verb


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


def _without_secret_version(
    answer: tuple[int, dict[str, str], bytes],
) -> tuple[int, dict[str, str], bytes]:
    status, headers, body = answer
    envelope = json.loads(body)
    result = envelope.get("result")
    for token in result if isinstance(result, list) else [result]:
        if isinstance(token, dict):
            token.pop("client_secret_version", None)
    return status, headers, json.dumps(envelope).encode()


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
