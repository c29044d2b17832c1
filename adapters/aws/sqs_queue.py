"""The shard queue on SQS (``ports.queue.ShardQueue``)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from adapters.aws.clients import SQS_SEND_THREADS
from adapters.aws.sqs_batches import FailedEntry, batches, check_size, send_batch
from domain.contract import ShardMessage
from ports.errors import TransientError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsSendRejected(Exception):
    """SQS refused a message as the sender's fault: retrying cannot help (a bug or a bad queue)."""


class SqsShardQueue:
    """One message per shard, sent ten to a SendMessageBatch call, the calls in parallel."""

    def __init__(
        self, client: SQSClient, queue_url: str, *, send_threads: int = SQS_SEND_THREADS
    ) -> None:
        self._client = client
        self._queue_url = queue_url
        self._send_threads = send_threads

    @property
    def queue_url(self) -> str:
        return self._queue_url

    def send(self, messages: Sequence[ShardMessage]) -> None:
        bodies = [m.to_json_bytes().decode("utf-8") for m in messages]
        for body in bodies:
            check_size(body)  # refuse the whole set before any of it is sent
        groups = [[bodies[i] for i in group] for group in batches(bodies)]
        if len(groups) <= 1:
            failures = [send_batch(self._client, self._queue_url, g) for g in groups]
        else:
            with ThreadPoolExecutor(
                max_workers=min(self._send_threads, len(groups)), thread_name_prefix="sqs-send"
            ) as pool:
                failures = list(pool.map(self._send_group, groups))
        _raise_for(failures, self._queue_url)

    def _send_group(self, bodies: list[str]) -> list[FailedEntry]:
        return send_batch(self._client, self._queue_url, bodies)


def _raise_for(failures: list[list[FailedEntry]], queue_url: str) -> None:
    unsent = [entry for group in failures for entry in group]
    if not unsent:
        return
    first = unsent[0]
    detail = f"{len(unsent)} message(s) not sent to {queue_url}; first: {first.code} {first.message}"
    if any(entry.sender_fault for entry in unsent):
        raise SqsSendRejected(detail)
    raise TransientError(detail)
