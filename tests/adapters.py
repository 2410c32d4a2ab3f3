"""The two hosts of the renewal state machines behind one interface, so one scenario table runs
against both: library mode's dynamic providers (through the SDK's dynamic-provider servicer) and
the provider plugin's custom resources (through the SDK's provider servicer). Both take and give
plain values under the machines' snake_case names; each translates as its engine would.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol

from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from cloudflare_service_token._machines import MACHINES, Machine
from cloudflare_service_token._providers import (
    RenewalScheduleProvider,
    SecretRotationProvider,
    TokenRenewalProvider,
)
from cloudflare_service_token._schema import camel, resource_type, snake
from tests.dynamic_harness import PROVIDER_KEY, DynamicProviderHarness, serve_dynamic_providers
from tests.plugin_harness import PluginClient, serve_plugin

_MACHINE = {machine.kind: machine for machine in MACHINES}


class Adapter(Protocol):
    name: str

    def configure(self, api_token: str, base_url: str) -> None: ...

    def check(
        self, kind: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]: ...

    def diff(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[bool | None, list[str]]: ...

    def create(self, kind: str, news: Mapping[str, Any]) -> tuple[str, dict[str, Any]]: ...

    def update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]: ...

    def preview_update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """What a preview shows after a diff with changes; None when the engine does not ask
        the host (a provider without preview support)."""
        ...

    def read(self, kind: str, id_: str, props: Mapping[str, Any]) -> dict[str, Any]: ...

    def delete(self, kind: str, id_: str, props: Mapping[str, Any]) -> None: ...


class DynamicAdapter:
    name = "dynamic"
    _providers: ClassVar[dict[str, type]] = {
        "TokenRenewal": TokenRenewalProvider,
        "RenewalSchedule": RenewalScheduleProvider,
        "SecretRotation": SecretRotationProvider,
    }

    def __init__(self, harness: DynamicProviderHarness) -> None:
        self._harness = harness
        self._pickled = {kind: serialize_provider(cls()) for kind, cls in self._providers.items()}

    def configure(self, api_token: str, base_url: str) -> None:
        self._harness.configure({"cloudflare:apiToken": api_token, "cloudflare:baseUrl": base_url})

    def _with_provider(self, kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: self._pickled[kind]}

    def check(
        self, kind: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        stub = self._harness._stub
        response = stub.Check(
            provider_pb2.CheckRequest(
                olds=self._harness._struct(self._with_provider(kind, olds)),
                news=self._harness._struct(self._with_provider(kind, news)),
            )
        )
        return [(f.property, f.reason) for f in response.failures]

    def diff(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[bool | None, list[str]]:
        decided = self._harness.diff(
            id_, self._with_provider(kind, olds), self._with_provider(kind, news)
        )
        return decided.changes, decided.replaces

    def create(self, kind: str, news: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        id_, outputs = self._harness.create(self._with_provider(kind, news))
        return id_, _without_provider(outputs)

    def update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        return _without_provider(
            self._harness.update(
                id_, self._with_provider(kind, olds), self._with_provider(kind, news)
            )
        )

    def preview_update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        return None  # dynamic providers do not support preview: the engine never calls them

    def read(self, kind: str, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return _without_provider(self._harness.read(id_, self._with_provider(kind, props))[1])

    def delete(self, kind: str, id_: str, props: Mapping[str, Any]) -> None:
        self._harness.delete(id_, self._with_provider(kind, props))


class PluginAdapter:
    name = "plugin"

    def __init__(self, client: PluginClient) -> None:
        self.client = client

    def configure(self, api_token: str, base_url: str) -> None:
        self.client.configure({"apiToken": api_token, "baseUrl": base_url})

    def check(
        self, kind: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        failures = self.client.check(_type(kind), _camel(olds), _camel(news))
        return [(snake(prop), reason) for prop, reason in failures]

    def diff(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[bool | None, list[str]]:
        decided = self.client.diff(
            _type(kind), id_, _camel(olds), _camel(news), _secrets(_MACHINE[kind])
        )
        assert decided.delete_before_replace is False
        return decided.changes, [snake(name) for name in decided.replaces]

    def create(self, kind: str, news: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        created = self.client.create(_type(kind), _camel(news))
        _assert_secrets_marked(_MACHINE[kind], created.secret)
        return created.id, _snake(created.properties)

    def update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        machine = _MACHINE[kind]
        updated = self.client.update(
            _type(kind), id_, _camel(olds), _camel(news), secrets=_secrets(machine)
        )
        _assert_secrets_marked(machine, updated.secret)
        return _snake(updated.properties)

    def preview_update(
        self, kind: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        machine = _MACHINE[kind]
        previewed = self.client.update(
            _type(kind),
            id_,
            _camel(olds),
            _camel(news),
            preview=True,
            secrets=_secrets(machine),
        )
        _assert_secrets_marked(machine, previewed.secret)
        return _snake(previewed.properties)

    def read(self, kind: str, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return _snake(self.client.read(_type(kind), id_, _camel(props)).properties)

    def delete(self, kind: str, id_: str, props: Mapping[str, Any]) -> None:
        self.client.delete(_type(kind), id_, _camel(props))


@contextmanager
def serve_adapter(name: str) -> Iterator[Adapter]:
    if name == "dynamic":
        with serve_dynamic_providers() as harness:
            yield DynamicAdapter(harness)
    else:
        with serve_plugin() as client:
            yield PluginAdapter(client)


ADAPTERS = ("dynamic", "plugin")


def _type(kind: str) -> str:
    return resource_type(_MACHINE[kind])


def _camel(props: Mapping[str, Any]) -> dict[str, Any]:
    return {camel(key): value for key, value in props.items()}


def _snake(props: Mapping[str, Any]) -> dict[str, Any]:
    return {snake(key): value for key, value in props.items()}


def _secrets(machine: type[Machine]) -> tuple[str, ...]:
    return tuple(camel(key) for key in machine.secret_outputs)


def _assert_secrets_marked(machine: type[Machine], marked: frozenset[str]) -> None:
    missing = set(_secrets(machine)) - marked
    assert not missing, f"{machine.kind}: {sorted(missing)} not marked secret"


def _without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in props.items() if key != PROVIDER_KEY}
