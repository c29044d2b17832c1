"""One set of behaviour checks for every ShardQueue: the in-process queue and SQS through boto3
against moto server on loopback. Each implementation gets a small test-side receive helper."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.aws.sqs_queue import SqsShardQueue
from adapters.memory.queue import InMemoryShardQueue
from domain.contract import ShardMessage
from ports.queue import ShardQueue
from tests.fixtures import shard_messages


@dataclass
class QueueUnderTest:
    queue: ShardQueue
    receive_all: Callable[[], list[bytes]]


def _drain_sqs(client: Any, queue_url: str) -> list[bytes]:
    bodies: list[bytes] = []
    while True:
        response = client.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=30
        )
        messages = response.get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(m["Body"].encode() for m in messages)


@pytest.fixture(params=["memory", "sqs"])
def under_test(request: pytest.FixtureRequest) -> QueueUnderTest:
    if request.param == "memory":
        memory = InMemoryShardQueue()
        return QueueUnderTest(memory, memory.take_all)
    sqs: Any = request.getfixturevalue("moto_sqs")
    url = sqs.create_queue(QueueName=f"contract-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    return QueueUnderTest(SqsShardQueue(sqs, url), lambda: _drain_sqs(sqs, url))


def received(bodies: list[bytes]) -> list[ShardMessage]:
    return sorted(
        (ShardMessage.model_validate_json(body) for body in bodies), key=lambda m: m.shard_id
    )


def test_a_sent_message_arrives_as_its_json(under_test: QueueUnderTest) -> None:
    [message] = shard_messages(1)

    under_test.queue.send([message])

    assert under_test.receive_all() == [message.to_json_bytes()]


def test_more_messages_than_one_batch_each_arrive_once(under_test: QueueUnderTest) -> None:
    messages = shard_messages(37)

    under_test.queue.send(messages)

    assert received(under_test.receive_all()) == messages


def test_sending_nothing_enqueues_nothing(under_test: QueueUnderTest) -> None:
    under_test.queue.send([])

    assert under_test.receive_all() == []


def test_a_resend_after_a_partial_failure_only_duplicates(under_test: QueueUnderTest) -> None:
    messages = shard_messages(12)

    under_test.queue.send(messages[:5])
    under_test.queue.send(messages)

    arrived = received(under_test.receive_all())
    assert {m.shard_id for m in arrived} == {m.shard_id for m in messages}
    assert len(arrived) == 17


def test_a_continuation_arrives_with_its_part_and_resume_index(under_test: QueueUnderTest) -> None:
    [message] = shard_messages(1)
    continuation = message.continued(resume_index=1).continued(resume_index=2)

    under_test.queue.send([continuation])

    [body] = under_test.receive_all()
    arrived = ShardMessage.model_validate_json(body)
    assert (arrived.continuation, arrived.resume_index) == (2, 2)
    assert arrived.model_copy(update={"continuation": None, "resume_index": None}) == message


def test_a_first_message_carries_no_continuation_fields(under_test: QueueUnderTest) -> None:
    [message] = shard_messages(1)

    under_test.queue.send([message])

    [body] = under_test.receive_all()
    assert not {"continuation", "resume_index"} & set(json.loads(body))
