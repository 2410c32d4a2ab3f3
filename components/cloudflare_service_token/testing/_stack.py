"""A stack whose state lasts from one run to the next, deployed over simulated time by a small
model of the Pulumi engine, against the fake Cloudflare API.

`run_program` is a fresh stack every time: a second run after moving the clock 340 days shows a
new token, not a renewal. `Stack` keeps state the way the engine does, so a test can say "up
today; on day 340 the preview shows the renewal and calls nothing; up renews once; up again does
nothing". Each registration goes through the engine's rules (pulumi/pulumi
`pkg/resource/deploy/step_generator.go`), not a mock:

- a new resource is checked then created; an existing one is checked against its old inputs,
  diffed, then kept, updated or replaced (the new one first, the old one deleted at the end of
  the run), and the program sees the outputs the step produced;
- each step's result is saved as soon as it succeeds, and the run stops at the first failure, so
  a failed run leaves the finished steps in state and the rest as they were;
- `ignore_changes` keeps old input values; a changed `replacement_trigger` replaces (null <->
  value does not; an unknown one shows as a replace in a preview and fails a real update);
- refusals: a `protect`ed resource is never replaced or deleted, and one that still carries an
  import id is never replaced;
- `preview()` diffs but never creates, updates or deletes; `refresh()` only reads;
  `up(target=[...])` steps only the targeted resources, `up(replace=[...])` replaces them.

Who acts for each resource type:

- dynamic resources (the component's renewal, schedule and rotation) run their real providers
  through the SDK's own dynamic-provider servicer (`_dynamic_host`), configured with the stack's
  config and, whatever the config or the environment say, the fake API's address and token: no
  test reaches Cloudflare;
- `cloudflare` service tokens, Access policies and notification policies act on the fake API as
  pulumi-cloudflare 6 does, by the same types the local Cloudflare stand-in plugin uses;
- stack references answer from `stacks` (as `CloudflareMocks` do); any other resource echoes its
  inputs as outputs.
"""

import contextlib
import json
import runpy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeVar

import grpc
import yaml
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from .. import _clock
from .._machines import UNKNOWN as KIND_UNKNOWN
from ._clock import FakeClock
from ._dynamic_host import DynamicProviderHarness, serve_dynamic_providers
from ._fake_api import FakeCloudflareApi
from ._mocks import CloudflareMocks, StackOutput
from ._monitor import RecordingMonitor
from ._program import ProgramRun, run_program
from .local_cloudflare._access_policy import AccessPolicy
from .local_cloudflare._errors import LocalCloudflareError
from .local_cloudflare._http import CloudflareHttp
from .local_cloudflare._kind import Kind
from .local_cloudflare._notification_policy import NotificationPolicy
from .local_cloudflare._service_token import ServiceToken
from .local_cloudflare._settings import Connection

T = TypeVar("T")
DYNAMIC_PREFIX: Final = "pulumi-python:dynamic"
_KINDS: Final[dict[str, Kind]] = {
    kind.type: kind for kind in (ServiceToken(), AccessPolicy(), NotificationPolicy())
}
# The provider config the kit sets itself, so that nothing reaches a real account.
_CLOUDFLARE_CONNECTION: Final = frozenset(
    {"cloudflare:apiToken", "cloudflare:apiKey", "cloudflare:email", "cloudflare:baseUrl"}
)


class StepError(Exception):
    """A step the engine would have reported as failed (the run stops there)."""


class DeploymentError(Exception):
    """A run ended in error: `error` is the first failure, `steps` the steps taken until then."""

    def __init__(self, error: BaseException, steps: "Steps") -> None:
        super().__init__(str(error))
        self.error = error
        self.steps = steps


@dataclass
class SavedResource:
    """One resource in the stack's state, as the engine keeps it."""

    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    protect: bool = False
    import_id: str = ""
    trigger: Any = None
    secret_outputs: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Step:
    """One step of a run: `op` is create, import, update, replace, same, delete or read."""

    urn: str
    op: str

    @property
    def name(self) -> str:
        """The resource's name, e.g. `ci-renewal`."""
        return self.urn.rsplit("::", 1)[-1]


class Steps(list[Step]):
    """The steps of one run, in order."""

    @property
    def changes(self) -> list[tuple[str, str]]:
        """`(name, op)` of every step that is not `same`, in order: what `pulumi preview` lists."""
        return [(step.name, step.op) for step in self if step.op != "same"]


class Stack:
    """A stack: a program, its config, and state that lasts between its runs.

    Use it as a context manager (it serves the fake API and the dynamic-provider servicer on
    loopback while open). `clock` is the time every run sees (default: a `FakeClock` at the
    current time); `api` the fake Cloudflare API (default: a new one on `clock`); `config` maps
    full keys (`<project>:<key>`, `cloudflare-service-token:<key>`) to values, as in a
    `Pulumi.<stack>.yaml`; `stacks` answers stack references, as `CloudflareMocks(stacks=...)`.
    """

    def __init__(
        self,
        program: Callable[[], object],
        *,
        config: Mapping[str, Any] | None = None,
        clock: FakeClock | None = None,
        api: FakeCloudflareApi | None = None,
        stacks: Mapping[str, Mapping[str, StackOutput]] | None = None,
        project: str = "project",
        stack: str = "stack",
    ) -> None:
        self.program = program
        self.config = _checked_config(config or {})
        self.clock = clock or FakeClock(_clock.now())
        self.api = api or FakeCloudflareApi(now=self.clock.now)
        self.stacks = {name: dict(outputs) for name, outputs in (stacks or {}).items()}
        self.project = project
        self.stack = stack
        self.state: dict[str, SavedResource] = {}
        self.last: ProgramRun | None = None
        self._exits: contextlib.ExitStack | None = None
        self._dynamic: DynamicProviderHarness | None = None
        self._cloudflare: CloudflareHttp | None = None

    @classmethod
    def for_project(
        cls,
        folder: str | Path,
        stack: str = "dev",
        *,
        config: Mapping[str, Any] | None = None,
        clock: FakeClock | None = None,
        api: FakeCloudflareApi | None = None,
        stacks: Mapping[str, Mapping[str, StackOutput]] | None = None,
    ) -> "Stack":
        """The Pulumi project in `folder` (its `Pulumi.yaml` and `__main__.py`) with the config of
        its `Pulumi.<stack>.yaml`, as `pulumi up --stack <stack>` would run it there. `config`
        adds to or overrides that file; encrypted (`secure:`) values must be given here."""
        folder = Path(folder).resolve()
        project = _read_yaml(folder / "Pulumi.yaml")
        name = str(project["name"])
        settings = _project_config(name, project.get("config") or {})
        stack_file = folder / f"Pulumi.{stack}.yaml"
        if stack_file.is_file():
            settings.update(_stack_config(name, _read_yaml(stack_file).get("config") or {}))
        settings.update(config or {})
        settings = _readable(settings, stack_file)
        entry = folder / str(project.get("main") or "")

        def program() -> None:
            # The engine runs a program from its project folder, its folder first on sys.path.
            with contextlib.chdir(folder):
                runpy.run_path(str(entry), run_name="__main__")

        return cls(
            program, config=settings, clock=clock, api=api, stacks=stacks, project=name, stack=stack
        )

    # -- open and close -------------------------------------------------------------------------

    def __enter__(self) -> "Stack":
        exits = contextlib.ExitStack()
        try:
            base_url = exits.enter_context(self.api.serve())
            self._dynamic = exits.enter_context(serve_dynamic_providers())
            self._dynamic.configure(
                {
                    **{
                        key: _config_text(value)
                        for key, value in self.config.items()
                        if key not in _CLOUDFLARE_CONNECTION
                    },
                    "cloudflare:apiToken": self.api.api_token,
                    "cloudflare:baseUrl": base_url,
                }
            )
            self._cloudflare = CloudflareHttp(Connection(base_url, api_token=self.api.api_token))
        except BaseException:
            exits.close()
            raise
        self._exits = exits
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._exits is not None:
            self._exits.close()
        self._exits = self._dynamic = self._cloudflare = None

    # -- runs -----------------------------------------------------------------------------------

    def up(self, target: Sequence[str] | None = None, replace: Sequence[str] = ()) -> Steps:
        """`pulumi up`: `target` steps only those URNs (`--target`), `replace` replaces those
        URNs whatever their diff says (`--replace`)."""
        return self._run(preview=False, target=target, replace=replace)

    def preview(self) -> Steps:
        """`pulumi preview`: the steps an `up` would take, acting on nothing."""
        return self._run(preview=True, target=None, replace=())

    def refresh(self) -> Steps:
        """`pulumi refresh`: read every resource; one that is gone leaves the state."""
        steps = Steps()
        with self.clock.installed():
            for saved in list(self.state.values()):
                found = self._model(saved.type).read(saved)
                if found is None:
                    del self.state[saved.urn]
                    steps.append(Step(saved.urn, "delete"))
                else:
                    inputs, outputs = found
                    self.state[saved.urn] = replace(saved, inputs=inputs, outputs=outputs)
                    steps.append(Step(saved.urn, "read"))
        return steps

    def destroy(self) -> Steps:
        """`pulumi destroy`: delete every resource, dependents first."""
        steps = Steps()
        with self.clock.installed():
            for saved in reversed(list(self.state.values())):
                self._delete(saved, steps)
        return steps

    # -- what tests read ------------------------------------------------------------------------

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack outputs of the last successful run (`pulumi stack output`), secrets in the
        clear; `stack.last.outputs[key].secret` says which are secret."""
        if self.last is None:
            raise AssertionError("no run yet: call up() or preview() first")
        return {key: resolved.value for key, resolved in self.last.outputs.items()}

    def one(self, type_suffix: str) -> SavedResource:
        """The one resource in state whose type ends with `type_suffix`, e.g. ':TokenRenewal'."""
        found = [s for s in self.state.values() if s.type.endswith(type_suffix)]
        if len(found) != 1:
            raise AssertionError(f"expected one {type_suffix} in state, found {len(found)}")
        return found[0]

    def named(self, name: str) -> SavedResource:
        """The one resource in state named `name`, e.g. 'ci-token'."""
        found = [s for s in self.state.values() if s.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name!r} in state, found {found}")
        return found[0]

    def dump(self) -> str:
        """The state as JSON, secrets in the clear: what a leak check must search."""
        return json.dumps({urn: vars(saved) for urn, saved in self.state.items()}, default=str)

    # -- the deployment -------------------------------------------------------------------------

    def _run(self, *, preview: bool, target: Sequence[str] | None, replace: Sequence[str]) -> Steps:
        if self._exits is None:
            raise RuntimeError("open the stack first: `with Stack(...) as stack:`")
        deployment = _Deployment(self, preview=preview, target=target, replace=replace)
        with self.clock.installed():
            try:
                run = run_program(
                    self.program,
                    monitor=deployment.monitor,
                    config=self.config,
                    preview=preview,
                    project=self.project,
                    stack=self.stack,
                )
            except BaseException as error:
                raise DeploymentError(deployment.failure or error, deployment.steps) from error
            if not preview:
                try:
                    deployment.finish()
                except StepError as error:
                    raise DeploymentError(error, deployment.steps) from error
        self.last = run
        return deployment.steps

    def _delete(self, saved: SavedResource, steps: Steps) -> None:
        if saved.protect:
            raise StepError(
                f"unable to delete resource {saved.urn!r} as it is currently marked for protection"
            )
        self._model(saved.type).delete(saved)
        self.state.pop(saved.urn, None)
        steps.append(Step(saved.urn, "delete"))

    def _model(self, type_: str) -> "_Model":
        if type_.startswith(DYNAMIC_PREFIX):
            assert self._dynamic is not None, "the stack is not open"
            return _DynamicModel(self._dynamic)
        if type_ in _KINDS:
            assert self._cloudflare is not None, "the stack is not open"
            return _KindModel(_KINDS[type_], self._cloudflare)
        return _Model()


@dataclass(frozen=True)
class _Decision:
    changes: bool
    replaces: tuple[str, ...] = ()


class _Deployment:
    """One run: the monitor the program registers with, and the steps it took."""

    def __init__(
        self,
        stack: Stack,
        *,
        preview: bool,
        target: Sequence[str] | None,
        replace: Sequence[str],
    ) -> None:
        self.stack = stack
        self.preview = preview
        self.target = None if target is None else frozenset(target)
        self.forced = frozenset(replace)
        self.steps = Steps()
        self.registered: set[str] = set()
        self.replaced: list[SavedResource] = []
        self.failure: BaseException | None = None
        self._lock = threading.Lock()
        self.monitor = _EngineMonitor(self)

    def register(self, request: Any, urn: str) -> tuple[str, dict[str, Any], frozenset[str]]:
        with self._lock:
            if self.failure is not None:
                raise StepError("the deployment stopped at an earlier failure")
            try:
                return self._step(request, urn)
            except BaseException as error:
                self.failure = error
                raise

    def _step(self, request: Any, urn: str) -> tuple[str, dict[str, Any], frozenset[str]]:
        self.registered.add(urn)
        state = self.stack.state
        model = self.stack._model(request.type)
        news = rpc.deserialize_properties(request.object, keep_unknowns=True)
        news = {key: _unknown_to_marker(value) for key, value in news.items()}
        trigger = (
            rpc.deserialize_property(json_format.MessageToDict(request.replacement_trigger), True)
            if request.HasField("replacement_trigger")
            else None
        )
        protect = request.protect if request.HasField("protect") else False
        secret = frozenset(request.additionalSecretOutputs) | model.secret_outputs
        old = state.get(urn)
        if self.target is not None and urn not in self.target:
            if old is None:
                raise StepError(f"resource {urn!r} is not targeted and does not exist yet")
            self.steps.append(Step(urn, "same"))
            return old.id, old.outputs, old.secret_outputs

        def save(id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
            if not self.preview:
                state[urn] = SavedResource(
                    urn,
                    request.type,
                    id_,
                    inputs,
                    outputs,
                    protect=protect,
                    import_id=request.importId,
                    trigger=trigger,
                    secret_outputs=secret,
                )

        if old is None:
            if request.importId:
                id_, outputs = model.import_(request.importId)
                save(id_, dict(news), outputs)
                self.steps.append(Step(urn, "import"))
                return id_, outputs, secret
            checked = model.check({}, news)
            self.steps.append(Step(urn, "create"))
            if self.preview:
                return "", model.preview_create(checked), secret
            id_, outputs = model.create(checked)
            save(id_, checked, outputs)
            return id_, outputs, secret

        checked = model.check(old.inputs, news)
        for key in request.ignoreChanges:
            if key in old.inputs:
                checked[key] = old.inputs[key]
            else:
                checked.pop(key, None)
        decision = model.diff(old, checked)
        trigger_changed = old.trigger is not None and trigger is not None and trigger != old.trigger
        if decision.replaces or trigger_changed or urn in self.forced:
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
                return "", model.preview_create(checked), secret
            id_, outputs = model.create(checked)
            self.replaced.append(old)
            save(id_, checked, outputs)
            return id_, outputs, secret
        if decision.changes:
            self.steps.append(Step(urn, "update"))
            if self.preview:
                return old.id, model.preview_update(old, checked), secret
            outputs = model.update(old, checked)
            save(old.id, checked, outputs)
            return old.id, outputs, secret
        self.steps.append(Step(urn, "same"))
        save(old.id, checked, old.outputs)
        return old.id, old.outputs, secret

    def finish(self) -> None:
        """The end of a successful `up`: replaced resources, then resources the program no
        longer declares, are deleted (dependents first)."""
        for old in self.replaced:
            if old.protect:
                raise StepError(f"unable to delete replaced {old.urn!r}: protected")
            self.stack._model(old.type).delete(old)
            self.steps.append(Step(old.urn, "delete"))
        if self.target is not None:
            return
        for saved in reversed(list(self.stack.state.values())):
            if saved.urn not in self.registered:
                self.stack._delete(saved, self.steps)


class _EngineMonitor(RecordingMonitor):
    """The program's monitor: custom resources take engine steps; the rest is mocked."""

    def __init__(self, deployment: _Deployment) -> None:
        stack = deployment.stack
        super().__init__(CloudflareMocks(now=stack.clock.now, stacks=stack.stacks))
        self.deployment = deployment

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if not request.custom:
            return super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim(urn)
        id_, outputs, secret = self.deployment.register(request, urn)
        self._record(request, urn)
        # As the engine does: the outputs the resource declares secret reach the program secret.
        shown = {
            key: rpc.wrap_rpc_secret(value) if key in secret else value
            for key, value in outputs.items()
        }
        payload = _sync_await(rpc.serialize_properties(shown, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=payload)


# -- resource models ---------------------------------------------------------------------------


class _Model:
    """A resource nothing outside the engine knows about: its outputs are its inputs."""

    secret_outputs: frozenset[str] = frozenset()

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return dict(news)

    def diff(self, old: SavedResource, news: dict[str, Any]) -> _Decision:
        return _Decision(changes=_without(old.inputs) != _without(news))

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{news.get('name', 'resource')}-id", dict(news)

    def update(self, old: SavedResource, news: dict[str, Any]) -> dict[str, Any]:
        return {**old.outputs, **news}

    def preview_create(self, news: dict[str, Any]) -> dict[str, Any]:
        return dict(news)

    def preview_update(self, old: SavedResource, news: dict[str, Any]) -> dict[str, Any]:
        return dict(news)

    def import_(self, import_id: str) -> tuple[str, dict[str, Any]]:
        raise StepError(f"cannot import {import_id!r} into this resource type")

    def read(self, saved: SavedResource) -> tuple[dict[str, Any], dict[str, Any]] | None:
        return saved.inputs, saved.outputs

    def delete(self, saved: SavedResource) -> None:
        """Nothing outside the engine to delete."""


class _DynamicModel(_Model):
    """A dynamic resource, through the SDK's servicer with its registered `__provider`."""

    def __init__(self, harness: DynamicProviderHarness) -> None:
        self.harness = harness

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return self._call(lambda: self.harness.check(olds, news))

    def diff(self, old: SavedResource, news: dict[str, Any]) -> _Decision:
        diff = self._call(lambda: self.harness.diff(old.id, old.outputs, news))
        return _Decision(changes=bool(diff.changes), replaces=tuple(diff.replaces))

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self._call(lambda: self.harness.create(news))

    def update(self, old: SavedResource, news: dict[str, Any]) -> dict[str, Any]:
        return self._call(lambda: self.harness.update(old.id, old.outputs, news))

    def read(self, saved: SavedResource) -> tuple[dict[str, Any], dict[str, Any]] | None:
        outputs = self._call(lambda: self.harness.read(saved.id, saved.outputs))[1]
        return saved.inputs, outputs

    def delete(self, saved: SavedResource) -> None:
        self._call(lambda: self.harness.delete(saved.id, saved.outputs))

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        try:
            return action()
        except grpc.RpcError as error:
            raise StepError(error.details()) from None
        except AssertionError as error:  # the harness reports check failures this way
            raise StepError(f"check failed: {error}") from None


class _KindModel(_Model):
    """A `cloudflare` resource as pulumi-cloudflare 6 handles it, acting on the fake API: the
    local stand-in's type, given values with its own unknown marker."""

    def __init__(self, kind: Kind, api: CloudflareHttp) -> None:
        self.kind = kind
        self.api = api
        self.secret_outputs = kind.secret_outputs

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        failures = self.kind.check(_to_kind(news))
        if failures:
            raise StepError(f"{self.kind.type}: " + "; ".join(reason for _, reason in failures))
        return dict(news)

    def diff(self, old: SavedResource, news: dict[str, Any]) -> _Decision:
        changes = self.kind.diff(_to_kind(old.outputs), _to_kind(news))
        return _Decision(
            changes=bool(changes), replaces=tuple(c.name for c in changes if c.replaces)
        )

    def create(self, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._act(lambda: self.kind.create(self.api, _to_kind(news)))
        return id_, _from_kind(outputs)

    def update(self, old: SavedResource, news: dict[str, Any]) -> dict[str, Any]:
        olds = _to_kind(old.outputs)
        return _from_kind(self._act(lambda: self.kind.update(self.api, old.id, olds, news)))

    def preview_create(self, news: dict[str, Any]) -> dict[str, Any]:
        return _from_kind(self.kind.preview_create(_to_kind(news)))

    def preview_update(self, old: SavedResource, news: dict[str, Any]) -> dict[str, Any]:
        return _from_kind(self.kind.preview_update(_to_kind(old.outputs), _to_kind(news)))

    def import_(self, import_id: str) -> tuple[str, dict[str, Any]]:
        found = self._act(lambda: self.kind.read(self.api, import_id, {}, {}))
        if found is None:
            raise StepError(f"resource {import_id!r} does not exist; it cannot be imported")
        return found.id, _from_kind(found.outputs)

    def read(self, saved: SavedResource) -> tuple[dict[str, Any], dict[str, Any]] | None:
        olds, inputs = _to_kind(saved.outputs), _to_kind(saved.inputs)
        found = self._act(lambda: self.kind.read(self.api, saved.id, olds, inputs))
        if found is None:
            return None
        return _from_kind(found.inputs), _from_kind(found.outputs)

    def delete(self, saved: SavedResource) -> None:
        self._act(lambda: self.kind.delete(self.api, saved.id, _to_kind(saved.outputs)))

    @staticmethod
    def _act(action: Callable[[], T]) -> T:
        try:
            return action()
        except LocalCloudflareError as error:
            raise StepError(str(error)) from None


# -- values ------------------------------------------------------------------------------------


def _to_kind(props: Mapping[str, Any]) -> dict[str, Any]:
    """Property values as the stand-in's types take them: its unknown for the engine's."""
    return {
        key: _replace_unknowns(value, KIND_UNKNOWN)
        for key, value in props.items()
        if not key.startswith("__")
    }


def _from_kind(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _replace_unknowns(value, rpc.UNKNOWN) for key, value in props.items()}


def _replace_unknowns(value: Any, marker: Any) -> Any:
    if _is_marker(value):
        return marker
    if isinstance(value, Mapping):
        return {key: _replace_unknowns(item, marker) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_unknowns(item, marker) for item in value]
    return value


def _unknown_to_marker(value: Any) -> Any:
    return _replace_unknowns(value, rpc.UNKNOWN)


def _is_marker(value: Any) -> bool:
    return (
        isinstance(value, Unknown)
        or value is KIND_UNKNOWN
        or (isinstance(value, str) and value == rpc.UNKNOWN)
    )


def _without(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in {"__provider", "id"}}


# -- config ------------------------------------------------------------------------------------


def _checked_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Full keys only: a key without its namespace would be read by nothing."""
    for key in config:
        if ":" not in key:
            raise ValueError(
                f"config key {key!r} has no namespace; write '<project>:{key}' (the project's "
                f"name from Pulumi.yaml, as `pulumi config set {key}` stores it) or "
                f"'cloudflare-service-token:{key}' for this package's own settings"
            )
    return dict(config)


def _config_text(value: Any) -> str:
    """A config value as the engine hands it over: text, JSON for objects and lists."""
    return value if isinstance(value, str) else json.dumps(value)


def _read_yaml(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text()) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a YAML map")
    return document


def _stack_config(project: str, entries: Mapping[str, Any]) -> dict[str, Any]:
    """A stack file's config: a key without a namespace is the project's, as the CLI reads it."""
    return {key if ":" in key else f"{project}:{key}": value for key, value in entries.items()}


def _project_config(project: str, entries: Mapping[str, Any]) -> dict[str, Any]:
    """`Pulumi.yaml`'s config block: a plain value, or `{default: …}` / `{value: …}`."""
    values = {}
    for key, entry in _stack_config(project, entries).items():
        if isinstance(entry, Mapping) and ("default" in entry or "value" in entry):
            values[key] = entry.get("value", entry.get("default"))
        elif not isinstance(entry, Mapping):
            values[key] = entry
    return values


def _readable(config: Mapping[str, Any], stack_file: Path) -> dict[str, Any]:
    """The config without encrypted values: the kit cannot decrypt them. Cloudflare's
    credentials are dropped (the kit gives the fake's own); any other is refused."""
    readable = {}
    for key, value in config.items():
        if not (isinstance(value, Mapping) and "secure" in value):
            readable[key] = value
        elif key not in _CLOUDFLARE_CONNECTION:
            raise ValueError(
                f"config {key!r} in {stack_file.name} is encrypted (`secure:`), which the kit "
                f"cannot read; give a test value with Stack.for_project(..., config={{{key!r}: "
                f"...}})"
            )
    return readable
