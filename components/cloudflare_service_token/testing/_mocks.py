"""Pulumi mocks that answer like the Cloudflare provider does for service tokens.

A kit run never reaches the network: the Cloudflare calls the component's renewal and rotation
resources make (a read when rotation starts tracking a token, a refresh of a token already in its
renewal window) go to the mocks' own `FakeCloudflareApi`, in process, whatever the environment
holds (`CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_BASE_URL`, …), and a call it cannot answer is refused
with a message.
"""

import base64
import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import dill
import pulumi
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, rpc

from .. import _clock
from .._clock import use_clock
from .._durations import parse_duration
from .._renewal import FOREVER_LIFETIME
from ._clock import aware
from ._fake_api import FakeCloudflareApi

if TYPE_CHECKING:
    from .._machines import Machine

# The kit's fake answers this token only; its address is loopback's discard port, so even a
# client that ignored the in-process transport could reach nothing.
KIT_API_TOKEN = "cloudflare-mocks-api-token"
_KIT_BASE_URL = "http://127.0.0.1:9/client/v4"
log = logging.getLogger("cloudflare_service_token")

SERVICE_TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"
PLUGIN_TYPE_PREFIX = "cloudflare-service-token:index:"
_NAMESPACE = uuid.UUID("9a1d3e0c-5b7e-4c1a-8d2f-3f1c6b0e7a42")


@dataclass(frozen=True)
class StackOutput:
    """A value another stack exported, and whether it was secret."""

    value: Any
    secret: bool = False


class CloudflareMocks(Mocks):
    """Mocks for programs that declare service tokens.

    Service tokens get what Cloudflare returns: a UUID id, a `<32 hex>.access` client id, a
    64-hex client secret (missing when the token is imported: Cloudflare never returns it again),
    and `expires_at` = now + duration (876,000 h for `forever`, as Cloudflare reports it).
    Values are derived from the resource name, so runs repeat. The component's renewal and
    rotation resources (dynamic ones, or the provider plugin's) are created as in `pulumi up`,
    on the same clock; the Cloudflare calls they make go to `api`, never to the network. Stack
    references answer from `stacks`; other resources echo their inputs.

    `api` is the kit's own `FakeCloudflareApi`, answered in process (no socket): every token the
    mocks create is in it, and its request log shows what renewal and rotation asked for.
    """

    def __init__(
        self,
        now: Callable[[], datetime] | datetime | None = None,
        stacks: Mapping[str, Mapping[str, StackOutput]] | None = None,
    ) -> None:
        # Without `now`, the package's own clock: the wall, or a FakeClock installed around the
        # run, so renewal and the mocks agree on the time.
        self._clock: Callable[[], datetime] | None
        if isinstance(now, datetime):
            frozen = aware(now, "CloudflareMocks(now=...)")
            self._clock = lambda: frozen
        else:
            self._clock = now
        self.stacks: dict[str, dict[str, StackOutput]] = {
            name: dict(outputs) for name, outputs in (stacks or {}).items()
        }
        self._seen_now: datetime | None = None
        # Its clock is the mocks' latest reading: a clock given as a callable is not read again.
        self.api = FakeCloudflareApi(api_token=KIT_API_TOKEN, now=self._latest)

    def _now(self) -> datetime:
        self._seen_now = aware(
            _clock.now() if self._clock is None else self._clock(), "CloudflareMocks(now=...)"
        )
        return self._seen_now

    def _latest(self) -> datetime:
        return self._seen_now if self._seen_now is not None else self._now()

    def publish_stack(self, stack_name: str, outputs: Mapping[str, StackOutput]) -> None:
        """Make `outputs` readable by stack references to `stack_name`."""
        self.stacks[stack_name] = dict(outputs)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == SERVICE_TOKEN_TYPE:
            return self._service_token(args)
        if args.typ == STACK_REFERENCE_TYPE:
            return self._stack_reference(args)
        if args.typ.startswith(DYNAMIC_TYPE_PREFIX):
            return self._dynamic_resource(args)
        if args.typ.startswith(PLUGIN_TYPE_PREFIX) and args.custom:
            return self._plugin_resource(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def _service_token(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        seed = hashlib.sha256(f"{args.name}/{inputs.get('name')}".encode()).hexdigest()
        import_id = args.resource_id or ""
        imported = bool(import_id)
        # Import ids look like accounts/<account id>/<token id>.
        token_id = import_id.rsplit("/", 1)[-1] if imported else str(uuid.uuid5(_NAMESPACE, seed))
        duration = inputs.get("duration") or "8760h"
        if pulumi.runtime.is_dry_run() and not imported:
            # A token that does not exist yet has no id, client id, secret or expiry in a preview.
            return "", {**inputs, "duration": duration}
        lifetime = parse_duration(duration) or FOREVER_LIFETIME
        expires_at = self._now() + lifetime
        state = {
            **inputs,
            "duration": duration,
            "enabled": inputs.get("enabled", True),
            "clientId": f"{seed[:32]}.access",
            "expiresAt": _rfc3339(expires_at),
        }
        if not imported:
            state["clientSecret"] = hashlib.sha256(f"secret/{seed}".encode()).hexdigest()
        self.api.add_token(
            account_id=inputs.get("accountId"),
            zone_id=inputs.get("zoneId"),
            name=str(inputs.get("name") or args.name),
            duration=str(duration),
            expires_at=expires_at,
            token_id=token_id,
        )
        return token_id, state

    def _dynamic_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Create a dynamic resource as the engine would during `pulumi up`: the component's
        renewal and rotation resources by their state machine, with any Cloudflare call made
        against `api`; another dynamic provider by its own `create`. In a preview nothing is
        created and the outputs stay unknown, as with the engine."""
        from .._providers import _plain, _Provider

        inputs = dict(args.inputs)
        if pulumi.runtime.is_dry_run():
            return "", inputs
        # The program under test pickled it a moment ago, as Pulumi itself would.
        provider = dill.loads(base64.b64decode(inputs.pop(PROVIDER_KEY)))  # noqa: S301
        if isinstance(provider, _Provider):
            resource_id, outputs = self._create(provider.machine, _plain(inputs), args.name)
            return resource_id, {**inputs, **outputs}
        with use_clock(self._now) if self._clock is not None else nullcontext():
            result = provider.create(inputs)
        return result.id, {**inputs, **(result.outs or {})}

    def _plugin_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The provider plugin's renewal resources (what its `construct` registers): their state
        machine's `create` on the same clock, as the plugin would run it in `pulumi up`."""
        from .._machines import MACHINES
        from .._schema import camel, snake

        machine = next(m for m in MACHINES if args.typ == f"{PLUGIN_TYPE_PREFIX}{m.kind}")
        inputs = {snake(key): value for key, value in args.inputs.items()}
        if pulumi.runtime.is_dry_run():
            return "", dict(args.inputs)
        resource_id, outputs = self._create(machine, inputs, args.name)
        return resource_id, {camel(key): value for key, value in outputs.items()}

    def _create(
        self, machine: "type[Machine]", inputs: dict[str, Any], name: str
    ) -> tuple[str, dict[str, Any]]:
        from .._cloudflare_api import ApiSettings, perform

        plan = machine.create(inputs, self._now())
        answer = None
        if plan.call is not None:
            token_id = plan.call.token_id
            if self.api.token(token_id) is None:
                raise AssertionError(
                    f"{machine.kind} {name} would call Cloudflare about service token "
                    f"{token_id}, which the mocks' fake Cloudflare API does not hold; the kit "
                    f"never calls the real one: add the token with mocks.api.add_token(...)"
                )
            settings = ApiSettings(api_token=KIT_API_TOKEN, base_url=_KIT_BASE_URL, max_retries=0)
            answer = perform(settings, plan.call, transport=self.api.transport())
        outputs = plan.outputs(answer)
        for warning in (*plan.warnings, *plan.reports(answer)):
            log.warning("%s", warning)
        return machine.resource_id(inputs), outputs

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        stack_name = args.inputs["name"]
        if stack_name not in self.stacks:
            raise KeyError(
                f"stack reference to {stack_name!r}: the mocks know no such stack; "
                f"publish it with CloudflareMocks.publish_stack first"
            )
        outputs = self.stacks[stack_name]
        return stack_name, {
            "name": stack_name,
            # A secret that is empty is still exported (the engine keeps secret nulls); a plain
            # None is not exported at all, as with the engine.
            "outputs": {
                key: rpc.wrap_rpc_secret(output.value) if output.secret else output.value
                for key, output in outputs.items()
            },
            "secretOutputNames": [key for key, output in outputs.items() if output.secret],
        }


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
