"""Cloudflare Access service tokens as a Pulumi component."""

from ._args import ServiceTokenArgs
from ._component import ServiceTokenComponent
from ._errors import ServiceTokenConfigError
from ._export import ServiceTokenReference, export_service_token

__all__ = [
    "ServiceTokenArgs",
    "ServiceTokenComponent",
    "ServiceTokenConfigError",
    "ServiceTokenReference",
    "export_service_token",
]
