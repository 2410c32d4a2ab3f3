"""A mock monitor that keeps every resource registration, so tests can assert resource options.

`MockResourceArgs` carries no options; the raw `RegisterResource` request does.
"""

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, Mocks


@dataclass(frozen=True)
class Registration:
    """One `RegisterResource` request, with the options tests care about."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    provider: str
    providers: dict[str, str]
    protect: bool
    delete_before_replace: bool
    delete_before_replace_defined: bool
    additional_secret_outputs: list[str]
    replacement_trigger: Any
    import_id: str
    aliases: list[dict[str, Any]]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)


class RecordingMonitor(MockMonitor):
    """Answers like `MockMonitor` and records each registration in `registrations`, and what
    each component registered as its outputs in `registered_outputs` (by URN; secrets stay
    wrapped, as the engine would store them encrypted).

    Like the engine, it refuses a second resource (or read) with a URN already used in the run.
    """

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self._urns: set[str] = set()

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self._claim(self.make_urn(request.parent, request.type, request.name))
        return super().ReadResource(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self._claim(self.make_urn(request.parent, request.type, request.name))
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self._record(request, response.urn)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.registered_outputs[request.urn] = rpc.deserialize_properties(
            request.outputs, keep_unknowns=True
        )
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

    def _record(self, request: Any, urn: str) -> None:
        trigger = request.replacement_trigger if request.HasField("replacement_trigger") else None
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=urn,
                parent=request.parent,
                custom=request.custom,
                inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                provider=request.provider,
                providers=dict(request.providers),
                protect=request.protect,
                delete_before_replace=request.deleteBeforeReplace,
                delete_before_replace_defined=request.deleteBeforeReplaceDefined,
                additional_secret_outputs=list(request.additionalSecretOutputs),
                replacement_trigger=(
                    None
                    if trigger is None
                    else rpc.deserialize_property(json_format.MessageToDict(trigger), True)
                ),
                import_id=request.importId,
                aliases=[json_format.MessageToDict(a) for a in request.aliases],
                dependencies=list(request.dependencies),
                property_dependencies={
                    key: list(value.urns) for key, value in request.propertyDependencies.items()
                },
                ignore_changes=list(request.ignoreChanges),
            )
        )

    def _claim(self, urn: str) -> None:
        if urn in self._urns:
            raise ValueError(
                f"Duplicate resource URN '{urn}'; try giving it a unique name (the engine refuses "
                f"two resources or reads with one URN in a deployment)"
            )
        self._urns.add(urn)

    def find(self, type_suffix: str) -> list[Registration]:
        """Registrations whose type ends with `type_suffix`, e.g. ':ZeroTrustAccessServiceToken'."""
        return [r for r in self.registrations if r.type.endswith(type_suffix)]

    def one(self, type_suffix: str) -> Registration:
        """The single registration whose type ends with `type_suffix`."""
        found = self.find(type_suffix)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_suffix} registration, found {len(found)}")
        return found[0]
