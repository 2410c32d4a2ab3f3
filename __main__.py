"""The root stack: one service token per entry of the `tokens` config map, each exported.

Config (see Pulumi.example.yaml): `accountId` or `zoneId`, and `tokens`, a map from a key (the
resource name and output prefix) to the token's settings: `name`, `duration`, `enabled`,
`minDaysForRenewal`, `renewalStrategy`, `secretVersion`, `previousSecretGrace`,
`serviceAuthPolicyName`, `expiryAlertEmails`, `importTokenId`.
"""

from collections.abc import Mapping
from typing import Any, cast

import pulumi

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
    export_service_token,
)

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


def main() -> None:
    config = pulumi.Config()
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
            raise ServiceTokenConfigError(f"{where}: {error}") from None


def _scope(config: pulumi.Config) -> dict[str, str]:
    return {
        field: value
        for field, key in (("account_id", "accountId"), ("zone_id", "zoneId"))
        if (value := config.get(key)) is not None
    }


def _token_args(key: str, settings: Any, scope: dict[str, str]) -> ServiceTokenArgs:
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
