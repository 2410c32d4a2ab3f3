"""export_service_token / ServiceTokenReference: a token crosses a stack boundary intact."""

import json

import pulumi
import pytest

from cloudflare_service_token import (
    ServiceTokenArgs,
    ServiceTokenComponent,
    ServiceTokenConfigError,
    ServiceTokenReference,
    export_service_token,
)
from cloudflare_service_token.testing import CloudflareMocks, ProgramRun, run_program
from tests.conftest import ACCOUNT_ID

PRODUCER = "acme/tokens/prod"


def producer() -> None:
    token = ServiceTokenComponent("ci", ServiceTokenArgs(name="CI/CD app", account_id=ACCOUNT_ID))
    export_service_token("ci", token)


def consume(stack: "str | None" = None) -> ProgramRun:
    produced = run_program(producer)
    mocks = CloudflareMocks()
    mocks.publish_stack(PRODUCER, produced.as_stack_outputs())

    def consumer() -> None:
        source = pulumi.StackReference(PRODUCER) if stack is None else stack
        ref = ServiceTokenReference(source, "ci")
        for attribute in (
            "token_id",
            "client_id",
            "client_secret",
            "expires_at",
            "headers",
            "single_header_value",
        ):
            pulumi.export(attribute, getattr(ref, attribute))

    return run_program(consumer, mocks=mocks)


def test_export_publishes_four_flat_outputs_with_only_the_secret_secret() -> None:
    def program() -> None:
        token = ServiceTokenComponent(
            "ci", ServiceTokenArgs(name="CI/CD app", account_id=ACCOUNT_ID)
        )
        export_service_token("ci", token)
        pulumi.export("component_expires_at", token.expires_at)
        pulumi.export("component_client_secret", token.client_secret)

    run = run_program(program)

    assert {key: out.secret for key, out in run.outputs.items() if key.startswith("ci_")} == {
        "ci_token_id": False,
        "ci_client_id": False,
        "ci_client_secret": True,
        "ci_expires_at": False,
    }
    assert run.outputs["ci_expires_at"].value == run.outputs["component_expires_at"].value
    assert run.outputs["ci_expires_at"].value is not None
    assert run.outputs["ci_client_secret"].value == run.outputs["component_client_secret"].value


@pytest.mark.parametrize("stack", [None, PRODUCER], ids=["StackReference", "stack name"])
def test_a_reference_reads_back_what_the_producer_exported(stack: str | None) -> None:
    produced = run_program(producer).outputs

    consumed = consume(stack).outputs

    for field in ("token_id", "client_id", "client_secret", "expires_at"):
        assert consumed[field].value == produced[f"ci_{field}"].value, field
    assert (
        consumed["headers"].value["CF-Access-Client-Secret"] == produced["ci_client_secret"].value
    )
    assert json.loads(consumed["single_header_value"].value)["cf-access-client-id"] == (
        produced["ci_client_id"].value
    )


@pytest.mark.parametrize(
    ("attribute", "secret"),
    [
        ("client_secret", True),
        ("headers", True),
        ("single_header_value", True),
        ("client_id", False),
        ("token_id", False),
        ("expires_at", False),
    ],
)
def test_secretness_survives_the_stack_boundary(attribute: str, secret: bool) -> None:
    consumed = consume().outputs

    assert consumed[attribute].known
    assert consumed[attribute].secret is secret


def test_the_secret_stays_secret_even_if_the_producer_leaked_it_in_plain_text() -> None:
    produced = run_program(producer).as_stack_outputs()
    produced["ci_client_secret"] = type(produced["ci_client_secret"])(
        value=produced["ci_client_secret"].value, secret=False
    )
    mocks = CloudflareMocks(stacks={PRODUCER: produced})

    def consumer() -> None:
        pulumi.export("secret", ServiceTokenReference(PRODUCER, "ci").client_secret)

    assert run_program(consumer, mocks=mocks).outputs["secret"].secret


@pytest.mark.parametrize("attribute", ["client_id", "client_secret", "expires_at"])
def test_a_wrong_prefix_fails_naming_the_missing_output(attribute: str) -> None:
    # Whichever output the consumer reads: the ids, always exported, catch the wrong prefix.
    mocks = CloudflareMocks(stacks={PRODUCER: run_program(producer).as_stack_outputs()})

    def consumer() -> None:
        pulumi.export("value", getattr(ServiceTokenReference(PRODUCER, "deploy"), attribute))

    with pytest.raises(Exception, match=r"stack 'acme/tokens/prod' has no output `deploy_\w+`"):
        run_program(consumer, mocks=mocks)


@pytest.mark.parametrize("prefix", ["", "1ci", "ci token", "ci.token", None])
def test_a_prefix_that_cannot_name_outputs_is_rejected(prefix: object) -> None:
    def program() -> None:
        token = ServiceTokenComponent("ci", ServiceTokenArgs(name="x", account_id=ACCOUNT_ID))
        export_service_token(prefix, token)  # type: ignore[arg-type]

    with pytest.raises(ServiceTokenConfigError, match="`prefix`"):
        run_program(program)


def test_a_stack_that_is_neither_a_reference_nor_a_name_is_rejected() -> None:
    with pytest.raises(ServiceTokenConfigError, match="`stack`"):
        run_program(lambda: ServiceTokenReference(42, "ci"))  # type: ignore[arg-type]


ADOPTED_ID = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415"


def adopted_producer() -> None:
    token = ServiceTokenComponent(
        "ci",
        ServiceTokenArgs(name="CI/CD app", account_id=ACCOUNT_ID, import_token_id=ADOPTED_ID),
    )
    export_service_token("ci", token)


def test_a_reference_to_an_adopted_token_reads_its_ids_and_an_empty_secret_kept_secret() -> None:
    mocks = CloudflareMocks(stacks={PRODUCER: run_program(adopted_producer).as_stack_outputs()})

    def consumer() -> None:
        ref = ServiceTokenReference(PRODUCER, "ci")
        pulumi.export("token_id", ref.token_id)
        pulumi.export("client_secret", ref.client_secret)
        pulumi.export("headers", ref.headers)

    consumed = run_program(consumer, mocks=mocks).outputs

    assert consumed["token_id"].value == ADOPTED_ID
    assert (consumed["client_secret"].value, consumed["client_secret"].secret) == (None, True)
    assert (consumed["headers"].value, consumed["headers"].secret) == (None, True)


def test_a_token_that_never_expires_is_read_with_an_empty_expiry() -> None:
    produced = run_program(producer).as_stack_outputs()
    no_expiry = {**produced, "ci_expires_at": type(produced["ci_expires_at"])(value=None)}
    mocks = CloudflareMocks(stacks={PRODUCER: no_expiry})

    def consumer() -> None:
        pulumi.export("expires_at", ServiceTokenReference(PRODUCER, "ci").expires_at)

    consumed = run_program(consumer, mocks=mocks).outputs["expires_at"]

    assert (consumed.known, consumed.value) == (True, None)


def test_a_consumer_reading_only_the_id_of_an_adopted_token_succeeds() -> None:
    mocks = CloudflareMocks(stacks={PRODUCER: run_program(adopted_producer).as_stack_outputs()})

    def consumer() -> None:
        pulumi.export("token_id", ServiceTokenReference(PRODUCER, "ci").token_id)

    assert run_program(consumer, mocks=mocks).outputs["token_id"].value == ADOPTED_ID


def test_a_missing_output_and_an_empty_one_fail_with_different_messages() -> None:
    produced = run_program(producer).as_stack_outputs()
    missing = {k: v for k, v in produced.items() if k != "ci_client_id"}
    empty = {**produced, "ci_client_id": type(produced["ci_client_id"])(value=None, secret=True)}

    def consumer() -> None:
        pulumi.export("client_id", ServiceTokenReference(PRODUCER, "ci").client_id)

    with pytest.raises(Exception, match=r"has no output `ci_client_id`; pass ServiceTokenRef"):
        run_program(consumer, mocks=CloudflareMocks(stacks={PRODUCER: missing}))
    with pytest.raises(Exception, match=r"exports `ci_client_id` empty; run `pulumi up` in that"):
        run_program(consumer, mocks=CloudflareMocks(stacks={PRODUCER: empty}))


def test_one_stack_may_be_read_for_two_tokens() -> None:
    def two_tokens() -> None:
        for prefix in ("ci", "deploy"):
            token = ServiceTokenComponent(
                prefix, ServiceTokenArgs(name=prefix, account_id=ACCOUNT_ID)
            )
            export_service_token(prefix, token)

    mocks = CloudflareMocks(stacks={PRODUCER: run_program(two_tokens).as_stack_outputs()})

    def consumer() -> None:
        for prefix in ("ci", "deploy"):
            pulumi.export(prefix, ServiceTokenReference(PRODUCER, prefix).client_id)

    consumed = run_program(consumer, mocks=mocks).outputs

    assert consumed["ci"].value != consumed["deploy"].value


def test_two_references_to_the_same_token_are_refused_as_the_engine_refuses_them() -> None:
    mocks = CloudflareMocks(stacks={PRODUCER: run_program(producer).as_stack_outputs()})

    def consumer() -> None:
        ServiceTokenReference(PRODUCER, "ci")
        ServiceTokenReference(PRODUCER, "ci")

    with pytest.raises(Exception, match="Duplicate resource URN"):
        run_program(consumer, mocks=mocks)
