"""What the stand-in's three resource types share: their input fields, how a change is judged
(in place or by replacement, as pulumi-cloudflare 6 judges it), a create's preview, and how Read
(an import too) and Delete find the resource, 404 included.

Values here are plain Python (camelCase keys, secrets unwrapped); a value the engine does not
know yet is `UNKNOWN`. The gRPC side (`_provider`) translates; the types (`_service_token`,
`_access_policy`, `_notification_policy`) decide.
"""

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ..._machines import UNKNOWN
from ._errors import LocalCloudflareError
from ._http import CloudflareCallError

__all__ = ["UNKNOWN", "Api", "Change", "Field", "Found", "Kind"]

Values = Mapping[str, Any]


class Api(Protocol):
    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any: ...


@dataclass(frozen=True)
class Field:
    """One input property, by pulumi-cloudflare's wire name.

    `replaces`: a change replaces the resource (Terraform's RequiresReplace). `default`: what
    leaving it out means (Terraform's Default), so leaving it out of a program that had set it
    is a change. `computed`: left out, Cloudflare keeps what it has, which is no change.
    """

    name: str
    replaces: bool = False
    required: bool = False
    default: Any = None
    computed: bool = False

    def planned(self, news: Values) -> Any:
        """The value the program asks for: given, else the default; None when left out."""
        given = news.get(self.name)
        return self.default if given is None else given


@dataclass(frozen=True)
class Change:
    """One input the program changes: `kind` is add, update or delete."""

    name: str
    kind: str
    replaces: bool


@dataclass(frozen=True)
class Found:
    """What a Read found: the resource's id, its outputs, and the inputs it implies."""

    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any]


class Kind(ABC):
    """One resource type: its token, inputs, secret outputs, and one method per operation.

    A type says where its resources live (`collection`), what a Read's answer means
    (`read_outputs`), the import ids it takes (`import_shapes`, `imported`), and what only
    Cloudflare can say about a new one (`unknown_until_created`); reading and deleting by id are
    the same for every type.
    """

    type: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    secret_outputs: ClassVar[frozenset[str]] = frozenset()
    unknown_until_created: ClassVar[tuple[str, ...]]
    import_shapes: ClassVar[tuple[str, ...]]

    def check(self, news: Values) -> list[tuple[str, str]]:
        """(property, reason) for each input the stand-in cannot take."""
        names = {f.name for f in self.fields}
        failures = [
            (
                key,
                f"{key} is not modeled by the local Cloudflare stand-in; it takes "
                f"{', '.join(sorted(names))}",
            )
            for key, value in news.items()
            if key not in names and not key.startswith("__") and value is not None
        ]
        failures += [
            (f.name, f"{f.name} is required")
            for f in self.fields
            if f.required and news.get(f.name) is None
        ]
        return failures + self.check_values(news)

    def check_values(self, news: Values) -> list[tuple[str, str]]:
        return []

    def diff(self, olds: Values, news: Values, ignore: Collection[str] = ()) -> list[Change]:
        """The inputs the program wants other than the state has them (`olds`: old outputs)."""
        changes = []
        for name, new in self.wanted(news, olds, ignore).items():
            old = olds.get(name)
            if not same(old, new):  # an unknown is never the same as a value
                kind = "add" if _empty(old) else "delete" if _empty(new) else "update"
                changes.append(Change(name, kind, self._replaces(name)))
        return changes

    def wanted(self, news: Values, olds: Values, ignore: Collection[str] = ()) -> dict[str, Any]:
        """Every input as the program wants it applied: as planned, except what the program
        ignores (`ignoreChanges`) or leaves to Cloudflare, which stays as the state has it."""
        wanted = {}
        for f in self.fields:
            planned = f.planned(news)
            kept = f.name in ignore or (planned is None and f.computed)
            wanted[f.name] = olds.get(f.name) if kept else planned
        return wanted

    @abstractmethod
    def collection(self, scope: Values) -> str:
        """The API path of this type's resources in the account (or zone) `scope` names by its
        `accountId` (or `zoneId`): inputs, outputs or an import's scope alike."""

    @abstractmethod
    def read_outputs(self, found: Values, scope: Values, olds: Values) -> dict[str, Any]:
        """The outputs a Read implies from Cloudflare's answer `found`, in `scope`, with the
        state `olds` (empty for an import) for what Cloudflare never answers."""

    @abstractmethod
    def create(self, api: Api, news: Values) -> tuple[str, dict[str, Any]]: ...

    def preview_create(self, news: Values) -> dict[str, Any]:
        """Every input as planned; what only Cloudflare can say, unknown."""
        return {
            **self.planned_inputs(news),
            **dict.fromkeys(self.unknown_until_created, UNKNOWN),
        }

    @abstractmethod
    def update(
        self, api: Api, id_: str, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]: ...

    @abstractmethod
    def preview_update(
        self, olds: Values, news: Values, ignore: Collection[str] = ()
    ) -> dict[str, Any]: ...

    def read(self, api: Api, id_: str, olds: Values, old_inputs: Values) -> Found | None:
        """None when Cloudflare has no such resource. With no `olds` it is an import, and
        `id_` is the import id."""
        scope, id_ = (olds, id_) if olds else self.imported(id_)
        found = get_or_none(api, f"{self.collection(scope)}/{id_}")
        if found is None:
            return None
        outputs = self.read_outputs(found, scope, olds)
        return Found(found["id"], outputs, self.read_inputs(outputs, old_inputs))

    def imported(self, id_: str) -> tuple[dict[str, Any], str]:
        """The scope and the resource id an import id names: by default an account's resource,
        `<account_id>/<id>`."""
        account_id, resource_id = split_import_id(id_, self.import_shapes)
        return {"accountId": account_id}, resource_id

    def delete(self, api: Api, id_: str, olds: Values) -> None:
        delete_if_present(api, f"{self.collection(olds)}/{id_}")

    def planned_inputs(self, news: Values) -> dict[str, Any]:
        """Every input as planned; a computed one left out is for Cloudflare to say."""
        return {
            f.name: UNKNOWN if f.planned(news) is None and f.computed else f.planned(news)
            for f in self.fields
        }

    def read_inputs(self, outputs: Values, old_inputs: Values) -> dict[str, Any]:
        """The inputs a Read implies: on refresh, the old inputs with what Cloudflare reports
        now; on import, every input Cloudflare has a value for, for the engine to compare with
        the program."""
        if old_inputs:
            return {key: outputs.get(key, value) for key, value in old_inputs.items()}
        return {f.name: outputs[f.name] for f in self.fields if not _empty(outputs.get(f.name))}

    def _replaces(self, name: str) -> bool:
        return any(f.replaces for f in self.fields if f.name == name)


def get_or_none(api: Api, path: str) -> Any:
    """The resource at `path`, or None when Cloudflare answers 404 (it is gone)."""
    try:
        return api.call("GET", path)
    except CloudflareCallError as error:
        if error.status == 404:
            return None
        raise


def delete_if_present(api: Api, path: str) -> None:
    """Delete; a 404 means it is gone already, which is what a delete wants."""
    try:
        api.call("DELETE", path)
    except CloudflareCallError as error:
        if error.status != 404:
            raise


def split_import_id(id_: str, shapes: tuple[str, ...]) -> list[str]:
    """An import id's parts, or a refusal naming the shapes this type takes."""
    parts = id_.split("/")
    if len(parts) == shapes[0].count("/") + 1 and all(parts):
        return parts
    raise bad_import_id(id_, shapes)


def bad_import_id(id_: str, shapes: tuple[str, ...]) -> LocalCloudflareError:
    return LocalCloudflareError(f"import id {id_!r} is not of the form {' or '.join(shapes)}")


def same(old: Any, new: Any) -> bool:
    """Equal as Cloudflare sees it: an empty list or object is no value, numbers are numbers."""
    if _empty(old) or _empty(new):
        return _empty(old) and _empty(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = {k for side in (old, new) for k, v in side.items() if v is not None}
        return all(same(old.get(k), new.get(k)) for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, list | dict) and not value)
