"""This process as a Lambda worker of the SQS shard queue: `ridesweep worker`, and the shard workers
of `ridesweep run --backend aws`.

Each received batch goes to the deployed Lambda handler as the SQS trigger would deliver it, so a
shard runs here exactly as it runs on AWS (logging, retry classification, batch item failures).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from entrypoints.logs import configure_logging
from ports.workers import PointsCallback

if TYPE_CHECKING:
    from application.execute_shard import ShardResult
    from entrypoints.handler import Handler

LambdaInvoke = Callable[[dict[str, Any]], dict[str, Any]]


class PollReport(Protocol):
    received: int
    succeeded: int
    failed: int
    transient_errors: list[str]


class QueuePoller(Protocol):
    """A queue's receiving side shaped like Lambda's event source mapping (the SQS poller)."""

    @property
    def queue_url(self) -> str: ...

    def run(
        self,
        handle: LambdaInvoke,
        *,
        drain: bool = False,
        until: Callable[[], bool] | None = None,
        stop: threading.Event | None = None,
    ) -> PollReport: ...


@dataclass(frozen=True, slots=True)
class InvocationContext:
    """What the Lambda runtime passes as ``context``; the worker gives each batch its own id. It
    has no invocation timeout (``SHARD_DEADLINE_SECONDS`` bounds each shard message instead), and
    ``on_shard_result`` hears of every record the handler is done with."""

    aws_request_id: str
    on_shard_result: Callable[[ShardResult], None] | None = None


def invoke_as_lambda(
    handler: Handler, on_shard_result: Callable[[ShardResult], None] | None = None
) -> LambdaInvoke:
    """``handler`` called as the SQS trigger would call it, with a fresh request id per batch."""
    return lambda event: handler(
        event, InvocationContext(f"worker-{uuid.uuid4()}", on_shard_result=on_shard_result)
    )


def work_queue(
    poller: QueuePoller,
    handler: Handler,
    *,
    drain: bool,
    on_shard_result: Callable[[ShardResult], None] | None = None,
) -> PollReport:
    return poller.run(invoke_as_lambda(handler, on_shard_result), drain=drain)


class SqsWorkers:
    """``ports.workers.ShardWorkers`` on the SQS shard queue: this process receives batches until the
    run is finished or the queue holds nothing more."""

    def __init__(self, poller: QueuePoller, handler: Handler, *, processes: int = 1) -> None:
        if processes != 1:
            raise ValueError("more worker processes are for the local backend; start more workers")
        self._poller = poller
        self._handler = handler
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def work(self, finished: Callable[[], bool], on_points: PointsCallback | None = None) -> None:
        configure_logging("WARNING")  # progress is reported per shard; retryable failures still show

        def count(result: ShardResult) -> None:
            if on_points is not None and result.points_processed:
                on_points(result.points_processed)

        self._poller.run(invoke_as_lambda(self._handler, count), drain=True, until=finished, stop=self._stop)
