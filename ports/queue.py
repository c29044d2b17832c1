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
