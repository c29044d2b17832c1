"""The run story on AWS: the query the CLI sends is the package's file with the run id in place,
recorded Logs Insights answers are read into events, and the adapter polls until the query ends
or its time runs out (then stops it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from adapters.aws.cloudwatch_run_logs import CloudWatchRunLogs, parse_rows, run_story_query
from ports.run_logs import LogsUnavailable
from tests.harness import load_event

SINCE = datetime(2026, 11, 28, 9, 25, tzinfo=UTC)


class FakeLogsClient:
    """Answers ``get_query_results`` with the given statuses in turn, then the recorded results."""

    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.started: list[dict[str, Any]] = []
        self.stopped: list[str] = []

    def start_query(self, **arguments: Any) -> dict[str, str]:
        self.started.append(arguments)
        return {"queryId": "q-1"}

    def get_query_results(self, queryId: str) -> dict[str, Any]:
        status = self.statuses.pop(0) if self.statuses else "Complete"
        answer = load_event("logs_insights_run_story_results.json")
        return answer if status == "Complete" else {"results": [], "status": status}

    def stop_query(self, queryId: str) -> dict[str, bool]:
        self.stopped.append(queryId)
        return {"success": True}


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def adapter(client: FakeLogsClient, ticks: Ticks, timeout: float = 10.0) -> CloudWatchRunLogs:
    return CloudWatchRunLogs(
        client,  # type: ignore[arg-type]
        "/aws/lambda/ridesweep-runtime",
        timeout_seconds=timeout,
        poll_seconds=1.0,
        sleep=ticks.sleep,
        monotonic=lambda: ticks.now,
        now=lambda: datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
    )


def test_the_query_is_the_shipped_file_with_the_run_id_in_place_of_its_placeholder() -> None:
    shipped = (resources.files("adapters.aws.queries") / "run_story.logsinsights").read_text()

    assert run_story_query("demo-run-001") == shipped.replace("RUN_ID", "demo-run-001")
    assert '| filter run_id = "demo-run-001"' in run_story_query("demo-run-001")


def test_recorded_results_read_as_the_runs_events_oldest_first_with_every_field() -> None:
    rows = load_event("logs_insights_run_story_results.json")["results"]

    events = parse_rows(rows, "demo-run-001")

    assert [e.event for e in events] == [
        "run_accepted",
        "shards_enqueued",
        "shard_started",
        "shard_started",
        "shard_failed",
        "shard_finished",
    ]
    finished = events[-1]
    assert finished.timestamp == "2026-11-28T09:30:01.402000+00:00"
    assert (finished.fields["shard_id"], finished.fields["receive_count"]) == (0, 2)
    assert finished.fields["simulations_per_second"] == 6.41  # only in @message, not in `fields`
    assert events[4].level == "error" and events[4].fields["error_code"] == "injected_failure"


def test_rows_of_another_run_and_rows_that_are_not_events_are_left_out() -> None:
    other = [{"field": "@message", "value": json.dumps({"event": "shard_started", "run_id": "other"})}]
    stray = [{"field": "@message", "value": "START RequestId: 1 Version: $LATEST"}]

    assert parse_rows([other, stray], "demo-run-001") == ()


def test_a_row_without_a_message_is_read_from_its_fields() -> None:
    row = [
        {"field": "@timestamp", "value": "2026-11-28 09:30:00.000"},
        {"field": "event", "value": "run_cancelled"},
        {"field": "run_id", "value": "demo-run-001"},
    ]

    (event,) = parse_rows([row], "demo-run-001")

    assert (event.event, event.timestamp) == ("run_cancelled", "2026-11-28T09:30:00+00:00")


def test_the_adapter_polls_until_the_query_completes_over_the_runs_time_window() -> None:
    client, ticks = FakeLogsClient(["Scheduled", "Running", "Running"]), Ticks()

    found = adapter(client, ticks).events_of("demo-run-001", since=SINCE)

    assert len(found.events) == 6 and not found.truncated
    assert ticks.now == 3.0
    (started,) = client.started
    assert started["logGroupName"] == "/aws/lambda/ridesweep-runtime"
    assert started["startTime"] == int(SINCE.timestamp())
    assert started["queryString"] == run_story_query("demo-run-001")


def test_a_query_that_outlives_its_timeout_is_stopped_and_reported() -> None:
    client, ticks = FakeLogsClient(["Running"] * 100), Ticks()

    with pytest.raises(LogsUnavailable, match="did not finish in 5 s"):
        adapter(client, ticks, timeout=5.0).events_of("demo-run-001", since=SINCE)
    assert client.stopped == ["q-1"]


def test_a_failed_query_is_reported() -> None:
    with pytest.raises(LogsUnavailable, match="ended failed"):
        adapter(FakeLogsClient(["Failed"]), Ticks()).events_of("demo-run-001", since=SINCE)
