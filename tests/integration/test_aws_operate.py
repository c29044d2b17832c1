"""`ridesweep runs`, `cancel`, `watch` and `logs --backend aws` over moto server: the same
commands as on the local backend, against S3, SQS and CloudWatch Logs."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from entrypoints.cli import app
from tests.conftest import moto_client
from tests.fixtures import SMALL_REQUEST
from tests.harness import load_event
from tests.integration.conftest import AwsStack


def invoke(*arguments: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(app, list(arguments))
    return outcome.exit_code, outcome.output


def test_a_run_cancelled_through_the_api_is_listed_watched_and_not_revived(aws_stack: AwsStack) -> None:
    harness = aws_stack.harness()
    assert harness.post({**SMALL_REQUEST, "run_id": "aws-mistake"})[0] == 202
    assert harness.post(SMALL_REQUEST)[0] == 202
    delete = load_event("api_rest_delete_sweep_run_named_sweep_run.json")
    delete["path"], delete["pathParameters"] = "/sweep-run/aws-mistake", {"run_id": "aws-mistake"}

    status, body = harness.send(delete)
    aws_stack.work(harness)

    assert (status, body["status"]) == (200, "cancelled")
    code, listed = invoke("runs", "--backend", "aws", "--format", "json")
    states = {run["run_id"]: run["state"] for run in json.loads(listed)["runs"]}
    assert code == 0 and states == {"aws-mistake": "cancelled", "small-run": "succeeded"}
    code, watched = invoke("watch", "aws-mistake", "--backend", "aws", "--interval", "0.1")
    assert code == 1 and "3 cancelled, 0 to run" in watched
    assert invoke("cancel", "aws-mistake", "--backend", "aws")[1].count("already cancelled") == 1
    assert harness.post({**SMALL_REQUEST, "run_id": "aws-mistake"})[1]["error"] == "run_cancelled"
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0


def test_logs_reads_the_same_story_from_cloudwatch_as_from_the_local_file(
    aws_stack: AwsStack, moto_endpoint: str, tmp_path: Path
) -> None:
    # Given a local run's story, shipped as the runtime's log lines to a CloudWatch log group
    aws_stack.harness().post(SMALL_REQUEST)  # the run's manifest in S3 says since when to look
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({**SMALL_REQUEST, "failure_injection_shards": [2]}))
    results = tmp_path / "results"
    invoke("run", str(request_file), "--backend", "local", "--results", str(results))
    lines = (results / "logs" / "small-run.jsonl").read_text().splitlines()
    other_run = json.dumps({**json.loads(lines[0]), "run_id": "another-run"})
    group = f"/aws/lambda/ridesweep-{uuid.uuid4().hex[:8]}"
    ship(moto_client("logs", moto_endpoint), group, [*lines, other_run])

    # when its story is read from both
    local = invoke("logs", "small-run", "--backend", "local", "--results", str(results), "--format", "json")[
        1
    ]
    code, remote = invoke("logs", "small-run", "--backend", "aws", "--log-group", group, "--format", "json")

    # then it is the same, event for event, and holds no other run's event
    assert code == 0
    assert [json.loads(line) for line in remote.splitlines()] == [
        json.loads(line) for line in local.splitlines()
    ]
    assert "another-run" not in remote


def test_logs_names_a_missing_log_group_and_exits_4(aws_stack: AwsStack) -> None:
    aws_stack.harness().post(SMALL_REQUEST)

    code, output = invoke("logs", "small-run", "--backend", "aws", "--log-group", "/aws/lambda/nothing")

    assert code == 4 and "RUNTIME_LOG_GROUP" in output


def ship(client: Any, group: str, lines: list[str]) -> None:
    """Put ``lines`` in a log group as the Lambda runtime would (one event per line)."""
    from adapters.log_events import log_event_of

    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="2026/11/28/[$LATEST]0a1b2c3d")
    events = []
    for line in lines:
        event = log_event_of(json.loads(line))
        assert event is not None
        from datetime import datetime

        millis = int(datetime.fromisoformat(event.timestamp).timestamp() * 1000)
        events.append({"timestamp": millis, "message": line})
    client.put_log_events(
        logGroupName=group,
        logStreamName="2026/11/28/[$LATEST]0a1b2c3d",
        logEvents=sorted(events, key=lambda e: e["timestamp"]),
    )


def test_a_worker_ships_its_story_to_the_log_group_that_logs_reads(
    aws_stack: AwsStack, moto_endpoint: str
) -> None:
    group = f"/aws/lambda/ridesweep-{uuid.uuid4().hex[:8]}"
    moto_client("logs", moto_endpoint).create_log_group(logGroupName=group)
    aws_stack.harness().post({**SMALL_REQUEST, "failure_injection_shards": [1]})

    worked = invoke("worker", "--drain", "--log-group", group)
    code, output = invoke("logs", "small-run", "--backend", "aws", "--log-group", group, "--format", "json")

    events = [json.loads(line) for line in output.splitlines()]
    assert worked[0] == 1 and code == 0  # shard 1 failed for good: the worker exits 1, as `run` does
    assert sorted(e["shard_id"] for e in events if e["event"] == "shard_finished") == [0, 2]
    (failed,) = [e for e in events if e["event"] == "shard_failed"]
    assert (failed["error_code"], failed["receive_count"]) == ("injected_failure", 1)
    assert all(e["sqs_message_id"] and e["aws_request_id"] for e in events)
