"""In-process sweep throughput: a 200-point sweep on the local backend.

Prints points/s with 1 and 2 worker processes, and the share of worker time spent outside the
simulation (Parquet encoding + writing + bookkeeping), measured in one process by timing every
``simulate`` call inside ``execute_shard``. Target: ≤ 15 % outside the simulation.

Run: .venv/bin/python bench/bench_sweep.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import application.execute_shard as execute_module
from domain.manifest import RequestSource
from entrypoints.container import Container, build_container
from entrypoints.local_runner import execute_bodies
from entrypoints.settings import Settings

REQUEST = {
    "run_id": "bench-sweep",
    "dimensions": {
        "commission_rate": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
        "num_drivers": [60, 70, 80, 90, 100, 110, 120, 130, 140, 150,
                        160, 170, 180, 190, 200, 210, 220, 230, 240, 250],
    },
    "shard_count": 20,
    "seed": 11,
}


def queued_bodies(container: Container, layout: str = "per_point") -> tuple[list[bytes], int]:
    answer = container.submit_sweep({**REQUEST, "output_layout": layout}, RequestSource(kind="local"))
    return container.shard_inbox().take_all(), int(answer.body["total_points"])


def timed_run(workers: int, layout: str = "per_point") -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as root:
        settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(Path(root) / "results"))
        container = build_container(settings)
        bodies, points = queued_bodies(container, layout)
        started = time.perf_counter()
        execute_bodies(bodies, container, workers=workers)
        return time.perf_counter() - started, points


def overhead_share(layout: str = "per_point") -> float:
    simulated = 0.0
    original = execute_module.simulate

    def timed_simulate(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal simulated
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            simulated += time.perf_counter() - start

    execute_module.simulate = timed_simulate  # type: ignore[assignment]
    try:
        wall, _ = timed_run(workers=1, layout=layout)
    finally:
        execute_module.simulate = original
    return 1.0 - simulated / wall


def main() -> None:
    timed_run(workers=1)  # warm caches (imports, page cache) before measuring
    one, points = timed_run(workers=1)
    two, _ = timed_run(workers=2)
    share = overhead_share()
    share_per_shard = overhead_share("per_shard")
    rows = [
        ("points in the sweep", f"{points}"),
        ("1 worker process: wall", f"{one:.2f} s"),
        ("1 worker process: points/s", f"{points / one:.1f}"),
        ("2 worker processes: wall", f"{two:.2f} s"),
        ("2 worker processes: points/s", f"{points / two:.1f}"),
        ("speed-up 2 vs 1 workers", f"{one / two:.2f}x"),
        ("worker time outside the simulation", f"{share:.1%} (target ≤ 15 %)"),
        ("  the same with output_layout per_shard", f"{share_per_shard:.1%}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
