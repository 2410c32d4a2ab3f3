"""The root stack: one service token per entry of the `tokens` config map, each exported.

Config (see Pulumi.example.yaml): `accountId` or `zoneId`, and `tokens`, a map from a key (the
resource name and output prefix) to the token's settings: `name`, `duration`, `enabled`,
`minDaysForRenewal`, `renewalStrategy`, `secretVersion`, `previousSecretGrace`,
`serviceAuthPolicyName`, `expiryAlertEmails`, `importTokenId`.

Every message names the config keys being edited, in their own spelling (`accountId`, not the
Python argument `account_id`), and a key nothing reads is refused rather than ignored: the
project's keys (`cloudflare-service-tokens:`) and this package's tuning keys
(`cloudflare-service-token:`) are one letter apart.
"""

import re
from collections.abc import Mapping
from typing import Any, cast

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
    export_service_token,
)
from cloudflare_service_token._args import check_cloudflare_id
from cloudflare_service_token._plugin_messages import for_plugin_users

# Config keys (as written in Pulumi.<stack>.yaml) and the component arguments they set.
_TOKEN_SETTINGS = {
    "name": "name",
    "duration": "duration",
    "enabled": "enabled",
    "minDaysForRenewal": "min_days_for_renewal",
    "renewalStrategy": "renewal_strategy",
    "secretVersion": "secret_version",
    "previousSecretGrace": "previous_secret_grace",
    "serviceAuthPolicyName": "service_auth_policy_name",
    "expiryAlertEmails": "expiry_alert_emails",
    "importTokenId": "import_token_id",
}
_SCOPES = {"accountId": "account_id", "zoneId": "zone_id"}
_PROJECT_KEYS = ("accountId", "zoneId", "tokens")
# This package's namespace: what renewal reads in a Python program, and what only the provider
# plugin (other languages) reads, where a Python program takes `cloudflare:<key>` instead.
_PACKAGE = "cloudflare-service-token"
_TUNING_KEYS = ("apiTimeoutSeconds", "apiMaxRetries")
_CREDENTIAL_KEYS = ("apiToken", "apiKey", "email", "baseUrl")
# Token keys name a resource and prefix stack outputs (`<key>_client_id`).
_TOKEN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def main() -> None:
    config = pulumi.Config()
    _refuse_unread_keys(config.name)
    scope = _scope(config)
    tokens = config.get_object("tokens")
    if not isinstance(tokens, Mapping) or not tokens:
        raise ServiceTokenConfigError(
            f"config `{config.full_key('tokens')}` must map each token's key to its settings, "
            f"e.g. `tokens: {{ci: {{name: CI/CD app}}}}`; see Pulumi.example.yaml."
        )
    for key, settings in tokens.items():
        where = f"config `{config.full_key('tokens')}.{key}`"
        try:
            token = ServiceTokenComponent(key, _token_args(key, settings, scope))
            export_service_token(key, token)
        except ServiceTokenConfigError as error:
            raise ServiceTokenConfigError(f"{where}: {for_plugin_users(str(error))}") from None


def _refuse_unread_keys(project: str) -> None:
    """Refuse a key in this project's or this package's namespace that nothing would read."""
    keys = sorted({*CONFIG.get(), *get_config_env()})
    for full_key in keys:
        namespace, _, key = full_key.partition(":")
        if namespace == project and key not in _PROJECT_KEYS:
            raise ServiceTokenConfigError(f"config `{full_key}` is read by nothing; {_fix(key)}")
        if namespace == _PACKAGE and key not in _TUNING_KEYS:
            raise ServiceTokenConfigError(
                f"config `{full_key}` is read by nothing in a Python program; {_fix(key)}"
            )


def _fix(key: str) -> str:
    if key in _TUNING_KEYS:
        return f"this package's tuning key is `{_PACKAGE}:{key}` (no 's')."
    if key in _CREDENTIAL_KEYS:
        return (
            f"renewal in a Python program uses the Cloudflare provider's `cloudflare:{key}` "
            f"(`pulumi config set --secret cloudflare:{key} …` for a credential)."
        )
    return (
        f"this project reads {', '.join(f'`{k}`' for k in _PROJECT_KEYS)}, and "
        f"{' and '.join(f'`{_PACKAGE}:{k}`' for k in _TUNING_KEYS)}; see Pulumi.example.yaml."
    )


def _scope(config: pulumi.Config) -> dict[str, str]:
    given = {key: value for key in _SCOPES if (value := config.get(key)) is not None}
    if len(given) != 1:
        state = "both set" if given else "neither set"
        raise ServiceTokenConfigError(
            f"config `{config.full_key('accountId')}` and `{config.full_key('zoneId')}` are "
            f"{state}; set exactly one: the account (or zone, for zone-scoped tokens) that owns "
            f"the tokens, e.g. `pulumi config set accountId <32 hex characters>`."
        )
    ((key, value),) = given.items()
    try:
        check_cloudflare_id(value, key)
    except ServiceTokenConfigError as error:
        raise ServiceTokenConfigError(f"config `{config.full_key(key)}`: {error}") from None
    return {_SCOPES[key]: value}


def _token_args(key: str, settings: Any, scope: dict[str, str]) -> ServiceTokenArgs:
    if not _TOKEN_KEY.fullmatch(key):
        raise ServiceTokenConfigError(
            f"the key {key!r} must start with a letter or '_' and hold only letters, digits, "
            f"'_' and '-': it names the token's resources and prefixes its stack outputs "
            f"('{key}_client_id'); e.g. 'ci'."
        )
    if settings is None:
        settings = {}
    allowed = ", ".join(_TOKEN_SETTINGS)
    if not isinstance(settings, Mapping):
        raise ServiceTokenConfigError(f"must be a map of {allowed}, got {settings!r}.")
    unknown = sorted(set(settings) - set(_TOKEN_SETTINGS))
    if unknown:
        raise ServiceTokenConfigError(
            f"unknown setting(s) {', '.join(unknown)}; allowed: {allowed}."
        )
    args = {_TOKEN_SETTINGS[name]: value for name, value in settings.items()}
    return cast(ServiceTokenArgs, {"name": key, **scope, **args})


main()
