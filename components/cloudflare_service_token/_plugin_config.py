"""The plugin's own settings (`cloudflare-service-token:*`), read as the engine sends them and
checked before anything runs, so a bad value fails the first preview with a message that says
what to set, not renewal day with a bare conversion error.

The engine sends each setting twice in Configure (pulumi/pulumi
`sdk/go/common/resource/plugin/provider_plugin.go`): in `args` as the provider's inputs, and in
`variables` as `<package>:config:<key>` text. Stack config reaches `args` as text too
(`pkg/resource/deploy/target.go`, `GetPackageConfig`); an explicit provider's inputs keep their
types (numbers are doubles). Both are accepted here. Credentials are never echoed.
"""

import math
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from pulumi.provider.experimental.property_value import PropertyValue

from ._errors import ServiceTokenConfigError
from ._schema import CONFIG, PACKAGE
from ._wire import is_unknown

_SECRET: Final = frozenset(field.camel for field in CONFIG if field.secret)


def given(args: Mapping[str, PropertyValue], variables: Mapping[str, str]) -> dict[str, Any]:
    """Each setting given, under its camelCase name: from the provider's inputs when known, else
    from the `variables` form. Empty text counts as not given."""
    found: dict[str, Any] = {}
    for field in CONFIG:
        prop = args.get(field.camel)
        if prop is not None and not is_unknown(prop) and prop.value is not None:
            value: Any = prop.value
        else:
            value = variables.get(f"{PACKAGE}:config:{field.camel}")
            value = variables.get(f"{PACKAGE}:{field.camel}") if value is None else value
        if value is not None and value != "":
            found[field.camel] = value
    return found


def problems(settings: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with each bad setting, by camelCase name; each message names the full key,
    the problem and the fix."""
    found = {}
    for name, value in settings.items():
        problem = _problem(name, value)
        if problem is not None:
            found[name] = problem
    return found


def resolved(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Checked settings as `ApiSettings.resolve` takes them: full keys, numbers as numbers.
    Raises ServiceTokenConfigError with every problem."""
    found = problems(settings)
    if found:
        raise ServiceTokenConfigError(" ".join(found[name] for name in sorted(found)))
    return {f"{PACKAGE}:{name}": _typed(name, value) for name, value in settings.items()}


def _typed(name: str, value: Any) -> Any:
    number = _number(value)
    if name == "apiTimeoutSeconds" and number is not None:
        return number
    if name == "apiMaxRetries" and number is not None:
        return int(number)
    return value


def _problem(name: str, value: Any) -> str | None:
    key = f"`{PACKAGE}:{name}`"
    if name == "apiTimeoutSeconds":
        seconds = _number(value)
        if seconds is None or not math.isfinite(seconds) or seconds <= 0:
            return (
                f"{key} ({value!r}) must be a number of seconds greater than 0, without a unit, "
                f"e.g. 30: `pulumi config set {PACKAGE}:apiTimeoutSeconds 30`, or "
                f"`apiTimeoutSeconds: 30` on an explicit provider."
            )
    elif name == "apiMaxRetries":
        retries = _number(value)
        if retries is None or not retries.is_integer() or retries < 0:
            return (
                f"{key} ({value!r}) must be a whole number, 0 or more (0: never retry), e.g. 2: "
                f"`pulumi config set {PACKAGE}:apiMaxRetries 2`, or `apiMaxRetries: 2` on an "
                f"explicit provider."
            )
    elif name == "baseUrl":
        if not _is_http_url(value):
            shown = f" ({value!r})" if isinstance(value, str) and "@" not in value else ""
            return (
                f"{key}{shown} must be an http(s) URL of the Cloudflare API, e.g. "
                f"'https://api.cloudflare.com/client/v4'; fix it, or remove it to use that one."
            )
    elif not isinstance(value, str):
        shown = "" if name in _SECRET else f" ({value!r})"
        return f"{key}{shown} must be a string; set it as text."
    return None


def _number(value: Any) -> float | None:
    """A number as either form carries it: a double, or text such as '30'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
