"""Library mode's host for the renewal state machines: Pulumi dynamic providers.

Pulumi stores these classes in state by reference (module path and class name): never rename or
move this module or its classes, and keep it light. Loading a provider (what the engine's
`pulumi-python` host does on every preview) imports this module and what it needs to decide,
never `pulumi_cloudflare` and never the `cloudflare` SDK (that only when a call is made).
Instances hold no state: credentials come from the stack config Pulumi hands to `configure`, and
the Cloudflare client is built inside the call that needs it.

Each provider only translates: the engine's unknowns and secrets into plain values, a machine's
plan into one Cloudflare call and outputs, and its failures into Check failures or errors. The
decisions are in `_machines`.
"""

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret

from . import _clock
from ._cloudflare_api import CONFIG_KEYS, ApiSettings, perform
from ._machines import (
    UNKNOWN,
    Machine,
    Plan,
    RenewalSchedule,
    SecretRotation,
    TokenRenewal,
)

log = logging.getLogger("cloudflare_service_token")

# The engine's marker for a value not known until the update runs (preview of a changing input),
# as it arrives when the SDK does not turn it into `pulumi.output.Unknown` first.
UNKNOWN_MARKER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_PROVIDER_KEY = "__provider"

# Stack config of the running deployment, set by `configure`. Kept at module level, never on a
# provider instance, so no credential can end up in a pickled provider. Replaced whole, never
# mutated, so a thread mid-renewal never sees it half-filled while another provider configures.
_stack_config: Mapping[str, Any] = {}


class _Provider(ResourceProvider):
    machine: ClassVar[type[Machine]]
    # These providers capture no secret; the SDK still marks them secret if one ever sneaks in.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        global _stack_config
        _stack_config = {key: req.config.get(key) for key in CONFIG_KEYS}

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = self.machine.check(_plain(olds), _plain(news))
        return CheckResult(news, [CheckFailure(f.property, f.reason) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        decided = self.machine.diff(_plain(olds), _plain(news), _clock.now())
        replaces = list(decided.replaces)
        # Stated, not left to the engine: the new resource exists before the old one goes.
        return DiffResult(
            changes=decided.changes,
            replaces=replaces,
            delete_before_replace=False if replaces else None,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        news = _plain(props)
        outputs = _carry_out(self.machine.create(news, _clock.now()))
        return CreateResult(self.machine.resource_id(news), outputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(
            _carry_out(self.machine.update(_plain(olds), _plain(news), _clock.now()))
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # `pulumi refresh` (even a preview of one) runs this: it must never act on Cloudflare.
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete: the token itself belongs to the token resource."""


class TokenRenewalProvider(_Provider):
    """Refresh strategy (see `_machines.TokenRenewal`)."""

    machine = TokenRenewal


class RenewalScheduleProvider(_Provider):
    """Replace strategy (see `_machines.RenewalSchedule`)."""

    machine = RenewalSchedule


class SecretRotationProvider(_Provider):
    """Rotation (see `_machines.SecretRotation`)."""

    machine = SecretRotation


def _carry_out(plan: Plan) -> dict[str, Any]:
    for warning in plan.warnings:
        log.warning("%s", warning)
    answer = None
    if plan.call is not None:
        answer = perform(ApiSettings.resolve(_stack_config), plan.call)
    outputs = plan.outputs(answer)
    for report in plan.reports(answer):
        log.warning("%s", report)
    return outputs


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties as the machines take them: no `__provider`, secrets unwrapped, and the engine's
    unknowns (either form) as `UNKNOWN`."""
    return {key: _value(value) for key, value in props.items() if key != _PROVIDER_KEY}


def _value(value: Any) -> Any:
    if isinstance(value, Unknown) or value == UNKNOWN_MARKER:
        return UNKNOWN
    if is_rpc_secret(value):
        return _value(unwrap_rpc_secret(value))
    return value
