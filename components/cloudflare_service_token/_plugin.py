"""The provider plugin's host for the renewal state machines: one method per gRPC verb.

Served to every Pulumi language by `provider/__main__.py` (the server: `_plugin_server`). The
custom resources (`cloudflare-service-token:index:TokenRenewal`, `…:RenewalSchedule`,
`…:SecretRotation`) are the machines of `_machines`, exactly as library mode's dynamic providers
run them: this module only translates (camelCase names, `PropertyValue`s, the engine's unknowns
and secrets), makes the one Cloudflare call a plan names, and reports. `construct` builds the
component (`_plugin_component`).

The resources are always the component's children, so the engine names them by a URN whose type
is qualified by their parents' (`…:ServiceTokenComponent$…:TokenRenewal`); the SDK hands that
qualified type on as `request.type`, so the resource type is read from the URN's last segment.

In a preview the engine calls `create` and `update` with `preview=True`: they answer what is known
and leave the rest unknown, and never call Cloudflare.
"""

import asyncio
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final

import grpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    ConstructRequest,
    ConstructResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from . import _clock, _plugin_config, _plugin_server
from ._cloudflare_api import ApiSettings, perform
from ._errors import ServiceTokenConfigError
from ._machines import MACHINES, UNKNOWN, Machine, Plan
from ._plugin_messages import for_plugin_users
from ._schema import PACKAGE, camel, resource_type, schema_text, snake
from ._wire import is_unknown, resource_type_of, wire_value

_BY_TYPE: Final = {resource_type(machine): machine for machine in MACHINES}


class ServiceTokenProvider(Provider):
    """The `cloudflare-service-token` provider. Holds its config (credentials) in memory only."""

    def __init__(self, version: str, engine_address: str | None = None) -> None:
        super().__init__()
        self._version = version
        self._engine_address = engine_address
        self._settings: Mapping[str, Any] = {}

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema_text(self._version))

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """The provider's inputs (stack config or an explicit provider), before any resource:
        a bad setting fails the first preview, named and explained."""
        found = _plugin_config.problems(_plugin_config.given(request.new_inputs, {}))
        return CheckResponse(
            inputs=request.new_inputs,
            failures=[CheckFailure(name, reason) for name, reason in sorted(found.items())],
        )

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        given = _plugin_config.given(request.args, request.variables)
        # Replaced whole, never mutated: a call in flight keeps the settings it started with.
        self._settings = _plugin_config.resolved(given)
        return ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_resources=True, accept_outputs=True
        )

    async def check(self, request: CheckRequest) -> CheckResponse:
        machine = _machine(request.urn)
        failures = machine.check(_plain(request.old_inputs), _plain(request.new_inputs))
        return CheckResponse(
            inputs=request.new_inputs,
            failures=[
                CheckFailure(camel(f.property), for_plugin_users(f.reason)) for f in failures
            ],
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        machine = _machine(request.urn)
        decided = machine.diff(_plain(request.old_state), _plain(request.new_inputs), _clock.now())
        return DiffResponse(
            changes=decided.changes,
            replaces=[camel(name) for name in decided.replaces],
            # Stated, not left to the engine: the new resource exists before the old one goes.
            delete_before_replace=False,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        machine = _machine(request.urn)
        news = _plain(request.properties)
        plan = machine.create(news, _clock.now())
        outputs = await self._carry_out(plan, request.urn, preview=request.preview)
        resource_id = "" if request.preview else machine.resource_id(news)
        secrets = _secret_keys(request.properties)
        return CreateResponse(resource_id=resource_id, properties=_wire(machine, outputs, secrets))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        machine = _machine(request.urn)
        plan = machine.update(_plain(request.olds), _plain(request.news), _clock.now())
        outputs = await self._carry_out(plan, request.urn, preview=request.preview)
        secrets = _secret_keys(request.news)
        return UpdateResponse(properties=_wire(machine, outputs, secrets))

    async def read(self, request: ReadRequest) -> ReadResponse:
        # `pulumi refresh` (even a preview of one) runs this: it must never act on Cloudflare.
        return ReadResponse(
            resource_id=request.resource_id, properties=request.properties, inputs=request.inputs
        )

    async def delete(self, request: DeleteRequest) -> None:
        """Nothing to delete: the token itself belongs to the token resource."""

    async def construct(self, request: ConstructRequest) -> ConstructResponse:
        # The component pulls in `pulumi_cloudflare`: only a program that declares one pays.
        from ._plugin_component import construct_component

        return await construct_component(request)

    async def _carry_out(self, plan: Plan, urn: str, *, preview: bool) -> dict[str, Any]:
        if preview:
            return plan.preview()
        for warning in plan.warnings:
            await self._warn(warning, urn)
        answer = None
        if plan.call is not None:
            settings = ApiSettings.resolve(self._settings, namespace=PACKAGE)
            # The SDK's client blocks: keep the server answering other resources meanwhile.
            answer = await asyncio.to_thread(perform, settings, plan.call)
        outputs = plan.outputs(answer)
        for report in plan.reports(answer):
            await self._warn(report, urn)
        return outputs

    async def _warn(self, message: str, urn: str) -> None:
        if not self._engine_address:
            print(f"warning: {message}", file=sys.stderr)
            return
        async with grpc.aio.insecure_channel(self._engine_address) as channel:
            await engine_pb2_grpc.EngineStub(channel).Log(
                engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn)
            )


def _machine(urn: str) -> type[Machine]:
    kind = resource_type_of(urn)
    machine = _BY_TYPE.get(kind)
    if machine is None:
        raise ServiceTokenConfigError(
            f"unknown resource type {kind!r} (URN {urn!r}); this provider serves "
            f"{', '.join(_BY_TYPE)}: is the plugin older than the SDK that declared it?"
        )
    return machine


def _plain(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Properties as the machines take them: Python names, secrets unwrapped, unknowns UNKNOWN."""
    return {snake(key): _value(value) for key, value in props.items() if not key.startswith("__")}


def _value(prop: PropertyValue) -> Any:
    return UNKNOWN if is_unknown(prop) else prop.value


def _secret_keys(props: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The properties given as secrets, under the machines' names."""
    return frozenset(snake(key) for key, value in props.items() if value.is_secret)


def _wire(
    machine: type[Machine], outputs: Mapping[str, Any], secret_inputs: frozenset[str] = frozenset()
) -> dict[str, PropertyValue]:
    """Outputs as the engine takes them. This plugin accepts secrets, so keeping them secret is
    its job: an input that came in secret (an `accountId` from a secret config value) goes back
    out secret, as do the machine's own secret outputs."""
    return {
        camel(key): PropertyValue(
            wire_value(value), is_secret=key in machine.secret_outputs or key in secret_inputs
        )
        for key, value in outputs.items()
    }


def serve(argv: Sequence[str], version: str) -> None:
    """Run the plugin as the engine starts it: `<entry point> [engine flags] <engine address>`."""
    _plugin_server.run(argv[1:], version, lambda address: ServiceTokenProvider(version, address))
