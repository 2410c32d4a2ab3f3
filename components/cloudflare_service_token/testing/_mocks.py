"""Pulumi mocks that answer like the Cloudflare provider does for service tokens."""

import base64
import hashlib
import uuid
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dill
import pulumi
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, rpc

from .. import _clock
from .._clock import use_clock
from .._durations import parse_duration
from .._renewal import FOREVER_LIFETIME
from ._clock import aware

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
    rotation resources (dynamic ones, or the provider plugin's) run their `create` (no I/O) on
    the same clock. Stack
    references answer from `stacks`; other resources echo their inputs.
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

    def _now(self) -> datetime:
        return aware(
            _clock.now() if self._clock is None else self._clock(), "CloudflareMocks(now=...)"
        )

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
        state = {
            **inputs,
            "duration": duration,
            "enabled": inputs.get("enabled", True),
            "clientId": f"{seed[:32]}.access",
            "expiresAt": _rfc3339(self._now() + lifetime),
        }
        if not imported:
            state["clientSecret"] = hashlib.sha256(f"secret/{seed}".encode()).hexdigest()
        return token_id, state

    def _dynamic_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Run the pickled provider's `create`, as the engine would during `pulumi up`.

        The component's providers make no Cloudflare call in `create`, so this is safe; in a
        preview nothing is created and the outputs stay unknown, as with the engine.
        """
        inputs = dict(args.inputs)
        if pulumi.runtime.is_dry_run():
            return "", inputs
        # The program under test pickled it a moment ago, as Pulumi itself would.
        provider = dill.loads(base64.b64decode(inputs.pop(PROVIDER_KEY)))  # noqa: S301
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
        plan = machine.create(inputs, self._now())
        if plan.call is not None:
            raise AssertionError(
                f"{machine.kind} {args.name} would call Cloudflare on creation; the mocks make no "
                f"Cloudflare calls: drive the plugin over gRPC against FakeCloudflareApi instead"
            )
        outputs = plan.outputs(None)
        return machine.resource_id(inputs), {camel(key): value for key, value in outputs.items()}

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
