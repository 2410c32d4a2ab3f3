"""Cloudflare Access service tokens as a Pulumi component.

The public names load on first use. Pulumi's renewal host imports
`cloudflare_service_token._providers` on every preview and up, and importing a submodule runs
this file first: an eager import here would drag in `pulumi_cloudflare` (seconds, and most of the
host's memory) for resources that never use it. Type checkers and IDEs see the names through the
`TYPE_CHECKING` imports below.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._args import ServiceTokenArgs
    from ._component import ServiceTokenComponent
    from ._errors import ServiceTokenConfigError
    from ._export import ServiceTokenReference, export_service_token

_HOMES = {
    "ServiceTokenArgs": "._args",
    "ServiceTokenComponent": "._component",
    "ServiceTokenConfigError": "._errors",
    "ServiceTokenReference": "._export",
    "export_service_token": "._export",
}

__all__ = [
    "ServiceTokenArgs",
    "ServiceTokenComponent",
    "ServiceTokenConfigError",
    "ServiceTokenReference",
    "export_service_token",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
