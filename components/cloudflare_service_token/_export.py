"""Publishing a token as stack outputs, and reading it back in another stack.

Outputs are flat (`<prefix>_client_secret`, …): a nested dict would become secret as a whole if any
part of it were secret, hiding the ids consumers need in plain sight.
"""

import re
from typing import TYPE_CHECKING, Any

import pulumi

from ._credentials import secret_credentials
from ._errors import ServiceTokenConfigError

if TYPE_CHECKING:
    from ._component import ServiceTokenComponent

_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def export_service_token(prefix: str, token: "ServiceTokenComponent") -> None:
    """Export `<prefix>_token_id`, `<prefix>_client_id`, `<prefix>_client_secret` (secret) and
    `<prefix>_expires_at` from the current stack."""
    _check_prefix(prefix)
    pulumi.export(f"{prefix}_token_id", token.token_id)
    pulumi.export(f"{prefix}_client_id", token.client_id)
    pulumi.export(f"{prefix}_client_secret", token.client_secret)
    pulumi.export(f"{prefix}_expires_at", token.expires_at)


class ServiceTokenReference:
    """A token exported by `export_service_token` in another stack, with the component's outputs."""

    token_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    client_secret: pulumi.Output[str | None]
    expires_at: pulumi.Output[str | None]
    headers: pulumi.Output[dict[str, str] | None]
    single_header_value: pulumi.Output[str | None]

    def __init__(self, stack: "pulumi.StackReference | str", prefix: str) -> None:
        """`stack` is a StackReference or a stack name (`org/project/stack`); `prefix` is the one
        the producing stack passed to `export_service_token`."""
        _check_prefix(prefix)
        if isinstance(stack, str):
            stack = pulumi.StackReference(f"{stack}#{prefix}", stack_name=stack)
        elif not isinstance(stack, pulumi.StackReference):
            raise ServiceTokenConfigError(
                f"`stack` must be a pulumi.StackReference or a stack name such as "
                f"'org/project/stack', got {type(stack).__name__}."
            )
        self.token_id = _exported(stack, f"{prefix}_token_id")
        self.client_id = _exported(stack, f"{prefix}_client_id")
        # Secret even if the producer exported it in plain text; empty for an adopted token
        # until its first rotation, as on the producing side.
        self.client_secret, self.headers, self.single_header_value = secret_credentials(
            self.client_id, _exported(stack, f"{prefix}_client_secret", may_be_empty=True)
        )
        self.expires_at = _exported(stack, f"{prefix}_expires_at", may_be_empty=True)


def _exported(
    stack: pulumi.StackReference, key: str, *, may_be_empty: bool = False
) -> pulumi.Output[Any]:
    """The stack output `key`, failing with a fix when the producer did not export it, or
    exported it empty where a value is needed.

    `get_output` keeps each output's own secretness, which `outputs` as a whole would not; the
    whole is only asked whether the key exists, and that answer is no secret. The engine keeps no
    stack output whose value is a plain None, so where empty is allowed, missing means empty: the
    outputs that are always set (the ids) are the ones that catch a wrong prefix.
    """
    if may_be_empty:
        return stack.get_output(key)
    exists = pulumi.Output.unsecret(stack.outputs.apply(lambda outputs: key in outputs))

    def checked(value: Any, present: bool, stack_name: str) -> Any:
        if not present:
            raise ServiceTokenConfigError(
                f"stack {stack_name!r} has no output `{key}`; pass ServiceTokenReference the "
                f"prefix that stack gave export_service_token, and check it has run `pulumi up`."
            )
        if value is None:
            raise ServiceTokenConfigError(
                f"stack {stack_name!r} exports `{key}` empty; run `pulumi up` in that stack "
                f"so its token exists, then run this one again."
            )
        return value

    return pulumi.Output.all(stack.get_output(key), exists, stack.name).apply(
        lambda parts: checked(*parts)
    )


def _check_prefix(prefix: object) -> None:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ServiceTokenConfigError(
            f"`prefix` ({prefix!r}) must start with a letter or '_' and hold only letters, digits, "
            f"'_' and '-', since it becomes part of stack output names such as "
            f"'{{prefix}}_client_id'; e.g. 'ci'."
        )
