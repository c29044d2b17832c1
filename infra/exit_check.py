"""Every finished command exits with the code it documents: the CLI run many times under CPU load.

    .venv/bin/python infra/exit_check.py [--runs 100] [--hogs 1] [--parallel 2]

A native thread pool (Arrow's, DuckDB's) that is still releasing Python objects while the
interpreter finalises aborts the process (``terminate called without an active exception``,
SIGABRT) after the command printed its complete answer: a script sees a failed run that succeeded.
It shows only now and then, and more often on a busy machine, so this check runs the commands that
touch those pools (``run``, ``status``, ``query``, ``report``) ``--runs`` times in all beside
``--hogs`` busy processes, and counts every exit that is not the documented one. ``make exit-check``
runs it; it prints one line per command and ends with ``exit-check: N abnormal exits in M runs``
(exit 0 when N is 0, else 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CLI = Path(sys.executable).with_name("ridesweep")
REQUEST = {
    "run_id": "exit-check",
    "dimensions": {"num_drivers": [20, 30]},
    "base_parameters": {"num_riders": 60, "request_window_minutes": 20, "simulation_minutes": 40},
    "shard_count": 2,
    "seed": 7,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    command: str
    code: int
    tail: str

    @property
    def abnormal(self) -> bool:
        return self.code != 0


def commands(run_number: int, results: Path, request: Path) -> list[str]:
    """The command of run ``run_number``: a fresh ``run`` every other time, reads in between."""
    where = ["--results", str(results)]
    cycle = [
        ["run", str(request), "--run-id", f"exit-check-{run_number}", "--workers", "1", *where],
        ["status", "exit-check-0", *where],
        ["run", str(request), "--run-id", f"exit-check-{run_number}", "--workers", "2", *where],
        ["query", "run-profile", "--run", "exit-check-0", *where],
        ["run", str(request), "--run-id", "exit-check-0", *where],  # a re-run: nothing to compute
        ["report", "exit-check-0", *where, "--out", str(results / "reports")],
    ]
    return cycle[run_number % len(cycle)]


def run_once(run_number: int, results: Path, request: Path) -> Outcome:
    argv = commands(run_number, results, request)
    done = subprocess.run([str(CLI), *argv], capture_output=True, text=True, check=False)
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    name = "re-run" if argv[0] == "run" and "exit-check-0" in argv else argv[0]
    return Outcome(name, done.returncode, tail)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--hogs", type=int, default=1, help="busy processes beside the commands")
    parser.add_argument("--parallel", type=int, default=2, help="commands at once")
    args = parser.parse_args()
    if not CLI.exists():
        print(f"exit-check: {CLI} not found; run `make setup` first", file=sys.stderr)
        return 2
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="exit-check-") as tmp:
            results = Path(tmp) / "results"
            request = Path(tmp) / "request.json"
            request.write_text(json.dumps(REQUEST), encoding="utf-8")
            first = run_once(0, results, request)  # the run the reads read
            if first.abnormal:
                print(f"exit-check: the first run exited {first.code}: {first.tail}", file=sys.stderr)
            with ThreadPoolExecutor(max_workers=args.parallel) as pool:
                outcomes = [first, *pool.map(lambda n: run_once(n, results, request), range(1, args.runs))]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    runs = Counter(o.command for o in outcomes)
    bad = Counter(o.command for o in outcomes if o.abnormal)
    codes = Counter(o.code for o in outcomes if o.abnormal)
    print(f"{'command':<10} {'runs':>5} {'abnormal':>9}")
    for command in sorted(runs):
        print(f"{command:<10} {runs[command]:>5} {bad[command]:>9}")
    for outcome in [o for o in outcomes if o.abnormal][:5]:
        print(f"  {outcome.command} exited {outcome.code}: {outcome.tail}")
    load = os.getloadavg()[0]
    elapsed = time.monotonic() - started
    print(f"{args.hogs} CPU hog(s), {args.parallel} at once, {elapsed:.0f} s, load average {load:.1f}")
    if codes:
        print("exit codes seen: " + ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())))
    total_bad = sum(bad.values())
    print(f"exit-check: {total_bad} abnormal exits in {len(outcomes)} runs")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
