"""SQS events → ``execute_shard`` for each record → ``{"batchItemFailures": [...]}``.

One bad record never fails the batch: it is reported alone, and SQS redelivers only it.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import structlog

from application.work_budget import WorkBudget
from domain.errors import MalformedShardMessage
from entrypoints.container import Container
from entrypoints.logs import get_logger
from ports.errors import TransientError

if TYPE_CHECKING:
    from application.execute_shard import ShardResult  # the module loads pyarrow: not at start-up


def is_sqs_event(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records
    )


def handle_sqs_event(
    event: dict[str, Any], container: Container, context: Any = None
) -> dict[str, Any]:
    """``context`` is the Lambda context: its remaining time and memory bound the invocation's
    work (docs/contract.md §4). An in-process caller may give it an ``on_shard_result`` callable,
    told the result of every record that is done with."""
    budget: WorkBudget = container.work_budget(
        remaining_ms=_remaining_ms(context),
        memory_mb=_int_or_none(getattr(context, "memory_limit_in_mb", None)),
    )
    report = getattr(context, "on_shard_result", None)
    failures: list[dict[str, str]] = []
    for record in event["Records"]:
        message_id = str(record.get("messageId", ""))
        result = _process_record(record, container, budget)
        if result is None:
            failures.append({"itemIdentifier": message_id})
        elif callable(report):
            report(result)
    return {"batchItemFailures": failures}


def _process_record(
    record: dict[str, Any], container: Container, budget: WorkBudget
) -> ShardResult | None:
    """The result of a record that is done with (success, skipped, continued or a recorded
    failure); ``None`` for one to hand back to the queue."""
    log = get_logger().bind(message_id=record.get("messageId"))
    attempt = _attempt(record)
    started = time.perf_counter()
    body = record.get("body")
    with structlog.contextvars.bound_contextvars(**_trace_ids(body)):
        try:
            if not isinstance(body, str):
                raise MalformedShardMessage("the record has no text body")
            result: ShardResult = container.execute_shard(
                body, attempt=attempt, budget=budget, on_point=_log_point
            )
        except MalformedShardMessage as exc:
            log.error("shard_message_malformed", error=str(exc), attempt=attempt)
            return None
        except TransientError as exc:
            log.warning("shard_retryable_failure", error=str(exc), attempt=attempt)
            return None
        except Exception:
            log.exception("shard_unexpected_failure", attempt=attempt)
            return None
        wall_ms = round((time.perf_counter() - started) * 1000, 1)
        if result.status == "continued":
            log.info(
                "shard_continued",
                continuation=result.continuation,
                resume_index=result.resume_index,
                points=result.points_processed,
                reason=result.stop_reason,
                attempt=attempt,
                wall_ms=wall_ms,
            )
            return result
        log.info(
            "shard_done",
            status=result.status,
            points=result.points_processed,
            error_code=result.error_code,
            attempt=attempt,
            wall_ms=wall_ms,
        )
        return result


def _remaining_ms(context: Any) -> int | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return _int_or_none(remaining()) if callable(remaining) else None


def _int_or_none(value: object) -> int | None:
    """The Lambda runtime gives some figures as strings (``memory_limit_in_mb``)."""
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _trace_ids(body: object) -> dict[str, object]:
    """run_id and shard_id for the logs, read leniently: a malformed body is still logged."""
    try:
        message = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        message = None
    if not isinstance(message, dict):
        return {"run_id": None, "shard_id": None}
    return {"run_id": message.get("run_id"), "shard_id": message.get("shard_id")}


def _log_point(point_index: int) -> None:
    get_logger().debug("point_done", point_index=point_index)


def _attempt(record: dict[str, Any]) -> int:
    attributes = record.get("attributes") or {}
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", 1)))
    except (TypeError, ValueError):
        return 1
