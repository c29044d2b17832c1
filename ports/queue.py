from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.contract import ShardMessage


class ShardQueue(Protocol):
    """Where shard messages go to be picked up by workers (SQS, or an in-process list)."""

    def send(self, messages: Sequence[ShardMessage]) -> None:
        """Enqueue every message or raise ``ports.errors.TransientError``.

        A partial failure may leave some messages enqueued: callers resend the whole set, and
        workers are idempotent, so a duplicate costs only time.
        """


class ShardInbox(Protocol):
    """The receiving end of an in-process shard queue, drained by the local runner and server."""

    def take_all(self) -> list[bytes]:
        """Remove and return every waiting message body, oldest first."""

    def put_back(self, bodies: list[bytes]) -> None:
        """Return taken messages, as an expired visibility timeout would."""

    def wait_for_messages(self, timeout: float) -> bool:
        """``True`` as soon as a message waits; ``False`` after ``timeout`` seconds without one."""
