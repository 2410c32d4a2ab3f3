"""Drive the provider plugin as the engine does, sending what the engine sends.

`serve_plugin` serves it in-process (`tests/in_process.py`), through the same servicer the
plugin's entry point serves, so the clock seam and the fake Cloudflare API apply: the many fast
cases. `PluginClient` is the engine's side; it drives the plugin in a subprocess too
(`tests/hosts.py`), for the few cases that prove the wiring.

The requests carry the engine's shapes (`tests/engine_shapes.py`, where each cites the engine's
source): the component's children under URNs qualified by its type, values as the engine
marshals them, Configure's `args` and `variables`, Construct's output values and aliases.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import grpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import MockResourceArgs, Mocks
from pulumi.runtime.proto import alias_pb2, provider_pb2, provider_pb2_grpc

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token._plugin import ServiceTokenProvider
from cloudflare_service_token._plugin_server import PluginServicer, start
from cloudflare_service_token._schema import COMPONENT_TYPE, PACKAGE
from cloudflare_service_token.testing import FakeCloudflareApi, RecordingMonitor
from tests.conftest import ACCOUNT_ID, NOW
from tests.engine_shapes import (
    UNKNOWN_MARKERS,
    OutputValue,
    Secret,
    address,
    config_variables,
    send_check,
    struct,
)
from tests.hosts import serve_monitor
from tests.in_process import serve_in_process
from tests.machine_inputs import TOKEN_ID

VERSION = "0.2.0"
STACK, PROJECT = "dev", "consumer"
ROOT_STACK: Final = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
COMPONENT_NAME: Final = "ci"
# The plugin's custom resources, as a program's SDK names them (written out, not read from the
# plugin's schema, so that a renamed type fails here).
TRACKER: Final = "cloudflare-service-token:index:TokenRenewal"
SCHEDULE: Final = "cloudflare-service-token:index:RenewalSchedule"
ROTATION: Final = "cloudflare-service-token:index:SecretRotation"
_API_TOKEN: Final = "plugin-test-api-token"


# -- URNs ---------------------------------------------------------------------------------------


def component_urn(name: str = COMPONENT_NAME) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{COMPONENT_TYPE}::{name}"


def child_urn(type_: str, name: str | None = None) -> str:
    """The URN of one of the component's custom resources, its type qualified by the
    component's, named as the component names it (`<component>-renewal`, …)."""
    kind = type_.rsplit(":", 1)[-1]
    suffix = {"TokenRenewal": "renewal", "RenewalSchedule": "schedule"}.get(kind, "rotation")
    return f"urn:pulumi:{STACK}::{PROJECT}::{COMPONENT_TYPE}${type_}::" + (
        name or f"{COMPONENT_NAME}-{suffix}"
    )


# -- answers -----------------------------------------------------------------------------------


def from_wire(prop: PropertyValue) -> Any:
    """A value the plugin answered, as the engine reads it: every unknown marker is UNKNOWN."""
    value = prop.value
    if isinstance(value, str) and value in UNKNOWN_MARKERS:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [from_wire(v) for v in value]
    return value


@dataclass(frozen=True)
class Answer:
    """Properties the plugin answered: plain values, and which of them it marked secret."""

    id: str
    properties: dict[str, Any]
    secret: frozenset[str]


def answer(id_: str, wire: Any) -> Answer:
    values = PropertyValue.unmarshal_map(wire)
    return Answer(
        id_,
        {k: from_wire(v) for k, v in values.items()},
        frozenset(k for k, v in values.items() if v.is_secret),
    )


@dataclass(frozen=True)
class Diff:
    changes: bool | None
    replaces: list[str]
    delete_before_replace: bool


class PluginClient:
    """The engine's side of the plugin's gRPC: camelCase names, plain values (or `Secret`,
    `OutputValue`, UNKNOWN), the engine's URNs."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def schema(self) -> str:
        return str(self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)

    def check_config(self, args: Mapping[str, Any]) -> list[tuple[str, str]]:
        urn = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:{PACKAGE}::default"
        return send_check(self.stub.CheckConfig, urn, {}, args)

    def configure(
        self, args: Mapping[str, Any], *, variables: Mapping[str, str] | None = None
    ) -> Any:
        """Configure as the engine does: an explicit provider's typed inputs (wrap credentials
        in `Secret`), each again in `variables` unless these are given (an older engine's
        form)."""
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct(args),
                variables=(
                    config_variables(PACKAGE, args) if variables is None else dict(variables)
                ),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
            )
        )

    def configure_from_stack_config(
        self, config: Mapping[str, str], secret_keys: tuple[str, ...] = ("apiToken", "apiKey")
    ) -> Any:
        """The default provider's Configure: each `cloudflare-service-token:<key>` of the stack
        config as text, the secret ones secret."""
        return self.configure(
            {key: Secret(value) if key in secret_keys else value for key, value in config.items()}
        )

    def check(
        self, type_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        return send_check(self.stub.Check, child_urn(type_), olds, news)

    def diff(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        secrets: tuple[str, ...] = (),
    ) -> Diff:
        response = self.stub.Diff(
            provider_pb2.DiffRequest(
                **address(child_urn(type_)),
                id=id_,
                olds=struct(olds, secrets),
                news=struct(news),
            )
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return Diff(changes, list(response.replaces), response.deleteBeforeReplace)

    def create(self, type_: str, props: Mapping[str, Any], *, preview: bool = False) -> Answer:
        response = self.stub.Create(
            provider_pb2.CreateRequest(
                **address(child_urn(type_)), properties=struct(props), preview=preview
            )
        )
        return answer(response.id, response.properties)

    def update(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        preview: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> Answer:
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                **address(child_urn(type_)),
                id=id_,
                olds=struct(olds, secrets),
                news=struct(news),
                preview=preview,
            )
        )
        return answer(id_, response.properties)

    def read(self, type_: str, id_: str, props: Mapping[str, Any]) -> Answer:
        response = self.stub.Read(
            provider_pb2.ReadRequest(**address(child_urn(type_)), id=id_, properties=struct(props))
        )
        return answer(response.id, response.properties)

    def delete(self, type_: str, id_: str, props: Mapping[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                **address(child_urn(type_)), id=id_, properties=struct(props)
            )
        )

    def construct(
        self,
        monitor: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        parent: str = ROOT_STACK,
        preview: bool = False,
        protect: bool = False,
        aliases: tuple[alias_pb2.Alias, ...] = (),
    ) -> tuple[str, dict[str, PropertyValue]]:
        """Construct the component as the engine asks for a remote component. `inputs` values
        are plain, `Secret`, `OutputValue` or UNKNOWN; an output value's dependencies are also
        the input's property dependencies, as the program registered them."""
        dependencies = {
            key: provider_pb2.ConstructRequest.PropertyDependencies(urns=value.dependencies)
            for key, value in inputs.items()
            if isinstance(value, OutputValue) and value.dependencies
        }
        response = self.stub.Construct(
            provider_pb2.ConstructRequest(
                project=PROJECT,
                stack=STACK,
                monitorEndpoint=monitor,
                dryRun=preview,
                type=COMPONENT_TYPE,
                name=name,
                parent=parent,
                inputs=struct(inputs),
                inputDependencies=dependencies,
                protect=protect,
                aliases=list(aliases),
                accepts_output_values=True,
            )
        )
        return response.urn, PropertyValue.unmarshal_map(response.state)


class PreviewMocks(Mocks):
    """What the engine answers in a preview: nothing new exists, so no outputs beyond inputs."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return "", dict(args.inputs)

    def call(self, args: Any) -> tuple[dict[str, Any], None]:
        return {}, None


def construct_recorded(
    client: PluginClient, mocks: Mocks, inputs: Mapping[str, Any], **options: Any
) -> tuple[RecordingMonitor, str, dict[str, PropertyValue]]:
    """Construct `inputs` as the engine would, against a recording monitor answering with
    `mocks`; the monitor keeps every registration the component made."""
    monitor = RecordingMonitor(mocks)
    with serve_monitor(monitor) as address:
        urn, state = client.construct(address, COMPONENT_NAME, inputs, **options)
    return monitor, urn, state


@contextmanager
def serve_plugin(engine_address: str = "") -> Iterator[PluginClient]:
    """A fresh plugin on a free loopback port, its event loop on a thread, for one test."""

    async def begin() -> tuple[grpc.aio.Server, int]:
        provider = ServiceTokenProvider(VERSION, engine_address or None)
        return await start(PluginServicer([], VERSION, provider, engine_address))

    with serve_in_process(begin, "the in-process plugin") as stub:
        yield PluginClient(stub)


@contextmanager
def serve_configured_plugin() -> Iterator[PluginClient]:
    """A fresh plugin configured against a fake Cloudflare that holds the token `TOKEN_ID`:
    tracking a rotation reads it."""
    api = FakeCloudflareApi(api_token=_API_TOKEN, now=lambda: NOW)
    api.add_token(account_id=ACCOUNT_ID, token_id=TOKEN_ID)
    with api.serve() as base_url, serve_plugin() as served:
        served.configure({"apiToken": _API_TOKEN, "baseUrl": base_url})
        yield served
