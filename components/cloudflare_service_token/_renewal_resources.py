"""The dynamic resources the component declares for renewal and rotation (see `_providers`)."""

from typing import TYPE_CHECKING

import pulumi
from pulumi.dynamic import Resource

from ._providers import RenewalScheduleProvider, SecretRotationProvider, TokenRenewalProvider

_MODULE = "cloudflare-service-token"

# Outputs that are strings are declared for type checkers only: at run time the SDK turns a
# resource class's own annotations into a new class and a get_type_hints call on every instance,
# which buys nothing for strings. `generation` stays declared, as the SDK reads it to give the
# engine's numbers back as ints.


class TokenRenewal(Resource, module=_MODULE, name="TokenRenewal"):
    """Refresh strategy: extends one account-scoped token in place when it is due."""

    if TYPE_CHECKING:
        expires_at: pulumi.Output[str | None]
        renew_after: pulumi.Output[str | None]
        last_renewed_at: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        *,
        token_id: pulumi.Input[str],
        account_id: pulumi.Input[str],
        token_expires_at: pulumi.Input[str | None],
        min_days: int,
        opts: pulumi.ResourceOptions,
    ) -> None:
        super().__init__(
            TokenRenewalProvider(),
            name,
            {
                "token_id": token_id,
                "account_id": account_id,
                "token_expires_at": token_expires_at,
                "min_days": min_days,
                "expires_at": None,
                "renew_after": None,
                "last_renewed_at": None,
            },
            opts,
        )


class RenewalSchedule(Resource, module=_MODULE, name="RenewalSchedule"):
    """Replace strategy: its `generation` changes when the token is due for replacement."""

    generation: pulumi.Output[int]
    expires_at: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        *,
        duration: pulumi.Input[str],
        min_days: int,
        opts: pulumi.ResourceOptions,
    ) -> None:
        super().__init__(
            RenewalScheduleProvider(),
            name,
            {
                "duration": duration,
                "min_days": min_days,
                "generation": None,
                "started_at": None,
                "expires_at": None,
            },
            opts,
        )


class SecretRotation(Resource, module=_MODULE, name="SecretRotation"):
    """Rotation: a new client secret each time `secret_version` goes up, made by this resource
    after the token exists, with the previous secret's deadline set at that moment."""

    if TYPE_CHECKING:
        client_secret: pulumi.Output[str | None]
        previous_secret_expires_at: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        *,
        token_id: pulumi.Input[str],
        account_id: pulumi.Input[str],
        secret_version: int,
        grace: str,
        opts: pulumi.ResourceOptions,
    ) -> None:
        super().__init__(
            SecretRotationProvider(),
            name,
            {
                "token_id": token_id,
                "account_id": account_id,
                "secret_version": secret_version,
                "grace": grace,
                "rotated_at": None,
                "previous_secret_expires_at": None,
                "client_secret": None,
            },
            # The engine marks the new secret secret in state; the component wraps it as well.
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["client_secret"])
            ),
        )
