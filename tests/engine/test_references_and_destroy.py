"""Stack references between two real stacks, and destroy."""

import json
from pathlib import Path

from . import programs
from .harness import LocalCloudflare, python_project, root_stack
from .stories import CI_TOKEN

TOKENS = {"ci": CI_TOKEN}


def test_a_consumer_stack_reads_the_token_and_keeps_its_secrets_secret(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    producer = root_stack(tmp_path / "producer", engine, cloud, TOKENS)
    producer.up()
    produced = producer.outputs(show_secrets=True)
    consumer = python_project(
        tmp_path / "consumer",
        engine,
        cloud,
        programs.token_consumer,
        name="consumer",
        config={"consumer:producer": producer.qualified_stack},
        backend=producer.backend,
    )

    consumer.up()

    revealed = consumer.outputs(show_secrets=True)
    assert revealed["token_id"] == produced["ci_token_id"]
    assert revealed["client_id"] == produced["ci_client_id"]
    assert revealed["client_secret"] == produced["ci_client_secret"]
    assert revealed["headers"]["CF-Access-Client-Secret"] == produced["ci_client_secret"]
    shown = consumer.outputs()
    for name in ("client_secret", "headers", "single_header_value"):
        assert shown[name] == "[secret]"
    secret = produced["ci_client_secret"]
    assert secret not in json.dumps(consumer.export())
    assert secret not in consumer.state_file()


def test_destroy_removes_every_token_policy_and_alert(
    tmp_path: Path, engine: Path, cloud: LocalCloudflare
):
    stack = root_stack(tmp_path / "root", engine, cloud, TOKENS)
    stack.up()
    assert cloud.api.tokens() and cloud.api.policies() and cloud.api.alerts()

    stack.destroy()

    assert cloud.api.tokens() == []
    assert cloud.api.policies() == []
    assert cloud.api.alerts() == []
