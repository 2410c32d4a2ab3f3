"""Library mode's messages in the words of the plugin's users.

The component, its validation and the renewal machines speak Python (`min_days_for_renewal`,
`renewal_strategy='replace'`, `pulumi.Alias(...)`). Users of the plugin write TypeScript, YAML,
Go, C# or Java against the schema, so every message the plugin shows them is rewritten here:
the schema's camelCase names, `name: "value"` settings, and advice their language can follow.
Library mode keeps its own wording.
"""

import re
from typing import Final

from ._schema import COMPONENT_INPUTS, COMPONENT_OUTPUTS, CONFIG, MACHINE_FIELDS, camel

_NAMES: Final = frozenset(
    field.name
    for field in (*COMPONENT_INPUTS, *COMPONENT_OUTPUTS, *CONFIG, *MACHINE_FIELDS.values())
    if "_" in field.name
)
# Longest first, so `min_days_for_renewal` is not read as `min_days` followed by more.
_NAME: Final = "|".join(sorted(_NAMES, key=len, reverse=True))
_SETTING: Final = re.compile(rf"\b({_NAME})=(['\"])(.*?)\2")
_BARE_NAME: Final = re.compile(rf"(?<![\w:.-])({_NAME})\b")
# Python-only advice, and what a user of any language can do instead.
_ADVICE: Final = (
    (
        re.compile(
            r"must be a list of URNs or pulumi\.Alias values, e\.g\. \[pulumi\.Alias\(.*?\)\]\."
        ),
        'must be a list of URNs (strings), e.g. ["urn:pulumi:dev::app::'
        'cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken::ci-token"]; '
        "to move the whole component, give it the `aliases` resource option of your language.",
    ),
    (re.compile(r"\bTrue or False\b"), "true or false"),
    (re.compile(r"\(None\)"), "(null)"),
    (re.compile(r"pulumi\.Config\(\)\.get_int\(\.\.\.\) or similar"), "your language's config API"),
)


def for_plugin_users(message: str) -> str:
    for pattern, advice in _ADVICE:
        message = pattern.sub(advice, message)
    message = _SETTING.sub(lambda found: f'{camel(found.group(1))}: "{found.group(3)}"', message)
    return _BARE_NAME.sub(lambda found: camel(found.group(1)), message)
