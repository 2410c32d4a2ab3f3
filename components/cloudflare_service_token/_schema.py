"""The package schema the provider plugin serves: one table of properties, written once.

Every other language's SDK is generated from this schema, so it is the plugin's public API. The
names are the camelCase forms of the Python ones (`min_days_for_renewal` -> `minDaysForRenewal`);
the renewal resources' properties are the state machines' own (`_machines`), so the two cannot
drift. JSON is built with the Pulumi SDK's schema types (`pulumi.provider.experimental.schema`),
plus `secret`, which those types do not carry.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from pulumi.provider.experimental.analyzer import PropertyType
from pulumi.provider.experimental.schema import Property, Resource, remove_none

from ._machines import MACHINES, Machine, RenewalSchedule, SecretRotation, TokenRenewal

PACKAGE: Final = "cloudflare-service-token"
COMPONENT_TYPE: Final = f"{PACKAGE}:index:ServiceTokenComponent"


def resource_type(machine: type[Machine]) -> str:
    return f"{PACKAGE}:index:{machine.kind}"


@dataclass(frozen=True)
class Field:
    """One property: its Python name, schema type and description."""

    name: str
    type: PropertyType
    description: str
    secret: bool = False
    # Plain: the value must be known when the program runs (it decides which resources exist).
    plain: bool = False
    items: PropertyType | None = None

    @property
    def camel(self) -> str:
        return camel(self.name)

    def to_json(self) -> dict[str, Any]:
        schema = Property(
            type=self.type,
            will_replace_on_changes=None,
            items=(
                None
                if self.items is None
                else Property(self.items, None, None, None, None, self.plain or None)
            ),
            additional_properties=(
                Property(PropertyType.STRING, None, None, None, None, None)
                if self.type is PropertyType.OBJECT
                else None
            ),
            ref=None,
            plain=self.plain,
            description=self.description,
        ).to_json()
        if self.secret:
            schema["secret"] = True
        return remove_none(schema)


def camel(name: str) -> str:
    """`min_days_for_renewal` -> `minDaysForRenewal`."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def snake(name: str) -> str:
    """`minDaysForRenewal` -> `min_days_for_renewal`."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


_S, _I, _B, _A, _O = (
    PropertyType.STRING,
    PropertyType.INTEGER,
    PropertyType.BOOLEAN,
    PropertyType.ARRAY,
    PropertyType.OBJECT,
)

COMPONENT_INPUTS: Final = (
    Field("name", _S, "The token's name in Cloudflare (two tokens may share a name)."),
    Field(
        "account_id",
        _S,
        "The account that owns the token (32 hex). Exactly one of accountId / zoneId.",
    ),
    Field(
        "zone_id", _S, "The zone that owns the token (32 hex). Exactly one of accountId / zoneId."
    ),
    Field(
        "duration",
        _S,
        "Token lifetime: a positive Go duration such as '8760h', or 'forever'. Default '8760h'.",
    ),
    Field(
        "enabled",
        _B,
        "Whether the token is accepted; a disabled token keeps its id and secret. Default true.",
    ),
    Field(
        "min_days_for_renewal",
        _I,
        "Renew on the first `pulumi up` with fewer than this many days left. Default 0 (never).",
        plain=True,
    ),
    Field(
        "renewal_strategy",
        _S,
        (
            "'refresh' (extend the same token; default; account tokens only) or 'replace' "
            "(new token first, then delete the old)."
        ),
        plain=True,
    ),
    Field(
        "secret_version",
        _I,
        (
            "Raise by one to rotate the client secret in place (same client id). 1 or more; "
            "account tokens only."
        ),
        plain=True,
    ),
    Field(
        "previous_secret_grace",
        _S,
        (
            "How long the previous secret keeps working after a rotation (Go duration, not "
            "'forever'). Default '24h'."
        ),
        plain=True,
    ),
    Field(
        "service_auth_policy_name",
        _S,
        (
            "Also create a reusable Service Auth Access policy including this token. Account "
            "tokens only."
        ),
    ),
    Field(
        "expiry_alert_emails",
        _A,
        (
            "Also create a Cloudflare notification mailing these addresses before the token "
            "expires. Account tokens only."
        ),
        plain=True,
        items=_S,
    ),
    Field(
        "import_token_id",
        _S,
        (
            "Adopt this existing token (its Cloudflare UUID) instead of creating one; "
            "Cloudflare never returns its secret."
        ),
        plain=True,
    ),
    Field(
        "token_aliases",
        _A,
        "Earlier URNs of the token resource, so moving it into this component replaces nothing.",
        plain=True,
        items=_S,
    ),
)

COMPONENT_OUTPUTS: Final = (
    Field("token_id", _S, "The token's Cloudflare id (a UUID): what Access policies include."),
    Field("client_id", _S, "The value of the `CF-Access-Client-Id` header (`<32 hex>.access`)."),
    Field(
        "client_secret",
        _S,
        (
            "The value of the `CF-Access-Client-Secret` header; empty for an adopted token "
            "until its first rotation."
        ),
        secret=True,
    ),
    Field(
        "expires_at",
        _S,
        "When the token expires (RFC 3339), counting renewals; for a 'forever' token, about 100 "
        "years out (876,000 h after creation, as Cloudflare reports it).",
    ),
    Field(
        "renew_after",
        _S,
        "From when the next `pulumi up` renews the token (RFC 3339); empty without renewal.",
    ),
    Field("headers", _O, "Both request headers, ready to send.", secret=True),
    Field(
        "single_header_value",
        _S,
        "The JSON value for apps that read the token from one header.",
        secret=True,
    ),
    Field(
        "policy_id", _S, "The Service Auth Access policy's id, when `serviceAuthPolicyName` is set."
    ),
)
COMPONENT_REQUIRED_INPUTS: Final = ("name",)
COMPONENT_REQUIRED_OUTPUTS: Final = ("token_id", "client_id")

# The renewal resources: the machines' properties, typed and described here.
MACHINE_FIELDS: Final = {
    "token_id": Field("token_id", _S, "The Cloudflare id of the service token."),
    "account_id": Field("account_id", _S, "The account that owns the token."),
    "token_expires_at": Field(
        "token_expires_at",
        _S,
        "The token resource's own `expiresAt` (it lags behind a refresh until `pulumi refresh`).",
    ),
    "min_days": Field("min_days", _I, "Renew with fewer than this many days left."),
    "expires_at": Field(
        "expires_at", _S, "When the token expires (RFC 3339), counting refreshes made here."
    ),
    "renew_after": Field("renew_after", _S, "From when the next `pulumi up` renews (RFC 3339)."),
    "last_renewed_at": Field("last_renewed_at", _S, "When this resource last refreshed the token."),
    "duration": Field("duration", _S, "The token's lifetime (Go duration or 'forever')."),
    "generation": Field(
        "generation",
        _I,
        "Goes up by one when the token is due: feeds the token's replacementTrigger.",
    ),
    "started_at": Field("started_at", _S, "When the current token's lifetime started."),
    "secret_version": Field(
        "secret_version", _I, "The secret's version; each increase rotates it."
    ),
    "grace": Field("grace", _S, "How long the previous secret keeps working after a rotation."),
    "rotated_at": Field("rotated_at", _S, "When the secret was last rotated here."),
    "previous_secret_expires_at": Field(
        "previous_secret_expires_at", _S, "Until when the previous secret is accepted."
    ),
    "client_secret": Field(
        "client_secret",
        _S,
        "The latest rotated secret; empty until the first rotation.",
        secret=True,
    ),
    "seen_updated_at": Field(
        "seen_updated_at",
        _S,
        "Cloudflare's `updated_at` of the token after this resource's last call: a rotation "
        "compares it with the token's before it acts.",
    ),
    "seen_secret_version": Field(
        "seen_secret_version",
        _I,
        "Cloudflare's `client_secret_version` of the token after this resource's last call, "
        "when Cloudflare reports one.",
    ),
}

MACHINE_DESCRIPTIONS: Final = {
    TokenRenewal: "Refresh strategy: extends one account-scoped token in place when it is due.",
    RenewalSchedule: (
        "Replace strategy: its `generation` goes up when the token is due for replacement."
    ),
    SecretRotation: "Rotates the token's client secret each time `secretVersion` goes up.",
}

CONFIG: Final = (
    Field(
        "api_token",
        _S,
        "Cloudflare API token (needs Access: Service Tokens Write). Else CLOUDFLARE_API_TOKEN.",
        secret=True,
    ),
    Field(
        "api_key",
        _S,
        "Cloudflare global API key, with `email`. Else CLOUDFLARE_API_KEY.",
        secret=True,
    ),
    Field("email", _S, "The account email that goes with `apiKey`. Else CLOUDFLARE_EMAIL."),
    Field("base_url", _S, "Cloudflare API base URL. Else CLOUDFLARE_BASE_URL."),
    Field(
        "api_timeout_seconds",
        PropertyType.NUMBER,
        "Seconds to wait for each Cloudflare call. Default 30.",
    ),
    Field(
        "api_max_retries",
        _I,
        "Retries of a failed read or refresh (408/409/429/5xx); a rotation is never retried. "
        "Default 2.",
    ),
)


def _properties(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {field.camel: field.to_json() for field in fields}


def _resource(
    description: str,
    inputs: tuple[Field, ...],
    outputs: tuple[Field, ...],
    required_inputs: tuple[str, ...],
    required: tuple[str, ...],
    *,
    is_component: bool,
) -> dict[str, Any]:
    shell = Resource(
        type=PropertyType.OBJECT,
        properties={},
        required=[camel(name) for name in required],
        is_component=is_component,
        input_properties={},
        required_inputs=[camel(name) for name in required_inputs],
        description=description,
    ).to_json()
    # The SDK's types drop `secret`; the properties are rendered by `Field`, which keeps it.
    shell["inputProperties"] = _properties(inputs)
    shell["properties"] = _properties(outputs)
    if not is_component:
        shell.pop("isComponent")
    return shell


def _machine_resource(machine: type[Machine]) -> dict[str, Any]:
    inputs = tuple(MACHINE_FIELDS[name] for name in machine.inputs)
    outputs = inputs + tuple(MACHINE_FIELDS[name] for name in machine.outputs)
    required_inputs = tuple(name for name in machine.inputs if name not in machine.optional_inputs)
    required = tuple(name for name in required_inputs if name not in machine.outputs)
    return _resource(
        MACHINE_DESCRIPTIONS[machine],
        inputs,
        outputs,
        required_inputs,
        required,
        is_component=False,
    )


def package_schema(version: str) -> dict[str, Any]:
    """The package schema as a JSON-ready dict."""
    resources = {
        COMPONENT_TYPE: _resource(
            "A Cloudflare Access service token whose credentials stay secret and whose "
            "replacement never leaves services without a valid token; renews and rotates.",
            COMPONENT_INPUTS,
            COMPONENT_OUTPUTS,
            COMPONENT_REQUIRED_INPUTS,
            COMPONENT_REQUIRED_OUTPUTS,
            is_component=True,
        ),
        **{resource_type(machine): _machine_resource(machine) for machine in MACHINES},
    }
    config = _properties(CONFIG)
    return {
        "name": PACKAGE,
        "displayName": "Cloudflare Access service token",
        "version": version,
        "description": "Cloudflare Access service tokens with renewal, rotation, "
        "create-before-destroy replacement and secret outputs.",
        "license": "Apache-2.0",
        "config": {"variables": config},
        "provider": {
            "description": "Credentials for the renewal and rotation calls.",
            "inputProperties": config,
        },
        "resources": resources,
        "language": {
            language: {"respectSchemaVersion": True}
            for language in ("nodejs", "python", "go", "csharp", "java")
        },
    }


def schema_text(version: str) -> str:
    return json.dumps(package_schema(version), indent=2, sort_keys=True)
