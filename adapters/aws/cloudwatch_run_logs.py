"""A run's story from CloudWatch Logs Insights over the runtime log group (``ports.run_logs``).

The query is the package's ``run_story.logsinsights``, the very file Terraform saves as the console
query, with the run id in place of its ``RUN_ID`` placeholder (run ids match the contract's pattern,
so they need no quoting). ``start_query``, then ``get_query_results`` every ``poll_seconds`` until
the query completes or ``timeout_seconds`` pass (then ``stop_query``, and ``LogsUnavailable``).

Each row's ``@message`` is the whole JSON line the runtime wrote, so every field of the event is
read from it (the query's ``fields`` list only chooses the console's columns); a row without one
is read from its fields. Rows of other runs are dropped here too, which costs nothing on AWS and
keeps the adapter right on endpoints that ignore ``filter``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from adapters.aws.errors import error_code, transient_errors
from adapters.log_events import log_event_of
from ports.run_logs import LogEvent, LogsUnavailable, RunLogEvents

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

QUERY_PACKAGE = "adapters.aws.queries"
QUERY_FILE = "run_story.logsinsights"
PLACEHOLDER = "RUN_ID"
RESULT_LIMIT = 10_000  # the most rows Logs Insights returns for one query
_DONE = {"Complete", "Failed", "Cancelled", "Timeout"}


def run_story_query(run_id: str) -> str:
    text = (resources.files(QUERY_PACKAGE) / QUERY_FILE).read_text(encoding="utf-8")
    return text.replace(PLACEHOLDER, run_id)


class CloudWatchRunLogs:
    def __init__(
        self,
        client: CloudWatchLogsClient,
        log_group: str,
        *,
        timeout_seconds: float = 60.0,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._log_group = log_group
        self._timeout = timeout_seconds
        self._poll = poll_seconds
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now

    def events_of(self, run_id: str, *, since: datetime) -> RunLogEvents:
        query_id = self._start(run_id, since)
        deadline = self._monotonic() + self._timeout
        while True:
            with transient_errors(f"get the results of Logs Insights query {query_id}"):
                answer = self._client.get_query_results(queryId=query_id)
            status = answer.get("status", "")
            if status == "Complete":
                rows = answer.get("results", [])
                return RunLogEvents(parse_rows(rows, run_id), truncated=len(rows) >= RESULT_LIMIT)
            if status in _DONE:
                raise LogsUnavailable(
                    f"the Logs Insights query over {self._log_group} ended {status.lower()}"
                )
            if self._monotonic() >= deadline:
                self._stop(query_id)
                raise LogsUnavailable(
                    f"the Logs Insights query over {self._log_group} did not finish in "
                    f"{self._timeout:g} s (stopped); run again, or give --timeout more seconds"
                )
            self._sleep(self._poll)

    def _start(self, run_id: str, since: datetime) -> str:
        try:
            with transient_errors(f"start a Logs Insights query over {self._log_group}"):
                started = self._client.start_query(
                    logGroupName=self._log_group,
                    startTime=int(since.timestamp()),
                    endTime=int(self._now().timestamp()) + 60,
                    queryString=run_story_query(run_id),
                    limit=RESULT_LIMIT,
                )
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise LogsUnavailable(
                    f"there is no log group {self._log_group!r}: set RUNTIME_LOG_GROUP (or --log-group) "
                    "to the runtime_log_group output of the Terraform stack"
                ) from None
            raise
        return str(started["queryId"])

    def _stop(self, query_id: str) -> None:
        with contextlib.suppress(ClientError):  # it may have just finished: we stop waiting anyway
            self._client.stop_query(queryId=query_id)


def parse_rows(rows: Sequence[Sequence[Mapping[str, Any]]], run_id: str) -> tuple[LogEvent, ...]:
    """Rows of ``get_query_results`` (each a list of ``{"field", "value"}``) as events of ``run_id``,
    oldest first."""
    events: list[LogEvent] = []
    for row in rows:
        cells = {str(cell.get("field", "")): str(cell.get("value", "")) for cell in row}
        record = _record_of(cells)
        event = log_event_of(record)
        if event is not None and str(event.fields.get("run_id")) == run_id:
            events.append(event)
    return tuple(sorted(events, key=lambda e: e.timestamp))


def _record_of(cells: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    message = cells.get("@message")
    if message:
        try:
            parsed = json.loads(message)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            record.update(parsed)
    for name, value in cells.items():
        if not name.startswith("@") and name not in record and value != "":
            record[name] = value
    if "timestamp" not in record:
        record["timestamp"] = cells.get("@timestamp")
    return record
