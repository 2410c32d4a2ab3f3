"""The package schema: the public API of every other language's SDK.

Checked two ways: against the Python API it mirrors (same arguments, outputs, types and secrets),
and against the rules of Pulumi's package schema, written here as a JSON Schema from the
documented format (https://www.pulumi.com/docs/iac/extending-pulumi/schema/) for the parts this
package uses: names and tokens, property types, required lists, secrets, config and provider.
"""

import json
from typing import Any

import jsonschema
import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._machines import MACHINES
from cloudflare_service_token._schema import (
    COMPONENT_INPUTS,
    COMPONENT_OUTPUTS,
    COMPONENT_TYPE,
    camel,
    package_schema,
    resource_type,
    schema_text,
    snake,
)
from cloudflare_service_token.testing import CloudflareMocks, run_program
from tests.conftest import ACCOUNT_ID

_TYPES = ["string", "integer", "number", "boolean", "array", "object"]
_PROPERTY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"enum": _TYPES},
        "description": {"type": "string", "minLength": 1},
        "secret": {"const": True},
        "plain": {"type": "boolean"},
        "items": {"$ref": "#/$defs/property"},
        "additionalProperties": {"$ref": "#/$defs/property"},
        "willReplaceOnChanges": {"type": "boolean"},
    },
    "required": ["type"],
    "additionalProperties": False,
    "allOf": [
        {"if": {"properties": {"type": {"const": "array"}}}, "then": {"required": ["items"]}},
        {
            "if": {"properties": {"type": {"const": "object"}}},
            "then": {"required": ["additionalProperties"]},
        },
    ],
}
_PROPERTIES = {"type": "object", "additionalProperties": {"$ref": "#/$defs/property"}}
_NAMES = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
PACKAGE_RULES: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["name", "version", "resources"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][-a-z0-9]*$"},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"},
        "displayName": {"type": "string"},
        "description": {"type": "string"},
        "license": {"type": "string"},
        "config": {
            "type": "object",
            "properties": {"variables": _PROPERTIES},
            "additionalProperties": False,
        },
        "provider": {
            "type": "object",
            "properties": {"description": {"type": "string"}, "inputProperties": _PROPERTIES},
            "additionalProperties": False,
        },
        "resources": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][-a-z0-9]*:index:[A-Z][A-Za-z0-9]*$"},
            "additionalProperties": {"$ref": "#/$defs/resource"},
        },
        "language": {"type": "object"},
    },
    "additionalProperties": False,
    "$defs": {
        "property": _PROPERTY,
        "resource": {
            "type": "object",
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "isComponent": {"type": "boolean"},
                "type": {"const": "object"},
                "inputProperties": _PROPERTIES,
                "requiredInputs": _NAMES,
                "properties": _PROPERTIES,
                "required": _NAMES,
            },
            "required": ["description", "inputProperties", "properties"],
            "additionalProperties": False,
        },
    },
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return package_schema("1.2.3")


def test_the_rules_themselves_are_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(PACKAGE_RULES)


def test_the_schema_follows_the_package_schema_rules(schema: dict[str, Any]):
    jsonschema.validate(schema, PACKAGE_RULES, cls=jsonschema.Draft202012Validator)


def test_the_rules_catch_a_mistyped_property(schema: dict[str, Any]):
    broken = json.loads(json.dumps(schema))
    broken["resources"][COMPONENT_TYPE]["inputProperties"]["name"]["type"] = "text"

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, PACKAGE_RULES, cls=jsonschema.Draft202012Validator)


def test_every_required_name_is_a_property(schema: dict[str, Any]):
    for token, resource in schema["resources"].items():
        assert set(resource.get("requiredInputs", [])) <= set(resource["inputProperties"]), token
        assert set(resource.get("required", [])) <= set(resource["properties"]), token


def test_the_component_takes_exactly_the_python_arguments(schema: dict[str, Any]):
    component = schema["resources"][COMPONENT_TYPE]

    assert set(component["inputProperties"]) == {camel(n) for n in ServiceTokenArgs.__annotations__}
    assert component["requiredInputs"] == ["name"]
    assert component["isComponent"] is True


def _schema_type(annotation: Any) -> str:
    text = str(annotation)
    if "Sequence" in text:
        return "array"
    for python, schema_type in (("bool", "boolean"), ("int", "integer")):
        if f"[{python}]" in text or text.endswith(f"[{python}]]") or f"<class '{python}'>" in text:
            return schema_type
    return "string"


def test_each_argument_has_the_type_of_its_python_annotation(schema: dict[str, Any]):
    hints = ServiceTokenArgs.__annotations__
    inputs = schema["resources"][COMPONENT_TYPE]["inputProperties"]

    for name, annotation in hints.items():
        assert inputs[camel(name)]["type"] == _schema_type(annotation), name


def test_the_component_gives_exactly_the_python_outputs_and_the_same_secrets(
    schema: dict[str, Any],
):
    # The outputs as a Python program sees them: the Output attributes a component has beyond
    # those of every component (its outputs are declared for type checkers only), and whether
    # each resolves secret.
    def program() -> None:
        component = ServiceTokenComponent(
            "probe",
            ServiceTokenArgs(name="probe", account_id=ACCOUNT_ID, min_days_for_renewal=30),
        )
        base = vars(pulumi.ComponentResource("test:index:Probe", "base"))
        for name, value in vars(component).items():
            if isinstance(value, pulumi.Output) and not name.startswith("_") and name not in base:
                pulumi.export(name, value)

    outputs = run_program(program, mocks=CloudflareMocks()).outputs
    properties = schema["resources"][COMPONENT_TYPE]["properties"]

    assert set(properties) == {camel(name) for name in outputs}
    secret = {name for name, spec in properties.items() if spec.get("secret")}
    assert secret == {camel(name) for name, output in outputs.items() if output.secret}
    assert secret == {"clientSecret", "headers", "singleHeaderValue"}


def test_each_renewal_resource_carries_its_machine_properties(schema: dict[str, Any]):
    for machine in MACHINES:
        resource = schema["resources"][resource_type(machine)]

        assert set(resource["inputProperties"]) == {camel(n) for n in machine.inputs}
        assert set(resource["properties"]) == {camel(n) for n in machine.inputs + machine.outputs}
        secret = {name for name, spec in resource["properties"].items() if spec.get("secret")}
        assert secret == {camel(n) for n in machine.secret_outputs}
        assert "isComponent" not in resource


def test_credentials_are_secret_config(schema: dict[str, Any]):
    variables = schema["config"]["variables"]

    assert variables["apiToken"]["secret"] and variables["apiKey"]["secret"]
    assert schema["provider"]["inputProperties"] == variables


def test_plain_arguments_are_the_ones_that_decide_which_resources_exist():
    plain = {field.name for field in COMPONENT_INPUTS if field.plain}

    assert plain == {
        "min_days_for_renewal",
        "renewal_strategy",
        "secret_version",
        "previous_secret_grace",
        "expiry_alert_emails",
        "import_token_id",
        "token_aliases",
    }
    assert not any(field.plain for field in COMPONENT_OUTPUTS)


def test_the_served_text_is_the_schema_as_json():
    assert json.loads(schema_text("1.2.3")) == package_schema("1.2.3")


@given(st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), min_size=1, max_size=4))
def test_snake_and_camel_names_convert_both_ways(words: list[str]):
    name = "_".join(words)

    assert snake(camel(name)) == name
