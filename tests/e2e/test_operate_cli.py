"""`ridesweep runs`, `cancel` and the run's log file on the local backend, in-process."""

from __future__ import annotations

import json
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
