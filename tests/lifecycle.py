"""A stack deployed over simulated time by a small model of the Pulumi engine.

`Stack(program, world).up()` runs the program under the SDK's mocks, but every registration goes
through the engine's rules (pulumi/pulumi `pkg/resource/deploy/step_generator.go`), not a mock:

- a new resource is checked then created; an existing one is checked against its old inputs,
  diffed against its old outputs, then kept, updated or replaced (new one first, the old one
  deleted at the end of the run), and the program sees the outputs the step produced;
- each step's result is saved as soon as it succeeds, and the run stops at the first failure,
  so a failed run leaves finished steps in state and the rest as they were;
- `ignore_changes` keeps old input values; a changed `replacement_trigger` replaces (null <->
  value does not; an unknown one shows as a replace in preview and fails a real update);
- refusals: a `protect`ed resource is never replaced or deleted, and one that still carries an
  import id is never replaced;
- `preview()` diffs but never creates, updates or deletes; `refresh()` only reads;
  `up(target=[...])` steps only the targeted resources.

Dynamic resources are driven through the SDK's own servicer with the `__provider` the program
registered; Cloudflare's token resource acts on the fake Cloudflare API the way the provider does
(create POST, update PUT, read GET, delete DELETE); other resources echo their inputs.
"""

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, ClassVar, TypeVar

import grpc
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from cloudflare_service_token.testing import (
    CloudflareMocks,
    FakeClock,
    FakeCloudflareApi,
    ProgramRun,
    RecordingMonitor,
    run_program,
)
from tests.dynamic_harness import DynamicProviderHarness, serve_dynamic_providers

T = TypeVar("T")
TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
DYNAMIC_PREFIX = "pulumi-python:dynamic"
API_TOKEN = "cf-api-token-that-must-never-leak"


class StepError(Exception):
    """A step the engine would have reported as failed (the run stops there)."""


class DeploymentError(Exception):
    """A run ended in error; `error` is the first failure, `run` what the program got to."""

    def __init__(self, error: BaseException, steps: list["Step"]) -> None:
        super().__init__(str(error))
        self.error = error
        self.steps = steps


@dataclass
class Saved:
    """One resource in state, as the engine keeps it."""

    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    protect: bool = False
    import_id: str = ""
    trigger: Any = None
    secret_outputs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    urn: str
    op: str  # create, import, update, replace, same, delete, read

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Decision:
    changes: bool
    replaces: tuple[str, ...] = ()


@dataclass
class World:
    """What a stack deploys against: a clock, the fake Cloudflare API on loopback, and the
    dynamic-provider servicer configured with the stack's Cloudflare settings."""

    clock: FakeClock
    api: FakeCloudflareApi
    dynamic: DynamicProviderHarness
    base_url: str


@contextmanager
def world(start: Any, **config: str) -> Iterator[World]:
    clock = FakeClock(start)
    api = FakeCloudflareApi(api_token=API_TOKEN, now=clock.now)
    with api.serve() as base_url, clock.installed(), serve_dynamic_providers() as dynamic:
        dynamic.configure(
            {"cloudflare:apiToken": API_TOKEN, "cloudflare:baseUrl": base_url, **config}
        )
        yield World(clock, api, dynamic, base_url)


class Stack:
    """A stack: state that persists between runs of `program`."""

    def __init__(self, program: Callable[[], object], world: World) -> None:
        self.program = program
        self.world = world
        self.state: dict[str, Saved] = {}
        self.last: ProgramRun | None = None

    # -- runs --------------------------------------------------------------------------------

    def up(self, target: list[str] | None = None) -> list[Step]:
        return self._run(preview=False, target=target)

    def preview(self) -> list[Step]:
        return self._run(preview=True, target=None)

    def refresh(self) -> list[Step]:
        steps = []
        for saved in list(self.state.values()):
            outputs = _model(saved.type, self.world).read(saved)
            if outputs is None:
                del self.state[saved.urn]
                steps.append(Step(saved.urn, "delete"))
            else:
                self.state[saved.urn] = replace(saved, outputs=outputs)
                steps.append(Step(saved.urn, "read"))
        return steps

    def destroy(self) -> list[Step]:
        steps: list[Step] = []
        for saved in reversed(list(self.state.values())):
            self._delete(saved, steps)
        return steps

    # -- what tests read ---------------------------------------------------------------------

    def one(self, type_suffix: str) -> Saved:
        found = [s for s in self.state.values() if s.type.endswith(type_suffix)]
        assert len(found) == 1, f"expected one {type_suffix} in state, found {len(found)}"
        return found[0]

    def named(self, name: str) -> Saved:
        found = [s for s in self.state.values() if s.urn.endswith(f"::{name}")]
        assert len(found) == 1, f"expected one resource named {name!r} in state, found {found}"
        return found[0]

    @property
    def outputs(self) -> dict[str, Any]:
        assert self.last is not None, "no run yet"
        return {key: resolved.value for key, resolved in self.last.outputs.items()}

    def dump(self) -> str:
        """State as the engine would write it, secrets included in the clear: what a leak check
        must search."""
        return json.dumps({urn: vars(saved) for urn, saved in self.state.items()}, default=str)

    # -- the deployment ----------------------------------------------------------------------

    def _run(self, *, preview: bool, target: list[str] | None) -> list[Step]:
        deployment = _Deployment(self, preview=preview, target=target)
        try:
            self.last = run_program(
                self.program,
                monitor=deployment.monitor,
                preview=preview,
                project="project",
                stack="stack",
            )
        except BaseException as error:
            raise DeploymentError(deployment.failure or error, deployment.steps) from error
        if not preview:
            deployment.finish()
        return deployment.steps

    def _delete(self, saved: Saved, steps: list[Step]) -> None:
        if saved.protect:
            raise StepError(
                f"unable to delete resource {saved.urn!r} as it is currently marked for protection"
            )
        _model(saved.type, self.world).delete(saved)
        self.state.pop(saved.urn, None)
        steps.append(Step(saved.urn, "delete"))


class _Deployment:
    """One run: the monitor the program registers with, and the steps it took."""

    def __init__(self, stack: Stack, *, preview: bool, target: list[str] | None) -> None:
        self.stack = stack
        self.preview = preview
        self.target = target
        self.steps: list[Step] = []
        self.registered: set[str] = set()
        self.replaced: list[Saved] = []
        self.failure: BaseException | None = None
        self._lock = threading.Lock()
        self.monitor = _EngineMonitor(self)

    def register(self, request: Any, urn: str) -> tuple[str, dict[str, Any]]:
        with self._lock:
            if self.failure is not None:
                raise StepError("the deployment stopped at an earlier failure")
            try:
                return self._step(request, urn)
            except BaseException as error:
                self.failure = error
                raise

    def _step(self, request: Any, urn: str) -> tuple[str, dict[str, Any]]:
        self.registered.add(urn)
        world, state = self.stack.world, self.stack.state
        model = _model(request.type, world)
        news = rpc.deserialize_properties(request.object, keep_unknowns=True)
        news = {key: _unknown_to_marker(value) for key, value in news.items()}
        trigger = (
            rpc.deserialize_property(json_format.MessageToDict(request.replacement_trigger), True)
            if request.HasField("replacement_trigger")
            else None
        )
        protect = request.protect if request.HasField("protect") else False
        old = state.get(urn)
        if self.target is not None and urn not in self.target:
            if old is None:
                raise StepError(f"resource {urn!r} is not targeted and does not exist yet")
            self.steps.append(Step(urn, "same"))
            return old.id, old.outputs

        def save(id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> Saved:
            saved = Saved(
                urn,
                request.type,
                id_,
                inputs,
                outputs,
                protect=protect,
                import_id=request.importId,
                trigger=trigger,
                secret_outputs=frozenset(request.additionalSecretOutputs) | model.secret_outputs,
            )
            if not self.preview:
                state[urn] = saved
            return saved

        if old is None:
            if request.importId:
                outputs = model.import_(request.importId)
                saved = save(outputs["id"], dict(news), outputs)
                self.steps.append(Step(urn, "import"))
                return saved.id, outputs
            checked = model.check({}, news)
            self.steps.append(Step(urn, "create"))
            if self.preview:
                return "", model.preview_create(checked)
            id_, outputs = model.create(checked)
            save(id_, checked, outputs)
            return id_, outputs

        checked = model.check(old.inputs, news)
        for key in request.ignoreChanges:
            if key in old.inputs:
                checked[key] = old.inputs[key]
            else:
                checked.pop(key, None)
        decision = model.diff(old, checked)
        trigger_changed = old.trigger is not None and trigger is not None and trigger != old.trigger
        if decision.replaces or trigger_changed:
            if old.protect or protect:
                raise StepError(
                    f"unable to replace resource {urn!r} as it is currently marked for protection"
                )
            if request.importId:
                raise StepError(
                    f"resource {urn!r}: previously-imported resources that still specify an ID "
                    f"may not be replaced"
                )
            if _is_marker(trigger) and not self.preview:
                raise StepError(f"resource {urn!r}: the replacement trigger is unknown")
            self.steps.append(Step(urn, "replace"))
            if self.preview:
                return "", model.preview_create(checked)
            id_, outputs = model.create(checked)
            self.replaced.append(old)
            save(id_, checked, outputs)
            return id_, outputs
        if decision.changes:
            self.steps.append(Step(urn, "update"))
            if self.preview:
                return old.id, model.preview_update(old, checked)
            outputs = model.update(old, checked)
            save(old.id, checked, outputs)
            return old.id, outputs
        self.steps.append(Step(urn, "same"))
        save(old.id, checked, old.outputs)
        return old.id, old.outputs

    def finish(self) -> None:
        """The end of a successful `up`: replaced resources, then resources the program no
        longer declares, are deleted (dependents first)."""
        for old in self.replaced:
            if old.protect:
                raise StepError(f"unable to delete replaced {old.urn!r}: protected")
            _model(old.type, self.stack.world).delete(old)
            self.steps.append(Step(old.urn, "delete"))
        if self.target is not None:
            return
        for saved in reversed(list(self.stack.state.values())):
            if saved.urn not in self.registered:
                self.stack._delete(saved, self.steps)


class _EngineMonitor(RecordingMonitor):
    """The program's monitor: custom resources take engine steps; the rest is mocked."""

    def __init__(self, deployment: _Deployment) -> None:
        super().__init__(CloudflareMocks(now=deployment.stack.world.clock.now))
        self.deployment = deployment

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if not request.custom:
            return super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim(urn)
        id_, outputs = self.deployment.register(request, urn)
        self._record(request, urn)
        payload = _sync_await(rpc.serialize_properties(outputs, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=payload)


# -- resource models -------------------------------------------------------------------------


class _Model:
    secret_outputs: frozenset[str] = frozenset()

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return dict(news)

    def diff(self, old: Saved, news: dict[str, Any]) -> Decision:
        return Decision(changes=_without(old.inputs) != _without(news))

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{news.get('name', 'resource')}-id", dict(news)

    def update(self, old: Saved, news: dict[str, Any]) -> dict[str, Any]:
        return {**old.outputs, **news}

    def preview_create(self, news: dict[str, Any]) -> dict[str, Any]:
        # Outputs the inputs do not carry are unknown to the program in a preview.
        return dict(news)

    def preview_update(self, old: Saved, news: dict[str, Any]) -> dict[str, Any]:
        return dict(news)

    def import_(self, import_id: str) -> dict[str, Any]:
        raise StepError(f"cannot import {import_id!r} into this resource type")

    def read(self, saved: Saved) -> dict[str, Any] | None:
        return saved.outputs

    def delete(self, saved: Saved) -> None:
        """Nothing outside the engine to delete."""


class _DynamicModel(_Model):
    """A dynamic resource, through the SDK's servicer with its registered `__provider`."""

    def __init__(self, harness: DynamicProviderHarness) -> None:
        self.harness = harness

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return self._call(lambda: self.harness.check(olds, news))

    def diff(self, old: Saved, news: dict[str, Any]) -> Decision:
        diff = self._call(lambda: self.harness.diff(old.id, old.outputs, news))
        return Decision(changes=bool(diff.changes), replaces=tuple(diff.replaces))

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self._call(lambda: self.harness.create(news))

    def update(self, old: Saved, news: dict[str, Any]) -> dict[str, Any]:
        return self._call(lambda: self.harness.update(old.id, old.outputs, news))

    def read(self, saved: Saved) -> dict[str, Any] | None:
        return self._call(lambda: self.harness.read(saved.id, saved.outputs))[1]

    def delete(self, saved: Saved) -> None:
        self._call(lambda: self.harness.delete(saved.id, saved.outputs))

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        try:
            return action()
        except grpc.RpcError as error:
            raise StepError(error.details()) from None
        except AssertionError as error:  # the harness reports check failures this way
            raise StepError(f"check failed: {error}") from None


class _TokenModel(_Model):
    """`ZeroTrustAccessServiceToken` as the Cloudflare provider handles it, against the fake."""

    secret_outputs = frozenset({"clientSecret"})
    _FIELDS: ClassVar[dict[str, str]] = {
        "name": "name",
        "duration": "duration",
        "enabled": "enabled",
        "clientSecretVersion": "client_secret_version",
        "previousClientSecretExpiresAt": "previous_client_secret_expires_at",
    }

    def __init__(self, api: FakeCloudflareApi) -> None:
        self.api = api

    def diff(self, old: Saved, news: dict[str, Any]) -> Decision:
        scope_moved = any(old.inputs.get(key) != news.get(key) for key in ("accountId", "zoneId"))
        if scope_moved:
            return Decision(changes=True, replaces=("accountId",))
        return super().diff(old, news)

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        result = self._call("POST", _scope_path(news), self._body(news))
        return result["id"], self._outputs(news, result, secret=result["client_secret"])

    def update(self, old: Saved, news: dict[str, Any]) -> dict[str, Any]:
        result = self._call("PUT", f"{_scope_path(news)}/{old.id}", self._body(news))
        secret = result.get("client_secret") or old.outputs.get("clientSecret")
        return self._outputs(news, result, secret=secret)

    def preview_update(self, old: Saved, news: dict[str, Any]) -> dict[str, Any]:
        planned = {**old.outputs, **news}
        if news.get("duration") != old.inputs.get("duration"):
            planned["expiresAt"] = rpc.UNKNOWN
        return planned

    def import_(self, import_id: str) -> dict[str, Any]:
        scope, scope_id, token_id = import_id.split("/")
        key = "accountId" if scope == "accounts" else "zoneId"
        result = self._call(
            "GET", f"/client/v4/{scope}/{scope_id}/access/service_tokens/{token_id}"
        )
        return self._outputs({key: scope_id}, result, secret=None)

    def read(self, saved: Saved) -> dict[str, Any] | None:
        path = f"{_scope_path(saved.inputs)}/{saved.id}"
        status, _, body = self.api.handle("GET", path, _auth(), b"")
        if status == 404:
            return None
        result = _envelope(status, body)
        return self._outputs(saved.inputs, result, secret=saved.outputs.get("clientSecret"))

    def delete(self, saved: Saved) -> None:
        self._call("DELETE", f"{_scope_path(saved.inputs)}/{saved.id}")

    def _body(self, news: Mapping[str, Any]) -> dict[str, Any]:
        return {wire: news[key] for key, wire in self._FIELDS.items() if news.get(key) is not None}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        payload = b"" if body is None else json.dumps(body).encode()
        status, _, answer = self.api.handle(method, path, _auth(), payload)
        return _envelope(status, answer)

    @staticmethod
    def _outputs(news: Mapping[str, Any], result: dict[str, Any], secret: Any) -> dict[str, Any]:
        outputs = {
            **news,
            "id": result["id"],
            "name": result["name"],
            "duration": result["duration"],
            "enabled": result["enabled"],
            "clientId": result["client_id"],
            "expiresAt": result["expires_at"],
        }
        if secret is not None:
            outputs["clientSecret"] = secret
        return outputs


def _model(type_: str, world: World) -> _Model:
    if type_.startswith(DYNAMIC_PREFIX):
        return _DynamicModel(world.dynamic)
    if type_ == TOKEN_TYPE:
        return _TokenModel(world.api)
    return _Model()


def _scope_path(props: Mapping[str, Any]) -> str:
    if props.get("accountId"):
        return f"/client/v4/accounts/{props['accountId']}/access/service_tokens"
    return f"/client/v4/zones/{props['zoneId']}/access/service_tokens"


def _auth() -> dict[str, str]:
    return {"authorization": f"Bearer {API_TOKEN}"}


def _envelope(status: int, body: bytes) -> Any:
    envelope = json.loads(body)
    if status >= 400 or not envelope.get("success"):
        errors = "; ".join(f"{e['code']}: {e['message']}" for e in envelope.get("errors", []))
        raise StepError(f"Cloudflare answered HTTP {status} ({errors})")
    return envelope["result"]


def _without(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in {"__provider", "id"}}


def _unknown_to_marker(value: Any) -> Any:
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {key: _unknown_to_marker(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknown_to_marker(item) for item in value]
    return value


def _is_marker(value: Any) -> bool:
    return isinstance(value, Unknown) or value == rpc.UNKNOWN
