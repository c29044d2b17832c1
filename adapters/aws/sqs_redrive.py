"""Moving dead-lettered shard messages back to the queue they came from.

On AWS, ``StartMessageMoveTask`` does it server-side; other endpoints (moto server, for one) get
receive → send → delete, and a message leaves the dead-letter queue only after its copy was sent.
Either way a message may arrive twice, which costs a skipped shard, never a wrong result.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from adapters.aws.errors import error_code, transient_errors
from adapters.aws.sqs_batches import send_batch
from adapters.aws.sqs_poller import SqsPoller
from ports.dead_letters import RedriveMethod, RedriveResult, run_id_of_body

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_UNSUPPORTED = {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction"}


class SqsDeadLetters:
    """The shard queue's dead-letter queue (``ports.dead_letters.DeadLetters``)."""

    def __init__(self, client: SQSClient, *, dlq_url: str, queue_url: str) -> None:
        self._client = client
        self._dlq_url = dlq_url
        self._queue_url = queue_url

    def move_back(self, method: RedriveMethod = "auto") -> RedriveResult:
        return redrive(self._client, dlq_url=self._dlq_url, queue_url=self._queue_url, method=method)


def redrive(
    client: SQSClient,
    *,
    dlq_url: str,
    queue_url: str,
    method: RedriveMethod = "auto",
    poll_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> RedriveResult:
    if method == "move-task" or (method == "auto" and _is_aws_endpoint(client)):
        try:
            return _move_task(client, dlq_url, queue_url, poll_seconds, sleep)
        except ClientError as exc:
            if method == "move-task" or error_code(exc) not in _UNSUPPORTED:
                raise
    return _receive_send_delete(client, dlq_url, queue_url)


def _is_aws_endpoint(client: SQSClient) -> bool:
    host = urlparse(client.meta.endpoint_url).hostname or ""
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _queue_arn(client: SQSClient, queue_url: str) -> str:
    with transient_errors(f"get attributes of {queue_url}"):
        response = client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return response["Attributes"]["QueueArn"]


def _move_task(
    client: SQSClient,
    dlq_url: str,
    queue_url: str,
    poll_seconds: float,
    sleep: Callable[[float], None],
) -> RedriveResult:
    source_arn = _queue_arn(client, dlq_url)
    with transient_errors(f"start a message move task from {dlq_url}"):
        task = client.start_message_move_task(
            SourceArn=source_arn, DestinationArn=_queue_arn(client, queue_url)
        )
    handle = task["TaskHandle"]
    while True:
        with transient_errors(f"list message move tasks of {dlq_url}"):
            tasks = client.list_message_move_tasks(SourceArn=source_arn, MaxResults=10)
        mine = next((t for t in tasks.get("Results", ()) if t.get("TaskHandle") == handle), None)
        if mine is not None and mine.get("Status") in ("COMPLETED", "FAILED", "CANCELLED"):
            moved = int(mine.get("ApproximateNumberOfMessagesMoved", 0))
            if mine["Status"] != "COMPLETED":
                raise RuntimeError(
                    f"message move task {mine['Status'].lower()} after {moved} message(s): "
                    f"{mine.get('FailureReason', 'no reason given')}"
                )
            return RedriveResult(moved=moved, method="move-task")
        sleep(poll_seconds)


def _receive_send_delete(client: SQSClient, dlq_url: str, queue_url: str) -> RedriveResult:
    dead_letters = SqsPoller(client, dlq_url, batch_size=10)
    moved = not_moved = 0
    seen: set[str] = set()
    by_run: Counter[str] = Counter()
    while True:
        messages = [m for m in dead_letters.receive(wait_seconds=1) if m.message_id not in seen]
        if not messages:
            return RedriveResult(
                moved=moved, method="receive-send", not_moved=not_moved, by_run=dict(by_run)
            )
        unsent = {f.index for f in send_batch(client, queue_url, [m.body for m in messages])}
        sent = [m for i, m in enumerate(messages) if i not in unsent]
        dead_letters.delete(sent)
        by_run.update(r for r in (run_id_of_body(m.body) for m in sent) if r is not None)
        moved += len(sent)
        not_moved += len(unsent)
        seen.update(m.message_id for m in messages)  # an unsent one stays for the next redrive
