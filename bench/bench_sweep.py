"""In-process sweep throughput on the local backend.

Parallelism: a sweep of 1,000 simulations (200 points × 5 replicates in 20 shards) on 1 and on 2
worker processes, best of three rounds each, alternated so a burst of other work hits both: the
speed-up (target ≥ 1.8× on 2 cores), how long a worker takes to start (forked from the
forkserver that preloaded the simulation: target tens of ms, against a second or more for a
spawned worker importing numpy, scipy and pyarrow), and, for ``ridesweep run --workers 2`` in a
fresh process, the time from the command to its first point written (target ≤ 1 s) beside the time
the interpreter and the CLI take to start at all.

Overhead: the share of worker time spent outside the simulation (Parquet encoding + writing +
bookkeeping) of a 200-point sweep, measured in one process by timing every simulation the worker
runs (``timing.simulation_seconds``). Target: ≤ 15 % outside the simulation.

Replicates: 20 points × 10 replicates against 10× as many single-replicate points (the same 20
points in 10 runs of different seeds, so both sides simulate the same markets), both as 200
simulations in 20 shards of 10. Prints the ratio of time per simulation (target ≤ 0.9: a point's
replicates share its objects and its encoding) and the share of worker time outside the simulation
with 10 replicates, per_point layout (target ≤ 10 %).

Run: .venv/bin/python bench/bench_sweep.py [--replicates-only | --parallel-only]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timing import simulation_seconds

from domain.manifest import RequestSource
from entrypoints.container import Container, build_container
from entrypoints.local_runner import DrainReport, execute_bodies
from entrypoints.logs import configure_logging
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


PARALLEL_REQUEST = {**REQUEST, "run_id": "bench-parallel", "replicates": 5}
"""1,000 simulations: 200 points × 5 replicates in 20 shards."""
CLI = Path(sys.executable).with_name("ridesweep")


REPLICATED_POINTS = {
    "commission_rate": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
    "num_drivers": [100, 200],
}
REPLICATES = 10


def replicated_runs() -> list[dict[str, Any]]:
    """20 points × 10 replicates: one point per shard, 10 simulations each."""
    return [{"run_id": "bench-replicates", "dimensions": REPLICATED_POINTS,
             "replicates": REPLICATES, "shard_count": 20, "seed": 11}]


def single_replicate_runs() -> list[dict[str, Any]]:
    """The same 20 points in 10 runs of other seeds: 200 single-replicate points, 10 per shard."""
    return [{"run_id": f"bench-single-{k}", "dimensions": REPLICATED_POINTS, "shard_count": 2,
             "seed": 11 + k} for k in range(REPLICATES)]


def queued_bodies(
    container: Container, requests: list[dict[str, Any]]
) -> tuple[list[bytes], int]:
    """Every shard message of ``requests``, and how many simulations they hold."""
    bodies: list[bytes] = []
    simulations = 0
    for request in requests:
        answer = container.submit_sweep(request, RequestSource(kind="local"))
        bodies += container.shard_inbox().take_all()
        simulations += answer.plan.total_simulations
    return bodies, simulations


def timed_run(
    workers: int,
    layout: str = "per_point",
    requests: list[dict[str, Any]] | None = None,
    simulated: list[float] | None = None,
    cpu: list[float] | None = None,
) -> tuple[float, int]:
    """(wall seconds, simulations) of the runs; with ``simulated``, one process collects the
    seconds of every simulation into it; with ``cpu``, this process's CPU seconds (every thread;
    meaningful with one worker process)."""
    runs = [{**r, "output_layout": layout} for r in (requests or [REQUEST])]
    with tempfile.TemporaryDirectory() as root:
        settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(Path(root) / "results"))
        container = build_container(settings)
        bodies, simulations = queued_bodies(container, runs)
        with simulation_seconds(container) as spent:
            started, cpu_started = time.perf_counter(), time.process_time()
            execute_bodies(bodies, container, workers=workers)
            wall = time.perf_counter() - started
            if cpu is not None:
                cpu.append(time.process_time() - cpu_started)
        if simulated is not None:
            simulated.extend(spent)
        return wall, simulations


def overhead_share(
    layout: str = "per_point", requests: list[dict[str, Any]] | None = None
) -> float:
    simulated: list[float] = []
    wall, _ = timed_run(workers=1, layout=layout, requests=requests, simulated=simulated)
    return 1.0 - sum(simulated) / wall


@dataclass(frozen=True)
class SideTiming:
    """One side's best round: per simulation, wall and CPU seconds; share of wall outside it."""

    wall: float
    cpu: float
    outside: float


def replicate_rows(rounds: int = 3) -> list[tuple[str, str]]:
    """Best of ``rounds`` for each side, alternating them, so a burst of load hits both alike.

    CPU time is printed beside wall time: other work on the machine moves it less. The two sides
    simulate the same markets with different seeds, whose simulations cost a little more or less;
    the same-cost ratio removes that: (1 - outside share of single) / (1 - outside share of
    replicates) is the ratio of time per simulation had both sides simulated for the same time.
    """
    best: dict[str, SideTiming] = {}
    for _ in range(rounds):
        for side, requests in (("replicated", replicated_runs()), ("single", single_replicate_runs())):
            cpu: list[float] = []
            simulated: list[float] = []
            wall, sims = timed_run(workers=1, requests=requests, cpu=cpu, simulated=simulated)
            timing = SideTiming(wall / sims, cpu[0] / sims, 1.0 - sum(simulated) / wall)
            if side not in best or timing.wall < best[side].wall:
                best[side] = timing
    rep, one = best["replicated"], best["single"]
    return [
        ("replicates: 20 points x 10 replicates, per simulation",
         f"{rep.wall * 1e3:.2f} ms wall, {rep.cpu * 1e3:.2f} ms CPU, {rep.outside:.1%} outside"),
        ("  200 single-replicate points, per simulation",
         f"{one.wall * 1e3:.2f} ms wall, {one.cpu * 1e3:.2f} ms CPU, {one.outside:.1%} outside"),
        ("  ratio replicates / single (target ≤ 0.9)",
         f"{rep.wall / one.wall:.2f} wall, {rep.cpu / one.cpu:.2f} CPU, "
         f"{(1 - one.outside) / (1 - rep.outside):.2f} same-cost"),
        ("  worker time outside the simulation, 10 replicates", f"{rep.outside:.1%} (target ≤ 10 %)"),
    ]


def pool_run(workers: int) -> tuple[float, int, DrainReport]:
    """(wall seconds, simulations, the drain's report) of the parallel sweep on ``workers``."""
    with tempfile.TemporaryDirectory() as root:
        settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(Path(root) / "results"))
        container = build_container(settings)
        bodies, simulations = queued_bodies(container, [PARALLEL_REQUEST])
        started = time.perf_counter()
        report = execute_bodies(bodies, container, workers=workers)
        return time.perf_counter() - started, simulations, report


def first_point_seconds() -> tuple[float, float, float]:
    """``ridesweep run --workers 2`` of the parallel sweep in a fresh process: seconds to its first
    point written, to its end, and ``ridesweep --version``'s seconds (interpreter and CLI start)."""
    with tempfile.TemporaryDirectory() as root:
        request = Path(root) / "request.json"
        request.write_text(json.dumps(PARALLEL_REQUEST), encoding="utf-8")
        results = Path(root) / "results"
        started = time.perf_counter()
        version = subprocess.run([str(CLI), "--version"], capture_output=True, check=True)
        version_seconds = time.perf_counter() - started
        assert version.returncode == 0
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(CLI), "run", str(request), "--results", str(results), "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first = None
        while process.poll() is None:
            if first is None and any(results.glob("sweeps/dataset=shard_metrics/**/*.parquet")):
                first = time.perf_counter() - started
            time.sleep(0.005)
        return first or float("nan"), time.perf_counter() - started, version_seconds


def parallel_rows(rounds: int = 3) -> list[tuple[str, str]]:
    load_before = os.getloadavg()[0]
    cold, sims, cold_report = pool_run(workers=2)  # the first pool also starts the forkserver
    one: list[float] = []
    two: list[float] = []
    startup: list[float] = []
    for _ in range(rounds):
        one.append(pool_run(workers=1)[0])
        wall, _, report = pool_run(workers=2)
        two.append(wall)
        startup += report.startup_seconds
    first, whole, version = first_point_seconds()
    load_after = os.getloadavg()[0]
    return [
        ("parallel sweep: simulations (200 points × 5 replicates, 20 shards)", f"{sims:,}"),
        ("  1 worker: wall (best of 3)", f"{min(one):.2f} s ({sims / min(one):.1f} simulations/s)"),
        ("  2 workers: wall (best of 3)", f"{min(two):.2f} s ({sims / min(two):.1f} simulations/s)"),
        ("  speed-up 2 vs 1 workers (target ≥ 1.8x)", f"{min(one) / min(two):.2f}x"),
        (
            "  worker start-up, forked from the warm forkserver",
            f"median {sorted(startup)[len(startup) // 2] * 1e3:.0f} ms, max {max(startup) * 1e3:.0f} ms",
        ),
        (
            "  first pool of a process (forkserver start and preload)",
            f"{max(cold_report.startup_seconds) * 1e3:.0f} ms to the last worker ready; run {cold:.2f} s",
        ),
        ("ridesweep run --workers 2: to the first point written (target ≤ 1 s)", f"{first:.2f} s"),
        ("  ridesweep --version (interpreter and CLI start)", f"{version:.2f} s"),
        ("  the whole run, fresh process", f"{whole:.2f} s"),
        ("  load average before / after the parallel rows", f"{load_before:.2f} / {load_after:.2f}"),
    ]


def main() -> None:
    configure_logging("WARNING")  # as `ridesweep run` does: the shards' stories are not timed
    load_before = os.getloadavg()[0]
    if "--replicates-only" in sys.argv:
        print_rows([*replicate_rows(), machine_row(load_before)])
        return
    if "--parallel-only" in sys.argv:
        print_rows([*parallel_rows(), machine_row(load_before)])
        return
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
        *replicate_rows(),
        *parallel_rows(),
        machine_row(load_before),
    ]
    print_rows(rows)


def machine_row(load_before: float) -> tuple[str, str]:
    return (
        "machine: cores / 1-minute load average before the run",
        f"{os.cpu_count()} / {load_before:.2f} (other work on the machine slows every row)",
    )


def print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
