"""What `ridesweep run` shows on the terminal when a shard fails: the progress, the table and the
status line name the failed shard; the run's story goes to <results>/logs/RUN.jsonl, and no raw
log line lands in the middle of the output unless --debug (or LOG_LEVEL=DEBUG) asks for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from entrypoints.cli.exit_codes import ExitCode

CLI = str(Path(sys.executable).with_name("ridesweep"))
ROOT = Path(__file__).resolve().parents[2]
REQUEST = {
    "run_id": "one-shard-fails",
    "dimensions": {"num_drivers": [4, 6, 8, 10]},
    "base_parameters": {"num_riders": 20, "request_window_minutes": 20, "simulation_minutes": 30},
    "shard_count": 4,
    "seed": 5,
    "failure_injection_shards": [1],
}


def run(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SWEEP_", "LOG_LEVEL"))}
    return subprocess.run(
        [CLI, *options, "run", str(request), "--results", str(tmp_path / "results"), "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,  # not a terminal: a log line would be JSON
        text=True,
        timeout=300,
        env={**environment, **(env or {})},
    )


def story(tmp_path: Path) -> list[str]:
    lines = (tmp_path / "results" / "logs" / f"{REQUEST['run_id']}.jsonl").read_text().splitlines()
    return [json.loads(line)["event"] for line in lines]


def test_a_failed_shard_is_told_by_the_status_lines_and_the_log_file_not_a_raw_log_line(
    tmp_path: Path,
) -> None:
    done = run(tmp_path)

    assert done.returncode == ExitCode.FAILED, done.stdout + done.stderr
    assert done.stderr == ""
    assert "shard_failed" not in done.stdout and '"level"' not in done.stdout
    assert "state partial: 3 succeeded, 1 failed, 0 to run of 4 shards" in done.stdout
    assert "failed shards: 1 " in done.stdout
    assert story(tmp_path).count("shard_failed") == 1


def test_debug_shows_every_log_line_of_the_run_and_its_workers(tmp_path: Path) -> None:
    done = run(tmp_path, "--debug")

    assert done.returncode == ExitCode.FAILED, done.stdout + done.stderr
    events = [json.loads(line)["event"] for line in done.stderr.splitlines()]
    assert events.count("shard_failed") == 1 and events.count("shard_finished") == 3
    assert "run_accepted" in events and "point_done" in events


def test_log_level_debug_shows_them_too(tmp_path: Path) -> None:
    done = run(tmp_path, env={"LOG_LEVEL": "DEBUG"})

    assert done.returncode == ExitCode.FAILED, done.stdout + done.stderr
    assert '"event": "shard_failed"' in done.stderr
