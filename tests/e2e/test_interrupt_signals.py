"""Signals that reach the whole process group of `ridesweep run --workers 2`, at the moments a
terminal's Ctrl-C or a service manager's SIGTERM can land: while the workers' forkserver is still
importing its modules, and while workers run shards. Every time the run ends with its one-line
message and exit 130, never a traceback, an "internal error" or a "worker process died".
No timing is asserted: the bounds only keep a hung run from hanging the suite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from entrypoints.cli.exit_codes import ExitCode
from tests.fixtures import interruptible_request

CLI = str(Path(sys.executable).with_name("ridesweep"))
HANG_GUARD_SECONDS = 120
REQUEST = interruptible_request("signalled-run")

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason="finds the forkserver through /proc (Linux)"
)


def start_run(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST))
    results = tmp_path / "results"
    argv = [CLI, "run", str(request), "--results", str(results), "--workers", "2"]
    process = subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    return process, results


def forkserver_of(pid: int) -> int | None:
    """The pid of the multiprocessing forkserver ``pid`` started, once it exists."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
        if parent == str(pid) and b"multiprocessing.forkserver" in cmdline:
            return int(entry.name)
    return None


def wait_until(condition: object, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not condition() and process.poll() is None and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=HANG_GUARD_SECONDS)
    return process.returncode, output


def test_ctrl_c_while_the_workers_forkserver_imports_ends_the_run_cleanly(tmp_path: Path) -> None:
    process, _ = start_run(tmp_path)
    wait_until(lambda: forkserver_of(process.pid) is not None, process)
    assert process.poll() is None, "the run ended before its forkserver started"
    os.killpg(process.pid, signal.SIGINT)  # the forkserver is importing numpy, pyarrow, the model
    code, output = finish(process)

    assert code == ExitCode.INTERRUPTED, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert "internal error" not in output, output


def test_sigterm_to_the_process_group_stops_the_run_as_ctrl_c_does(tmp_path: Path) -> None:
    process, results = start_run(tmp_path)
    wait_until(lambda: any(results.rglob("dataset=shard_metrics/**/*.parquet")), process)
    assert process.poll() is None, "the run ended before it could be stopped"
    os.killpg(process.pid, signal.SIGTERM)  # workers get it too, as from a service manager
    code, output = finish(process)

    assert code == ExitCode.INTERRUPTED, output
    assert "shards done" in output and "rerun the same command to resume" in output, output
    assert "worker process died" not in output, output
