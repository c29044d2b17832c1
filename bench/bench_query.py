"""Query cost of the two output layouts: a 2,000-point run written per point and per shard.

For each layout, prints the number of Parquet objects of the run and the time of the run-profile
preset on DuckDB (opening the run's tables included: listing the objects is part of every query),
as the median of several repetitions. Target: per-shard at least 5× faster than per-point.

Run: .venv/bin/python bench/bench_query.py [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from domain.manifest import RequestSource
from entrypoints.container import build_container
from entrypoints.local_runner import execute_bodies
from entrypoints.settings import Settings

SHARDS = 20


def request(run_id: str, layout: str) -> dict[str, Any]:
    """2,000 points of a tiny market, so the run is quick to generate and the files are small."""
    return {
        "run_id": run_id,
        "dimensions": {
            "num_drivers": list(range(2, 42)),
            "commission_rate": [round(0.01 * i, 2) for i in range(1, 51)],
        },
        "base_parameters": {"num_riders": 10, "request_window_minutes": 5, "simulation_minutes": 10},
        "shard_count": SHARDS,
        "seed": 3,
        "output_layout": layout,
    }


def write_run(results_dir: Path, run_id: str, layout: str) -> Settings:
    settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results_dir))
    container = build_container(settings)
    container.submit_sweep(request(run_id, layout), RequestSource(kind="local"))
    workers = max(1, min(4, os.cpu_count() or 1))
    execute_bodies(container.shard_inbox().take_all(), container, workers=workers)
    return settings


def run_objects(results_dir: Path, run_id: str) -> int:
    """Parquet objects the run wrote, all datasets."""
    return sum(1 for _ in results_dir.glob(f"*/dataset=*/run_date=*/run_id={run_id}/**/*.parquet"))


def timed_profile(run_id: str, settings: Settings) -> tuple[float, int]:
    """(seconds, points profiled) of one run-profile query, tables opened anew."""
    started = time.perf_counter()
    with build_container(settings).open_run_analytics(run_id) as run:
        rows = run.preset("run-profile").rows
    return time.perf_counter() - started, int(rows[0]["points"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the runs here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        results_dir = args.keep or Path(scratch) / "results"
        measured: dict[str, tuple[float, int, int]] = {}
        for layout in ("per_point", "per_shard"):
            run_id = f"bench-query-{layout.replace('_', '-')}"
            started = time.perf_counter()
            settings = write_run(results_dir, run_id, layout)
            print(f"wrote {layout} run in {time.perf_counter() - started:.1f} s", flush=True)
            timed_profile(run_id, settings)  # warm the page cache and imports
            runs = [timed_profile(run_id, settings) for _ in range(args.repeat)]
            objects = run_objects(results_dir, run_id)
            measured[layout] = (statistics.median(r[0] for r in runs), objects, runs[0][1])
    point_time, point_objects, points = measured["per_point"]
    shard_time, shard_objects, _ = measured["per_shard"]
    print()
    print(f"run-profile on DuckDB, {points:,} points, {SHARDS} shards, median of {args.repeat}")
    print(f"{'layout':<10} {'objects':>8} {'query s':>9}")
    print(f"{'per_point':<10} {point_objects:>8,} {point_time:>9.3f}")
    print(f"{'per_shard':<10} {shard_objects:>8,} {shard_time:>9.3f}")
    ratio = point_time / shard_time
    verdict = "ok" if ratio >= 5 else "below the 5x target"
    fewer = point_objects / shard_objects
    print(f"per_shard is {ratio:.1f}x faster ({verdict}), with {fewer:.0f}x fewer objects")


if __name__ == "__main__":
    main()
