"""The custom resources the component declares when the provider plugin constructs it.

They take the same arguments as the dynamic resources of library mode (`_renewal_resources`), so
the component's code is the same in both modes; the plugin serves their CRUD itself
(`_plugin.py`) from the same state machines. Names cross the wire in the schema's camelCase.
"""

from typing import TYPE_CHECKING, Any, ClassVar

import pulumi

from ._machines import Machine, RenewalSchedule, SecretRotation, TokenRenewal
from ._schema import camel, resource_type, snake

# String outputs are declared for type checkers only, as in `_renewal_resources` (the SDK turns a
# resource class's own annotations into type hints on every instance); `generation` stays
# declared, so the engine's numbers come back as ints.


class _PluginResource(pulumi.CustomResource):
    machine: ClassVar[type[Machine]]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        props = {key: inputs.get(key) for key in self.machine.inputs}
        props.update(dict.fromkeys(self.machine.outputs))
        if self.machine.secret_outputs:
            opts = pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    additional_secret_outputs=[camel(key) for key in self.machine.secret_outputs]
                ),
            )
        super().__init__(resource_type(self.machine), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return camel(prop)

    def translate_output_property(self, prop: str) -> str:
        return snake(prop)


class PluginTokenRenewal(_PluginResource):
    machine = TokenRenewal

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
            name,
            {
                "token_id": token_id,
                "account_id": account_id,
                "token_expires_at": token_expires_at,
                "min_days": min_days,
            },
            opts,
        )


class PluginRenewalSchedule(_PluginResource):
    machine = RenewalSchedule

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
        super().__init__(name, {"duration": duration, "min_days": min_days}, opts)


class PluginSecretRotation(_PluginResource):
    machine = SecretRotation

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
            name,
            {
                "token_id": token_id,
                "account_id": account_id,
                "secret_version": secret_version,
                "grace": grace,
            },
            opts,
        )
