"""Ctrl-C at a terminal, as a user presses it: `ridesweep run --workers 2` in a pseudo-terminal.

The first Ctrl-C stops the run cleanly (message, exit 130, status says nothing works on it) and the
same command then resumes it to the very bytes an uninterrupted run writes. A second Ctrl-C quits
at once: tested on the handler itself, since at a terminal the first stop is usually over before a
second key press could arrive. No timing is asserted: the bounds below only keep a hung run from
hanging the suite (the time a stop takes is printed, and measured by bench/bench_sweep.py).
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from entrypoints.cli.exit_codes import ExitCode
from tests.fixtures import interruptible_request

CLI = str(Path(sys.executable).with_name("ridesweep"))
HANG_GUARD_SECONDS = 120
REQUEST = interruptible_request("interrupted-run")
TIMED_COLUMNS = ("dataset=run_context", "dataset=shard_outcomes")
"""Datasets whose rows carry wall-clock times (acceptance, start and end of a shard)."""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Terminal:
    """One command in a pseudo-terminal of its own: its output, Ctrl-C, its exit code."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            os.chdir(cwd)
            os.execv(argv[0], argv)
        self.pid, self.fd = pid, fd
        self.output = ""

    @property
    def text(self) -> str:
        """The output without terminal control sequences, its whitespace runs as single spaces."""
        return " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.output).split())

    def read_until(self, pattern: str, timeout: float = HANG_GUARD_SECONDS) -> bool:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            if time.monotonic() > deadline or not self._read(deadline - time.monotonic()):
                return False
        return True

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, min(timeout, 1.0)))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace")
        return True

    def ctrl_c(self) -> None:
        os.write(self.fd, b"\x03")

    def wait(self, timeout: float = HANG_GUARD_SECONDS) -> int:
        """Read until the terminal closes (everything the command wrote), then its exit code."""
        deadline = time.monotonic() + timeout
        status: int | None = None
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            before = len(self.output)
            if not self._read(0.2):
                break  # every process let go of the terminal
            if status is None:
                done, waited = os.waitpid(self.pid, os.WNOHANG)
                status = waited if done else None
            if status is not None:  # ended; a worker may still hold the terminal for a moment
                quiet_since = quiet_since if len(self.output) == before else None
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 2.0:
                    break
        else:
            os.kill(self.pid, 9)
            raise AssertionError(f"the command did not end within {timeout} s:\n{self.output}")
        if status is None:
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def run_argv(results: Path, request: Path) -> list[str]:
    return [CLI, "run", str(request), "--results", str(results), "--workers", "2"]


def point_files(results: Path) -> dict[str, bytes]:
    return {
        p.relative_to(results).as_posix(): p.read_bytes()
        for p in sorted(results.rglob("*.parquet"))
        if not any(name in p.as_posix() for name in TIMED_COLUMNS)
    }


def started_points(results: Path) -> bool:
    return any(results.rglob("dataset=shard_metrics/**/*.parquet"))


def test_ctrl_c_stops_two_workers_and_the_same_command_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST))
    results = tmp_path / "results"
    terminal = Terminal(run_argv(results, request), tmp_path)
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not started_points(results) and time.monotonic() < deadline:
        terminal._read(0.05)
    assert started_points(results), terminal.output

    pressed = time.monotonic()
    terminal.ctrl_c()
    code = terminal.wait()
    print(f"Ctrl-C to exit: {time.monotonic() - pressed:.2f} s")  # measured here, not asserted

    assert code == ExitCode.INTERRUPTED, terminal.output
    stopped = re.search(
        r"interrupted: (\d+) of 6 shards done, (\d+) points written; rerun the same command to resume",
        terminal.text,
    )
    assert stopped is not None, terminal.output
    assert int(stopped.group(1)) < 6

    status = subprocess.run(
        [CLI, "status", "interrupted-run", "--results", str(results)], capture_output=True, text=True
    )
    assert status.returncode == ExitCode.INCOMPLETE, status.stdout + status.stderr
    assert "nothing is working on it: rerun the same command to resume" in status.stdout

    resumed = subprocess.run(run_argv(results, request), capture_output=True, text=True, cwd=tmp_path)
    assert resumed.returncode == ExitCode.OK, resumed.stdout + resumed.stderr
    clean = tmp_path / "clean"
    whole = subprocess.run(run_argv(clean, request), capture_output=True, text=True, cwd=tmp_path)
    assert whole.returncode == ExitCode.OK, whole.stdout + whole.stderr
    interrupted_then_resumed, uninterrupted = point_files(results), point_files(clean)
    assert interrupted_then_resumed.keys() == uninterrupted.keys()
    assert len(uninterrupted) == 12 * 4  # 12 points × 4 per-point datasets
    for key, data in uninterrupted.items():
        assert interrupted_then_resumed[key] == data, key


SECOND_CTRL_C = """
import os, signal, time
from entrypoints.cli.interrupts import Interrupts

def kill_workers():
    print("workers killed", flush=True)

with Interrupts(stop=lambda: None, quit=kill_workers, stopping_note="stopping"):
    os.kill(os.getpid(), signal.SIGINT)  # the first: stop, which here never ends
    time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGINT)  # the second: quit at once
    time.sleep(60)
print("not reached")
"""


def test_a_second_ctrl_c_kills_the_workers_and_quits_at_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SECOND_CTRL_C], capture_output=True, text=True, timeout=HANG_GUARD_SECONDS
    )

    assert done.returncode == ExitCode.INTERRUPTED, done.stdout + done.stderr
    assert "workers killed" in done.stdout and "not reached" not in done.stdout
    assert "SIGINT: stopping (press Ctrl-C again to quit at once)" in done.stderr
    assert "interrupted again: quitting now; rerun the same command to resume" in done.stderr
