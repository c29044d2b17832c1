"""Every preset of the query pack on a run with replicates, against run-profile's time.

Writes one run of 1,000 points × 10 replicates of a tiny market (per-shard layout, common seeds),
then times each preset on DuckDB (tables opened anew, median of several repetitions) and prints its
time relative to run-profile, the simplest scan of the run. Target: every preset within 10× of
run-profile, so that no preset's plan grows faster than the run (a self-join of the metrics once
made paired-differences 500× slower than the rest).

Run: .venv/bin/python bench/bench_presets.py [--repeat N] [--points N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from application.analytics.query_pack import PRESETS
from domain.manifest import RequestSource
from entrypoints.container import build_container
from entrypoints.local_runner import execute_bodies
from entrypoints.settings import Settings

RUN_ID = "bench-presets"
TARGET = 10.0
VALUES = {"point_index": 0, "replicate": 0, "top_n": 20}


def request(points: int) -> dict[str, Any]:
    drivers = max(points // 25, 1)
    return {
        "run_id": RUN_ID,
        "dimensions": {
            "num_drivers": list(range(2, 2 + drivers)),
            "commission_rate": [round(0.01 * i, 2) for i in range(1, 26)],
        },
        "base_parameters": {"num_riders": 10, "request_window_minutes": 5, "simulation_minutes": 10},
        "shard_count": 10,
        "seed": 3,
        "replicates": 10,
        "seed_strategy": "common",
        "output_layout": "per_shard",
    }


def timed(settings: Settings, preset: str) -> float:
    started = time.perf_counter()
    with build_container(settings).open_run_analytics(RUN_ID) as run:
        run.preset(preset, VALUES)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=scratch)
        container = build_container(settings)
        started = time.perf_counter()
        container.submit_sweep(request(args.points), RequestSource(kind="local"))
        execute_bodies(container.shard_inbox().take_all(), container, workers=min(2, os.cpu_count() or 1))
        print(f"wrote the run in {time.perf_counter() - started:.1f} s", flush=True)
        seconds = {}
        for preset in PRESETS:
            timed(settings, preset)  # warm the page cache and the engine
            seconds[preset] = statistics.median(timed(settings, preset) for _ in range(args.repeat))
    baseline = seconds["run-profile"]
    total = request(args.points)
    points = len(total["dimensions"]["num_drivers"]) * len(total["dimensions"]["commission_rate"])
    print()
    print(f"presets on DuckDB, {points:,} points × 10 replicates, median of {args.repeat}")
    print(f"{'preset':<22} {'seconds':>8} {'÷ run-profile':>14}")
    for preset, value in seconds.items():
        print(f"{preset:<22} {value:>8.3f} {value / baseline:>14.1f}")
    worst = max(seconds, key=lambda p: seconds[p])
    ratio = seconds[worst] / baseline
    verdict = "ok" if ratio <= TARGET else f"above the {TARGET:.0f}x target"
    print(f"slowest: {worst}, {ratio:.1f}x run-profile ({verdict})")
    print(f"machine: {os.cpu_count()} cores, 1-minute load average {load_before:.2f} before the run "
          f"(other work on the machine slows every row); Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
