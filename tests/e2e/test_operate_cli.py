"""`ridesweep runs`, `cancel` and the run's log file on the local backend, in-process."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.fixtures import SMALL_REQUEST


def invoke(*arguments: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(app, list(arguments))
    return outcome.exit_code, outcome.output


@pytest.fixture
def finished(tmp_path: Path) -> Path:
    """A results directory holding one finished run, small-run."""
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(SMALL_REQUEST))
    results = tmp_path / "results"
    assert invoke("run", str(request_file), "--results", str(results))[0] == 0
    return results


def submitted(results: Path, run_id: str) -> None:
    """A run accepted but not run (as if its workers were elsewhere)."""
    container = build_container(Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results)))
    from domain.manifest import RequestSource

    container.submit_sweep({**SMALL_REQUEST, "run_id": run_id}, RequestSource(kind="cli"))


def test_runs_lists_the_runs_newest_first_with_their_state(finished: Path) -> None:
    submitted(finished, "queued-run")

    code, output = invoke("runs", "--results", str(finished), "--format", "json")

    page = json.loads(output)
    assert code == 0
    assert [(r["run_id"], r["state"]) for r in page["runs"]] == [
        ("queued-run", "running"),
        ("small-run", "succeeded"),
    ]
    assert page["runs"][1]["simulations_succeeded"] == 3


def test_runs_prints_a_table_and_the_command_for_the_next_page(finished: Path) -> None:
    submitted(finished, "queued-run")

    code, output = invoke("runs", "--results", str(finished), "--limit", "1")

    assert code == 0
    assert "queued-run" in output and "small-run" not in output
    assert "ridesweep runs --next-token" in output


def test_cancel_cancels_once_and_again_says_so_and_a_resubmit_exits_3(finished: Path, tmp_path: Path) -> None:
    submitted(finished, "queued-run")

    first = invoke("cancel", "queued-run", "--results", str(finished))
    second = invoke("cancel", "queued-run", "--results", str(finished))
    request_file = tmp_path / "again.json"
    request_file.write_text(json.dumps({**SMALL_REQUEST, "run_id": "queued-run"}))
    resubmit = invoke("run", str(request_file), "--results", str(finished))

    assert first[0] == 0 and "cancelled at" in first[1]
    assert second[0] == 0 and "already cancelled" in second[1]
    assert resubmit[0] == 3 and "new run_id" in resubmit[1]


def test_cancelling_an_ended_run_exits_3_and_an_unknown_one_exits_2(finished: Path) -> None:
    assert invoke("cancel", "small-run", "--results", str(finished))[0] == 3
    assert invoke("cancel", "nobody", "--results", str(finished))[0] == 2


def test_a_local_run_writes_its_story_to_its_log_file(finished: Path) -> None:
    lines = (finished / "logs" / "small-run.jsonl").read_text().splitlines()
    events = [json.loads(line)["event"] for line in lines]

    assert events[:2] == ["run_accepted", "shards_enqueued"]
    assert events.count("shard_started") == 3 and events.count("shard_finished") == 3
    finished_event = next(json.loads(line) for line in lines if '"shard_finished"' in line)
    assert {"run_id", "shard_id", "points", "duration_ms", "simulations_per_second"} <= set(finished_event)


def test_watch_follows_a_run_to_its_end_with_its_failures_and_exits_as_run_would(tmp_path: Path) -> None:
    results = tmp_path / "results"
    container = build_container(Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results)))
    from domain.manifest import RequestSource
    from entrypoints.local_runner import execute_bodies

    container.submit_sweep({**SMALL_REQUEST, "failure_injection_shards": [1]}, RequestSource(kind="cli"))
    workers = threading.Thread(target=lambda: execute_bodies(container.shard_inbox().take_all(), container))
    workers.start()

    code, output = invoke("watch", "small-run", "--results", str(results), "--interval", "0.05")
    workers.join()

    assert code == 1
    assert "shard 1 failed: injected_failure" in output
    assert "key metrics per point" in output
    assert "state partial: 2 succeeded, 1 failed, 0 to run of 3 shards" in output


def test_watch_of_a_cancelled_run_shows_its_stopped_shards_and_exits_1(tmp_path: Path) -> None:
    results = tmp_path / "results"
    container = build_container(Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results)))
    from domain.manifest import RequestSource
    from entrypoints.local_runner import execute_bodies

    container.submit_sweep(SMALL_REQUEST, RequestSource(kind="cli"))
    assert invoke("cancel", "small-run", "--results", str(results))[0] == 0
    execute_bodies(container.shard_inbox().take_all(), container)

    code, output = invoke("watch", "small-run", "--results", str(results))

    assert code == 1
    assert "state cancelled: 0 succeeded, 0 failed, 3 cancelled, 0 to run of 3 shards" in output


def test_logs_prints_the_story_of_a_local_run_as_a_table(finished: Path) -> None:
    code, output = invoke("logs", "small-run", "--results", str(finished))

    assert code == 0
    for event in ("run_accepted", "shards_enqueued", "shard_started", "shard_finished"):
        assert event in output
    assert "simulations_per_second=" in output


def test_logs_narrows_to_one_shard_and_a_level_and_prints_json_lines(tmp_path: Path) -> None:
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({**SMALL_REQUEST, "failure_injection_shards": [1]}))
    results = tmp_path / "results"
    invoke("run", str(request_file), "--results", str(results))

    code, output = invoke("logs", "small-run", "--results", str(results), "--shard", "1", "--format", "json")
    errors = invoke("logs", "small-run", "--results", str(results), "--level", "error", "--format", "json")[1]

    lines = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [line["event"] for line in lines] == ["shard_started", "shard_failed"]
    assert {line["shard_id"] for line in lines} == {1}
    assert [json.loads(line)["error_code"] for line in errors.splitlines()] == ["injected_failure"]


def test_logs_of_an_unknown_run_exits_2(finished: Path) -> None:
    assert invoke("logs", "nobody", "--results", str(finished))[0] == 2
