"""SQS events → ``execute_shard`` for each record → ``{"batchItemFailures": [...]}``.

One bad record never fails the batch: it is reported alone, and SQS redelivers only it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import structlog

from domain.errors import MalformedShardMessage
from entrypoints.container import Container
from entrypoints.logs import get_logger
from ports.errors import TransientError


def is_sqs_event(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records
    )


def handle_sqs_event(event: dict[str, Any], container: Container) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for record in event["Records"]:
        message_id = str(record.get("messageId", ""))
        if not _process_record(record, container):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _process_record(record: dict[str, Any], container: Container) -> bool:
    """True when the record is done with (success, skipped or a recorded failure)."""
    log = get_logger().bind(message_id=record.get("messageId"))
    attempt = _attempt(record)
    started = time.perf_counter()
    body = record.get("body")
    with structlog.contextvars.bound_contextvars(**_trace_ids(body)):
        try:
            if not isinstance(body, str):
                raise MalformedShardMessage("the record has no text body")
            result = container.execute_shard(body, attempt=attempt, on_point=_log_point)
        except MalformedShardMessage as exc:
            log.error("shard_message_malformed", error=str(exc), attempt=attempt)
            return False
        except TransientError as exc:
            log.warning("shard_retryable_failure", error=str(exc), attempt=attempt)
            return False
        except Exception:
            log.exception("shard_unexpected_failure", attempt=attempt)
            return False
        log.info(
            "shard_done",
            status=result.status,
            points=result.points_processed,
            error_code=result.error_code,
            attempt=attempt,
            wall_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return True


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
