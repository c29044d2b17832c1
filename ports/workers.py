from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

PointsCallback = Callable[[int], None]


class ShardWorkers(Protocol):
    """Whatever executes queued shard messages: worker processes on this machine, or this process
    working the SQS queue as the Lambda trigger would."""

    def work(self, finished: Callable[[], bool], on_points: PointsCallback | None = None) -> None:
        """Execute queued shards until ``finished()`` is true, nothing is left to take, or
        ``stop()``; ``on_points(n)`` reports ``n`` more points done."""

    def stop(self) -> None:
        """Stop handing out shards; running ones stop at their next point (or, on a queue, after
        the batch in hand), so ``work`` returns soon. Safe to call from a signal handler."""
