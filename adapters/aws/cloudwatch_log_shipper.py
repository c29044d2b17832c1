"""Ships this process's JSON log lines to a CloudWatch log group, as the Lambda runtime does for the
deployed workers: so `ridesweep logs --backend aws` tells the story of shards that a
`ridesweep worker` ran elsewhere (a machine of yours, or moto server on loopback).

Lines are batched on a background thread and sent with ``PutLogEvents`` at most every
``flush_seconds`` (or sooner, once a batch nears the API's limits); ``close`` sends the rest. A
failed send is reported once on stderr and the lines are dropped: logging never stops the work.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from adapters.log_events import iso_utc

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_000_000  # the API's limit is 1,048,576 bytes, counting 26 bytes per event
EVENT_OVERHEAD = 26


class CloudWatchLogShipper:
    def __init__(self, client: CloudWatchLogsClient, log_group: str, *, flush_seconds: float = 1.0) -> None:
        self._client = client
        self._group = log_group
        self._stream = f"ridesweep-worker/{time.strftime('%Y/%m/%d')}/{uuid.uuid4().hex[:12]}"
        self._flush_seconds = flush_seconds
        self._pending: list[InputLogEventTypeDef] = []
        self._pending_bytes = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._warned = False
        self._stream_created = False
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._thread.start()

    def __call__(self, line: str) -> None:
        """Queue one JSON line (its ``timestamp`` field, else now, becomes the event's time)."""
        size = len(line.encode("utf-8")) + EVENT_OVERHEAD
        with self._lock:
            self._pending.append({"timestamp": _millis(line), "message": line})
            self._pending_bytes += size
            full = len(self._pending) >= MAX_BATCH_EVENTS or self._pending_bytes >= MAX_BATCH_BYTES
        if full:
            self._wake.set()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self._flush()
        self._flush()

    def _flush(self) -> None:
        with self._lock:
            batch, self._pending, self._pending_bytes = self._pending, [], 0
        if not batch:
            return
        try:
            self._ensure_stream()
            for start in range(0, len(batch), MAX_BATCH_EVENTS):
                chunk = sorted(batch[start : start + MAX_BATCH_EVENTS], key=lambda e: e["timestamp"])
                self._client.put_log_events(
                    logGroupName=self._group, logStreamName=self._stream, logEvents=chunk
                )
        except (BotoCoreError, ClientError) as exc:
            if not self._warned:
                self._warned = True
                with contextlib.suppress(ValueError, OSError):
                    print(
                        f"log lines not sent to CloudWatch log group {self._group!r}: {exc}",
                        file=sys.stderr,
                    )

    def _ensure_stream(self) -> None:
        if self._stream_created:
            return
        with contextlib.suppress(self._client.exceptions.ResourceAlreadyExistsException):
            self._client.create_log_stream(logGroupName=self._group, logStreamName=self._stream)
        self._stream_created = True


def _millis(line: str) -> int:
    try:
        stamp = json.loads(line).get("timestamp")
    except (ValueError, AttributeError):
        stamp = None
    try:
        return int(datetime.fromisoformat(iso_utc(stamp)).timestamp() * 1000)
    except ValueError:
        return int(time.time() * 1000)
