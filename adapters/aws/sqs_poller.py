"""A queue worker's side of SQS, shaped like Lambda's SQS event source mapping.

Receives a batch, hands it to a Lambda-style handler as an ``aws:sqs`` event, deletes every record
the handler did not report in ``batchItemFailures`` (those come back after the visibility timeout,
and move to the dead-letter queue after ``maxReceiveCount`` receives), and keeps extending the
batch's visibility while the handler runs, so a long shard is not handed to a second worker.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws.errors import transient_errors
from ports.errors import TransientError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

LambdaHandler = Callable[[dict[str, Any]], dict[str, Any]]
LONG_POLL_SECONDS = 20
DRAIN_POLL_SECONDS = 1


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str]
    message_attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BatchReport:
    received: int = 0
    succeeded: int = 0
    failed: int = 0


@dataclass(slots=True)
class WorkerReport:
    batches: int = 0
    received: int = 0
    succeeded: int = 0
    failed: int = 0
    transient_errors: list[str] = field(default_factory=list)

    def add(self, batch: BatchReport) -> None:
        self.batches += 1 if batch.received else 0
        self.received += batch.received
        self.succeeded += batch.succeeded
        self.failed += batch.failed


class SqsPoller:
    def __init__(self, client: SQSClient, queue_url: str, *, batch_size: int = 1) -> None:
        if not 1 <= batch_size <= 10:
            raise ValueError("batch_size must be from 1 to 10")
        self._client = client
        self._queue_url = queue_url
        self._batch_size = batch_size
        self._attributes: dict[str, str] | None = None

    @property
    def queue_url(self) -> str:
        return self._queue_url

    def queue_arn(self) -> str:
        return self._static_attributes()["QueueArn"]

    def visibility_timeout(self) -> int:
        return int(self._static_attributes()["VisibilityTimeout"])

    def _static_attributes(self) -> dict[str, str]:
        if self._attributes is None:
            with transient_errors(f"get attributes of {self._queue_url}"):
                response = self._client.get_queue_attributes(
                    QueueUrl=self._queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"]
                )
            self._attributes = {str(k): v for k, v in response["Attributes"].items()}
        return self._attributes

    def receive(self, wait_seconds: int = LONG_POLL_SECONDS) -> list[ReceivedMessage]:
        with transient_errors(f"receive from {self._queue_url}"):
            response = self._client.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._batch_size,
                WaitTimeSeconds=wait_seconds,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
        return [
            ReceivedMessage(
                message_id=m["MessageId"],
                receipt_handle=m["ReceiptHandle"],
                body=m["Body"],
                md5_of_body=m.get("MD5OfBody", ""),
                attributes={str(k): v for k, v in m.get("Attributes", {}).items()},
                message_attributes=dict(m.get("MessageAttributes", {})),
            )
            for m in response.get("Messages", ())
        ]

    def lambda_event(self, messages: Sequence[ReceivedMessage]) -> dict[str, Any]:
        """The event Lambda's SQS trigger would deliver for ``messages``."""
        arn = self.queue_arn()
        region = arn.split(":")[3] if arn.count(":") >= 5 else ""
        return {
            "Records": [
                {
                    "messageId": m.message_id,
                    "receiptHandle": m.receipt_handle,
                    "body": m.body,
                    "attributes": m.attributes,
                    "messageAttributes": m.message_attributes,
                    "md5OfBody": m.md5_of_body,
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": region,
                }
                for m in messages
            ]
        }

    def poll_once(self, handle: LambdaHandler, *, wait_seconds: int = LONG_POLL_SECONDS) -> BatchReport:
        messages = self.receive(wait_seconds)
        if not messages:
            return BatchReport()
        event = self.lambda_event(messages)
        with _VisibilityHeartbeat(self._client, self._queue_url, messages, self.visibility_timeout()):
            response = handle(event)
        failed_ids = _failed_ids(response, messages)
        self.delete([m for m in messages if m.message_id not in failed_ids])
        return BatchReport(
            received=len(messages), succeeded=len(messages) - len(failed_ids), failed=len(failed_ids)
        )

    def delete(self, messages: Sequence[ReceivedMessage]) -> None:
        """Delete ``messages``; one that cannot be deleted comes back later and is skipped then
        (its shard's success outcome exists), so a failed delete costs only a receive."""
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            with transient_errors(f"delete from {self._queue_url}"):
                self._client.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(chunk)
                    ],
                )

    def is_drained(self) -> bool:
        """No message waiting, in flight or delayed (SQS's counts are approximate on AWS)."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        with transient_errors(f"get attributes of {self._queue_url}"):
            response = self._client.get_queue_attributes(
                QueueUrl=self._queue_url,
                AttributeNames=names,  # type: ignore[arg-type]
            )
        counts = {str(k): v for k, v in response["Attributes"].items()}
        return all(int(counts.get(name, "0")) == 0 for name in names)

    def run(
        self,
        handle: LambdaHandler,
        *,
        drain: bool = False,
        until: Callable[[], bool] | None = None,
        stop: threading.Event | None = None,
        on_batch: Callable[[BatchReport], None] | None = None,
    ) -> WorkerReport:
        """Poll until ``stop`` is set, ``until()`` is true after a batch, or (``drain``) the queue
        is empty with nothing in flight. Transient SQS failures pause the loop briefly."""
        report = WorkerReport()
        stop = stop or threading.Event()
        # Draining, a short poll finds out quickly that the queue is empty; while messages are in
        # flight (a reported failure waiting out its visibility timeout) a 1 s long poll waits.
        wait_seconds = 0 if drain else LONG_POLL_SECONDS
        while not stop.is_set():
            try:
                batch = self.poll_once(handle, wait_seconds=wait_seconds)
                report.add(batch)
                if on_batch is not None:
                    on_batch(batch)
                if until is not None and until():
                    break
                if drain and not batch.received:
                    if self.is_drained():
                        break
                    wait_seconds = DRAIN_POLL_SECONDS
            except TransientError as exc:
                report.transient_errors.append(str(exc))
                stop.wait(1.0)
        return report


def _failed_ids(response: object, messages: Sequence[ReceivedMessage]) -> set[str]:
    """Message ids the handler reported; a malformed answer fails the whole batch, as on Lambda."""
    every_id = {m.message_id for m in messages}
    if not isinstance(response, dict) or not isinstance(response.get("batchItemFailures", []), list):
        return every_id
    failed: set[str] = set()
    for item in response.get("batchItemFailures", []):
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if identifier not in every_id:
            return every_id
        failed.add(identifier)
    return failed


class _VisibilityHeartbeat:
    """Extends a batch's visibility every half timeout while the handler runs."""

    def __init__(
        self,
        client: SQSClient,
        queue_url: str,
        messages: Sequence[ReceivedMessage],
        timeout_seconds: int,
    ) -> None:
        self._client = client
        self._queue_url = queue_url
        self._messages = messages
        self._timeout = timeout_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sqs-heartbeat", daemon=True)

    def __enter__(self) -> _VisibilityHeartbeat:
        if self._timeout > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        interval = max(self._timeout / 2, 0.5)
        while not self._stopped.wait(interval):
            # A failed beat is tried again at the next one; at worst a shard is delivered twice,
            # which is idempotent.
            with contextlib.suppress(BotoCoreError, ClientError):
                self._client.change_message_visibility_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": self._timeout}
                        for i, m in enumerate(self._messages)
                    ],
                )
