"""The events that tell a run's story (entrypoints/logs.py lists them), logged in one place for
every entrypoint: the API and the CLI when a run is submitted, the SQS worker and the local runner
around each shard.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog

from entrypoints.logs import get_logger

if TYPE_CHECKING:
    from application.execute_shard import ShardResult
    from application.submit_sweep import SubmitResult
    from domain.contract import ShardMessage
    from entrypoints.container import Container
    from ports.dead_letters import RedriveResult


def log_submitted(result: SubmitResult) -> None:
    """``run_accepted`` (a new run, or a resend that resumes it), then ``shards_enqueued``."""
    manifest = result.manifest
    log = get_logger().bind(run_id=manifest.run_id)
    log.info(
        "run_accepted",
        status=result.status,
        run_date=manifest.run_date,
        total_points=manifest.total_points,
        replicates=manifest.replicates,
        total_simulations=manifest.total_simulations,
        shard_count=manifest.shard_count,
        request_fingerprint=manifest.request_fingerprint,
        request_source=manifest.source.request_source,
    )
    log.info(
        "shards_enqueued",
        shards=len(result.dispatched),
        points=result.points_dispatched,
        simulations=result.points_dispatched * manifest.replicates,
    )


def log_redriven(result: RedriveResult) -> None:
    """``run_redriven`` for each run whose messages moved back to the queue; one event without a
    run when the method moved them unseen (an SQS message move task)."""
    if result.by_run:
        for run_id, messages in sorted(result.by_run.items()):
            get_logger().info("run_redriven", run_id=run_id, messages=messages, method=result.method)
    elif result.moved:
        get_logger().info("run_redriven", run_id=None, messages=result.moved, method=result.method)


def trace_ids(body: object) -> dict[str, Any]:
    """``run_id`` and ``shard_id`` for the logs, read leniently: a malformed body is still logged."""
    try:
        message = json.loads(body) if isinstance(body, str | bytes) else None
    except ValueError:
        message = None
    if not isinstance(message, dict):
        return {"run_id": None, "shard_id": None}
    return {"run_id": message.get("run_id"), "shard_id": message.get("shard_id")}


def execute_logged(
    container: Container,
    body: str | bytes,
    *,
    attempt: int,
    on_point: Callable[[int], None] | None = None,
    **execute_options: Any,
) -> ShardResult:
    """``execute_shard`` with its story: ``shard_started`` when it starts work, then
    ``shard_finished`` (points, duration, simulations per second), ``shard_failed`` (with its
    ``error_code``) or ``shard_cancelled``. Errors propagate for the caller to classify."""
    started = time.perf_counter()
    replicates = 1

    def on_start(message: ShardMessage) -> None:
        nonlocal replicates, started
        replicates = message.replicates
        started = time.perf_counter()  # the shard's own time, not the worker's start-up
        get_logger().info(
            "shard_started",
            attempt=attempt,
            start_index=message.start_index,
            end_index_exclusive=message.end_index_exclusive,
            points=message.end_index_exclusive - message.start_index,
            replicates=message.replicates,
        )

    def point_done(point_index: int) -> None:
        with structlog.contextvars.bound_contextvars(point_index=point_index):
            get_logger().debug("point_done")
        if on_point is not None:
            on_point(point_index)

    with structlog.contextvars.bound_contextvars(**trace_ids(body)):
        result: ShardResult = container.execute_shard(
            body, attempt=attempt, on_point=point_done, on_start=on_start, **execute_options
        )
        _log_result(result, attempt, time.perf_counter() - started, replicates)
    return result


def _log_result(result: ShardResult, attempt: int, seconds: float, replicates: int) -> None:
    log = get_logger().bind(
        attempt=attempt, points=result.points_processed, duration_ms=round(seconds * 1000)
    )
    if result.status == "succeeded":
        simulations = result.points_processed * replicates
        log.info(
            "shard_finished",
            simulations=simulations,
            simulations_per_second=round(simulations / seconds, 2) if seconds > 0 else None,
        )
    elif result.status == "failed":
        log.error("shard_failed", error_code=result.error_code)
    elif result.status == "cancelled":
        log.info("shard_cancelled", error_code=result.error_code)
    elif result.status == "continued":
        log.info(
            "shard_continued",
            continuation=result.continuation,
            resume_index=result.resume_index,
            reason=result.stop_reason,
        )
    else:
        log.debug("shard_skipped", status=result.status)
