"""The stand-in's gRPC face: pulumi-cloudflare 6's three resource types that the component
declares, one short method per verb, on the SDK's experimental `Provider`.

This module only translates: the engine's property values to plain values and back (secrets,
the engine's unknown marker), the URN to the resource's own type, preview to no call at all. What
a change means and which calls to make belong to the types (`_service_token`, `_access_policy`,
`_notification_policy`).
"""

import asyncio
import os
from collections.abc import Mapping
from typing import Any, Final

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..._wire import is_unknown, resource_type_of, wire_value
from ._access_policy import AccessPolicy
from ._errors import LocalCloudflareError
from ._http import CloudflareHttp
from ._kind import UNKNOWN, Change, Kind
from ._notification_policy import NotificationPolicy
from ._service_token import ServiceToken
from ._settings import loopback_problem, resolve_connection

KINDS: Final[dict[str, Kind]] = {
    k.type: k for k in (ServiceToken(), AccessPolicy(), NotificationPolicy())
}
_DIFF_KINDS: Final = {
    ("add", False): PropertyDiffKind.ADD,
    ("add", True): PropertyDiffKind.ADD_REPLACE,
    ("delete", False): PropertyDiffKind.DELETE,
    ("delete", True): PropertyDiffKind.DELETE_REPLACE,
    ("update", False): PropertyDiffKind.UPDATE,
    ("update", True): PropertyDiffKind.UPDATE_REPLACE,
}


class LocalCloudflareProvider(Provider):
    """The `cloudflare` provider for tests and demos: Cloudflare is the fake API on loopback.

    DiffConfig is the SDK's: it answers "unknown", so the engine compares the config itself and
    updates the provider when it changes (a new fake API port each run), never replacing it and
    the resources under it. (The SDK's DiffConfig would put a bool into the reply's enum, so an
    explicit True reads as "no change"; checked with pulumi 3.272.)
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._environ = os.environ if environ is None else environ
        self._api: CloudflareHttp | None = None

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        base_url = _plain(request.new_inputs).get("baseUrl")
        problem = loopback_problem(base_url) if isinstance(base_url, str) else ""
        failures = [CheckFailure("baseUrl", problem)] if problem else []
        return CheckResponse(inputs=request.new_inputs, failures=failures)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        connection = resolve_connection(_plain(request.args), request.variables, self._environ)
        self._api = CloudflareHttp(connection)
        return ConfigureResponse(accept_secrets=True, supports_preview=True)

    async def check(self, request: CheckRequest) -> CheckResponse:
        failures = _kind(request.urn).check(_plain(request.new_inputs))
        return CheckResponse(
            inputs=request.new_inputs, failures=[CheckFailure(p, r) for p, r in failures]
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        olds, news = _plain(request.old_state), _plain(request.new_inputs)
        changes = _kind(request.urn).diff(olds, news, frozenset(request.ignore_changes))
        return DiffResponse(
            changes=bool(changes),
            replaces=[c.name for c in changes if c.replaces],
            diffs=[c.name for c in changes],
            detailed_diff={c.name: _property_diff(c) for c in changes},
            # Cloudflare refuses to delete a token a policy still includes: the new one first.
            delete_before_replace=False,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        kind, news = _kind(request.urn), _plain(request.properties)
        if request.preview:
            return CreateResponse("", _wire(kind.preview_create(news), kind, request.properties))
        resource_id, outputs = await asyncio.to_thread(kind.create, self._connected(), news)
        return CreateResponse(resource_id, _wire(outputs, kind, request.properties))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        kind, olds, news = _kind(request.urn), _plain(request.olds), _plain(request.news)
        ignore = frozenset(request.ignore_changes)
        if request.preview:
            outputs = kind.preview_update(olds, news, ignore)
        else:
            api, id_ = self._connected(), request.resource_id
            outputs = await asyncio.to_thread(kind.update, api, id_, olds, news, ignore)
        return UpdateResponse(_wire(outputs, kind, request.news, request.olds))

    async def read(self, request: ReadRequest) -> ReadResponse:
        kind, olds = _kind(request.urn), _plain(request.properties)
        found = await asyncio.to_thread(
            kind.read, self._connected(), request.resource_id, olds, _plain(request.inputs)
        )
        if found is None:
            return ReadResponse(resource_id="")  # gone: the engine drops it from the state
        return ReadResponse(
            found.id,
            _wire(found.outputs, kind, request.properties, request.inputs),
            _wire(found.inputs, kind, request.inputs),
        )

    async def delete(self, request: DeleteRequest) -> None:
        kind, olds = _kind(request.urn), _plain(request.properties)
        await asyncio.to_thread(kind.delete, self._connected(), request.resource_id, olds)

    def _connected(self) -> CloudflareHttp:
        if self._api is None:
            raise LocalCloudflareError("the local Cloudflare stand-in was not configured")
        return self._api


def _kind(urn: str) -> Kind:
    type_ = resource_type_of(urn)
    kind = KINDS.get(type_)
    if kind is None:
        raise LocalCloudflareError(
            f"the local Cloudflare stand-in does not serve {type_!r}: it serves only "
            f"{', '.join(KINDS)}"
        )
    return kind


def _plain(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Properties as the types take them: secrets unwrapped, unknowns UNKNOWN."""
    return {key: _value(prop) for key, prop in props.items() if not key.startswith("__")}


def _value(prop: PropertyValue) -> Any:
    if is_unknown(prop):
        return UNKNOWN
    if isinstance(prop.value, Mapping):
        return {key: _value(item) for key, item in prop.value.items()}
    if isinstance(prop.value, list | tuple):
        return [_value(item) for item in prop.value]
    return prop.value


def _wire(
    values: Mapping[str, Any], kind: Kind, *sources: Mapping[str, PropertyValue]
) -> dict[str, PropertyValue]:
    """Values onto the wire, secret where the type says so or where what they came from was
    (the engine leaves secrecy to a provider that accepts secrets)."""
    secret = set(kind.secret_outputs)
    for source in sources:
        secret |= {key for key, prop in source.items() if prop.contains_secret()}
    return {
        key: PropertyValue(wire_value(value), is_secret=key in secret)
        for key, value in values.items()
    }


def _property_diff(change: Change) -> PropertyDiff:
    return PropertyDiff(_DIFF_KINDS[change.kind, change.replaces], input_diff=True)
