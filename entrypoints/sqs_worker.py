"""SQS events → ``execute_shard`` for each record → ``{"batchItemFailures": [...]}``.

One bad record never fails the batch: it is reported alone, and SQS redelivers only it. Each
record's events carry its ``sqs_message_id`` and ``receive_count``; a record handed back to the
queue is logged as ``shard_retried``, or as ``shard_dead_lettered`` on the queue's last receive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from application.work_budget import WorkBudget
from domain.errors import MalformedShardMessage
from entrypoints.container import Container
from entrypoints.logs import get_logger
from entrypoints.story import execute_logged, trace_ids
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
    """The result of a record that is done with (success, skipped, continued, cancelled or a
    recorded failure); ``None`` for one to hand back to the queue."""
    receive_count = _receive_count(record)
    body = record.get("body")
    ids = {**trace_ids(body), "sqs_message_id": record.get("messageId"), "receive_count": receive_count}
    with structlog.contextvars.bound_contextvars(**ids):
        log = get_logger()
        try:
            if not isinstance(body, str):
                raise MalformedShardMessage("the record has no text body")
            return execute_logged(container, body, attempt=receive_count, budget=budget)
        except MalformedShardMessage as exc:
            log.error("shard_message_malformed", error=str(exc))
            return None
        except TransientError as exc:
            _log_handed_back(container, receive_count, "transient_error", str(exc))
            return None
        except Exception as exc:
            _log_handed_back(container, receive_count, "unexpected_error", f"{type(exc).__name__}: {exc}")
            log.exception("shard_unexpected_failure")
            return None


def _log_handed_back(container: Container, receive_count: int, error_code: str, message: str) -> None:
    """The record goes back to the queue: retried later, or moved to the dead-letter queue when
    this was its last receive."""
    if receive_count >= container.settings().max_receive_count:
        get_logger().error("shard_dead_lettered", error_code=error_code, message=message)
    else:
        get_logger().warning("shard_retried", error_code=error_code, message=message)


def _remaining_ms(context: Any) -> int | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return _int_or_none(remaining()) if callable(remaining) else None


def _int_or_none(value: object) -> int | None:
    """The Lambda runtime gives some figures as strings (``memory_limit_in_mb``)."""
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _receive_count(record: dict[str, Any]) -> int:
    attributes = record.get("attributes") or {}
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", 1)))
    except (TypeError, ValueError):
        return 1
