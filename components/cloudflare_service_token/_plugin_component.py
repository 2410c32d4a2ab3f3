"""`construct` of the component for other languages: the same `ServiceTokenComponent`, with the
plugin's custom resources in place of library mode's dynamic ones.

Translates the engine's `PropertyValue`s (camelCase, secret, unknown, with dependencies) into
the component's arguments, and its outputs back, keeping every secret secret. The server has
already made the engine's output values and aliases readable (`_plugin_server`, `_wire`).
"""

import asyncio
from typing import Any, TypeVar, cast

import pulumi
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConstructRequest, ConstructResponse
from pulumi.resource import DependencyResource

from ._args import ServiceTokenArgs
from ._component import ServiceTokenComponent
from ._errors import ServiceTokenConfigError
from ._plugin_resources import PluginRenewalSchedule, PluginSecretRotation, PluginTokenRenewal
from ._schema import COMPONENT_INPUTS, COMPONENT_OUTPUTS, COMPONENT_TYPE, Field
from ._wire import is_unknown, unknown, wire_value

T = TypeVar("T")
_FIELDS = {field.camel: field for field in COMPONENT_INPUTS}


class PluginServiceTokenComponent(ServiceTokenComponent):
    _TokenRenewal = PluginTokenRenewal
    _RenewalSchedule = PluginRenewalSchedule
    _SecretRotation = PluginSecretRotation


async def construct_component(request: ConstructRequest) -> ConstructResponse:
    """Build the component; its errors are library mode's, which the server words for plugin
    users (`_plugin_messages`)."""
    if request.resource_type != COMPONENT_TYPE:
        raise ServiceTokenConfigError(
            f"unknown component type {request.resource_type!r}; this provider constructs "
            f"{COMPONENT_TYPE}"
        )
    args = component_args(request.inputs)
    component = PluginServiceTokenComponent(request.name, args, request.options)
    state = {
        field.camel: await property_value(getattr(component, field.name), secret=field.secret)
        for field in COMPONENT_OUTPUTS
    }
    urn = await component.urn.future()
    assert urn is not None  # a registered component always has one
    return ConstructResponse(urn=urn, state=state, state_dependencies={})


def component_args(inputs: dict[str, PropertyValue]) -> ServiceTokenArgs:
    unknown = sorted(set(inputs) - set(_FIELDS))
    if unknown:
        raise ServiceTokenConfigError(
            f"unknown argument(s) {', '.join(unknown)}; the arguments are {', '.join(_FIELDS)}."
        )
    args: dict[str, Any] = {}
    for name, prop in inputs.items():
        field = _FIELDS[name]
        if prop.value is None and not prop.is_secret:
            continue  # unset, as in library mode
        args[field.name] = _plain_argument(field, prop) if field.plain else _input(field, prop)
    return cast(ServiceTokenArgs, args)


def _plain_argument(field: Field, prop: PropertyValue) -> Any:
    if is_unknown(prop) or prop.is_secret:
        problem = "is not known yet" if is_unknown(prop) else "is a secret"
        raise ServiceTokenConfigError(
            f"`{field.camel}` {problem}, but it decides which resources the component declares: "
            f"pass a plain value (a literal or config), not another resource's output or a secret."
        )
    return _python(field, prop)


def _input(field: Field, prop: PropertyValue) -> pulumi.Input[Any]:
    """A plain value when it is one; else an Output carrying its secrecy, unknown-ness and the
    resources it came from."""
    known = not is_unknown(prop)
    if known and not prop.is_secret and not prop.dependencies:
        return _python(field, prop)
    return pulumi.Output(
        {DependencyResource(urn) for urn in prop.dependencies},
        _resolved(_python(field, prop) if known else None),
        _resolved(known),
        _resolved(prop.is_secret),
    )


def _python(field: Field, prop: PropertyValue) -> Any:
    value = prop.value
    if isinstance(value, tuple):
        return [item.value for item in value]
    if field.type.value == "integer" and isinstance(value, float):
        if not value.is_integer():
            raise ServiceTokenConfigError(
                f"`{field.camel}` ({value}) must be a whole number; drop the fraction."
            )
        return int(value)
    return value


def _resolved(value: T) -> "asyncio.Future[T]":
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


async def property_value(output: pulumi.Input[Any], *, secret: bool) -> PropertyValue:
    """An output of the component as the engine takes it; `secret` forces secrecy on."""
    if not isinstance(output, pulumi.Output):
        return PropertyValue(wire_value(output), is_secret=secret)
    resources = await output.resources()
    dependencies = [urn for r in resources if (urn := await r.urn.future()) is not None]
    is_secret = secret or await output.is_secret()
    if not await output.is_known():
        return unknown(secret=is_secret, dependencies=frozenset(dependencies))
    value = await output.future(with_unknowns=True)
    return PropertyValue(wire_value(value), is_secret=is_secret, dependencies=dependencies)
