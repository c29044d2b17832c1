"""The parts of the AWS adapters the contract tests cannot reach: batching limits, partial batch
failures, error mapping, conditional-write conflicts, the worker's visibility heartbeat and the
redrive paths. Wire tests run against moto server; the few failure modes moto cannot produce use
botocore's Stubber on a real client."""

from __future__ import annotations

import io
import threading
import uuid
from typing import Any

import pytest
from botocore.config import Config
from botocore.response import StreamingBody
from botocore.stub import Stubber

from adapters.aws.clients import make_client
from adapters.aws.s3_blob_store import S3BlobStore
from adapters.aws.sqs_batches import MAX_BATCH_BYTES, MessageTooLarge, batches
from adapters.aws.sqs_poller import SqsPoller
from adapters.aws.sqs_queue import SqsShardQueue
from adapters.aws.sqs_redrive import redrive
from ports.errors import TransientError
from tests.conftest import moto_client
from tests.fixtures import shard_messages

pytestmark = pytest.mark.moto


def new_queue(sqs: Any, **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:12]}", Attributes=attributes)["QueueUrl"]
    return url


def depth(sqs: Any, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[n]) for n in names)


class EntriesFailOnce:
    """A real SQS client whose first SendMessageBatch reports its first entry as failed (SQS may
    do this for its own reasons) without sending it."""

    def __init__(self, client: Any, always: bool = False) -> None:
        self._client = client
        self._always = always
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls > 1 and not self._always:
            return dict(self._client.send_message_batch(QueueUrl=QueueUrl, Entries=Entries))
        first, rest = Entries[0], Entries[1:]
        sent = self._client.send_message_batch(QueueUrl=QueueUrl, Entries=rest) if rest else {}
        failure = {"Id": first["Id"], "SenderFault": False, "Code": "InternalError", "Message": "try again"}
        return {"Successful": sent.get("Successful", []), "Failed": [failure]}


def test_a_batch_holds_at_most_ten_messages_and_256_kib() -> None:
    over_half = "y" * (MAX_BATCH_BYTES // 2 + 1)  # no two of these fit in one batch
    bodies = ["x" * 100] * 25 + [over_half] * 3

    groups = list(batches(bodies))

    assert [len(g) for g in groups] == [10, 10, 6, 1, 1]
    assert sum(len(g) for g in groups) == len(bodies)


def test_a_message_over_256_kib_is_refused_before_anything_is_sent(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs)
    [message] = shard_messages(1)
    huge = message.model_copy(update={"dimensions": {"num_riders": list(range(1, 60_000))}})

    with pytest.raises(MessageTooLarge):
        SqsShardQueue(moto_sqs, url).send([message, huge])

    assert depth(moto_sqs, url) == 0


def test_an_entry_sqs_fails_is_sent_again_and_arrives_once(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs)
    flaky = EntriesFailOnce(moto_sqs)

    SqsShardQueue(flaky, url).send(shard_messages(3))  # type: ignore[arg-type]

    assert flaky.calls == 2
    assert depth(moto_sqs, url) == 3


def test_an_entry_that_keeps_failing_raises_transient_error(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs)

    with pytest.raises(TransientError, match="1 message"):
        SqsShardQueue(EntriesFailOnce(moto_sqs, always=True), url).send(shard_messages(3))  # type: ignore[arg-type]


@pytest.mark.parametrize("service", ["s3", "sqs"])
def test_an_unreachable_endpoint_is_a_transient_error(service: str) -> None:
    fast = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=1)
    client = moto_client(service, "http://127.0.0.1:9", config=fast)  # port 9: nothing listens

    with pytest.raises(TransientError):
        if service == "s3":
            S3BlobStore(client, "bucket").put("k", b"v")
        else:
            SqsShardQueue(client, "http://127.0.0.1:9/123456789012/q").send(shard_messages(1))


def test_the_container_way_of_making_clients_honours_aws_endpoint_url(aws_env: str) -> None:
    assert make_client("s3").meta.endpoint_url == aws_env
    assert make_client("sqs").meta.endpoint_url == aws_env


def test_a_missing_bucket_is_a_bug_not_a_transient_error(moto_s3: Any) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        S3BlobStore(moto_s3, f"missing-{uuid.uuid4().hex[:8]}").put("k", b"v")

    assert not isinstance(raised.value, TransientError)


def test_a_conditional_write_conflict_is_retried_until_s3_settles_it() -> None:
    client = moto_client("s3", "http://127.0.0.1:9")
    store = S3BlobStore(client, "bucket")
    with Stubber(client) as stub:
        stub.add_client_error("put_object", "ConditionalRequestConflict", http_status_code=409)
        stub.add_client_error("put_object", "PreconditionFailed", http_status_code=412)

        created = store.create_if_absent("runs/run_id=r/manifest.json", b"mine")

        stub.assert_no_pending_responses()
    assert created is False


def test_a_412_answering_our_own_retried_write_counts_as_created() -> None:
    client = moto_client("s3", "http://127.0.0.1:9")
    store = S3BlobStore(client, "bucket")
    with Stubber(client) as stub:
        stub.add_client_error(
            "put_object", "PreconditionFailed", http_status_code=412, response_meta={"RetryAttempts": 1}
        )
        stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(b"mine"), 4)})

        created = store.create_if_absent("runs/run_id=r/manifest.json", b"mine")

    assert created is True


def test_the_worker_keeps_a_long_shard_hidden_from_other_workers(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs, VisibilityTimeout="2")  # a beat every second, each adding 2 s
    moto_sqs.send_message(QueueUrl=url, MessageBody="long shard")
    release = threading.Event()
    seen_by_other_worker: list[int] = []

    def long_handler(event: dict[str, Any]) -> dict[str, Any]:
        # Another worker polls for longer than the visibility timeout while this shard runs.
        other = moto_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3, VisibilityTimeout=0)
        seen_by_other_worker.append(len(other.get("Messages", [])))
        release.set()
        return {"batchItemFailures": []}

    report = SqsPoller(moto_sqs, url).poll_once(long_handler, wait_seconds=1)

    assert release.is_set()
    assert seen_by_other_worker == [0]
    assert report.succeeded == 1
    assert depth(moto_sqs, url) == 0


def test_the_worker_deletes_what_succeeded_and_leaves_reported_failures(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs, VisibilityTimeout="0")
    for body in ("ok-1", "fails", "ok-2"):
        moto_sqs.send_message(QueueUrl=url, MessageBody=body)

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        assert all(r["eventSource"] == "aws:sqs" and r["awsRegion"] == "us-east-1" for r in event["Records"])
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "fails"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    report = SqsPoller(moto_sqs, url, batch_size=10).poll_once(handler, wait_seconds=1)
    left = moto_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    assert (report.received, report.succeeded, report.failed) == (3, 2, 1)
    assert [m["Body"] for m in left] == ["fails"]


def test_a_malformed_handler_answer_leaves_the_whole_batch_for_redelivery(moto_sqs: Any) -> None:
    url = new_queue(moto_sqs, VisibilityTimeout="0")
    moto_sqs.send_message(QueueUrl=url, MessageBody="a")

    report = SqsPoller(moto_sqs, url).poll_once(
        lambda event: {"batchItemFailures": [{"itemIdentifier": "not-a-message-id"}]}, wait_seconds=1
    )

    assert report.failed == 1
    assert depth(moto_sqs, url) == 1


def test_receive_send_delete_redrive_moves_every_body_back(moto_sqs: Any) -> None:
    dlq, source = new_queue(moto_sqs), new_queue(moto_sqs)
    bodies = {f"shard-{i}" for i in range(13)}
    for body in bodies:
        moto_sqs.send_message(QueueUrl=dlq, MessageBody=body)

    result = redrive(moto_sqs, dlq_url=dlq, queue_url=source)

    moved: set[str] = set()
    while messages := moto_sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages"):
        moved.update(m["Body"] for m in messages)
    assert (result.method, result.moved, result.not_moved) == ("receive-send", 13, 0)
    assert moved == bodies
    assert depth(moto_sqs, dlq) == 0


def test_on_aws_a_redrive_is_a_message_move_task_awaited_to_completion() -> None:
    client = moto_client("sqs", "https://sqs.eu-west-1.amazonaws.com")
    arn = "arn:aws:sqs:eu-west-1:123456789012:"
    naps: list[float] = []
    with Stubber(client) as stub:
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": arn + "dlq"}})
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": arn + "shards"}})
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "h-1"},
            {"SourceArn": arn + "dlq", "DestinationArn": arn + "shards"},
        )
        running = {"TaskHandle": "h-1", "Status": "RUNNING"}
        done = {"TaskHandle": "h-1", "Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 7}
        stub.add_response("list_message_move_tasks", {"Results": [running]})
        stub.add_response("list_message_move_tasks", {"Results": [done]})

        result = redrive(
            client, dlq_url="https://dlq", queue_url="https://shards", sleep=naps.append
        )

    assert (result.method, result.moved) == ("move-task", 7)
    assert len(naps) == 1
