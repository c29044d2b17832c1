"""SendMessageBatch with the retries SQS leaves to the caller: a batch call can succeed while some
of its entries fail, and only those entries are sent again."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.aws.errors import transient_errors
from domain.contract import MAX_MESSAGE_BYTES

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = MAX_MESSAGE_BYTES  # SQS caps a whole batch's payload at the single-message limit
ENTRY_ATTEMPTS = 4


class MessageTooLarge(ValueError):
    """A message body over SQS's limit: the planner should have refused its request (a bug)."""


@dataclass(frozen=True, slots=True)
class FailedEntry:
    index: int
    code: str
    message: str
    sender_fault: bool


def check_size(body: str) -> int:
    size = len(body.encode("utf-8"))
    if size > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"a message of {size:,} bytes exceeds SQS's {MAX_MESSAGE_BYTES:,} bytes")
    return size


def batches(bodies: Sequence[str]) -> Iterator[list[int]]:
    """Indexes of ``bodies`` grouped for SendMessageBatch: at most 10 entries and 256 KiB each."""
    group: list[int] = []
    group_bytes = 0
    for index, body in enumerate(bodies):
        size = check_size(body)
        if group and (len(group) == MAX_BATCH_ENTRIES or group_bytes + size > MAX_BATCH_BYTES):
            yield group
            group, group_bytes = [], 0
        group.append(index)
        group_bytes += size
    if group:
        yield group


def send_batch(
    client: SQSClient, queue_url: str, bodies: Sequence[str], *, attempts: int = ENTRY_ATTEMPTS
) -> list[FailedEntry]:
    """Send up to 10 bodies; entries SQS refuses for its own reasons are retried ``attempts`` times.

    Returns what is still unsent (entries refused as the sender's fault are not retried). A whole
    call that fails transiently raises ``TransientError``.
    """
    pending = list(range(len(bodies)))
    failed: list[FailedEntry] = []
    for attempt in range(1, attempts + 1):
        with transient_errors(f"send {len(pending)} message(s) to {queue_url}"):
            response = client.send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "MessageBody": bodies[i]} for i in pending],
            )
        failed = [
            FailedEntry(
                index=int(entry["Id"]),
                code=entry.get("Code", ""),
                message=entry.get("Message", ""),
                sender_fault=bool(entry.get("SenderFault")),
            )
            for entry in response.get("Failed", ())
        ]
        pending = [f.index for f in failed if not f.sender_fault]
        if not pending:
            break
        if attempt < attempts:
            time.sleep(0.05 * 2**attempt)
    return failed
