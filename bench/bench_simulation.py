"""Simulation speed (model 2): the default point, the reference simulator's large scenario, scaling,
`ridesweep run` end to end, and `ridehail`.

Run: .venv/bin/python bench/bench_simulation.py [--runs 30] [--skip-ridehail] [--skip-large-ridehail]
     [--skip-scaling] [--scaling-runs 3] [--skip-cli]
(On machines that set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, unset both for this command only.)

Prints one table:
- the default point's median wall time over --runs runs (target ≤ 20 ms), its events per second;
- the reference's large scenario (10,000 riders, 7,000 drivers, 240-minute window, 300 simulated
  minutes, surge on with 2 km zones and max 1.3, commission 0.15, match radius 1.5 km, a 46 × 38 km
  city): wall time and ratio to the reference's published 23 s (target ≤ 2.3 s);
- scaling, on CPU time (the fastest of --scaling-runs runs, 1× and 4× taken in turn so a change
  of load hits both): the same scenario with 4× the riders and drivers on the same city, its cost
  over the 1× cost (linear = 4.0: repositioning and zone updates must not make it grow faster),
  and the cost per event (the ratio over the events' own ratio, 1.00 = linear). Two more rows
  tell the causes apart: the same pair of runs without repositioning and surge (if its ratio is
  as high, repositioning and zone ticks are not what grows), and 4× riders and drivers on a
  city 2× wider and 2× taller: the same density with 4× the data, so what its ratio has above
  4.0 is the cost of more data (a deeper event heap, lists that outgrow the processor's caches),
  and what the same city's ratio has above it comes from the market being denser (more drivers,
  idle or on the move, within reach of each rider; more riders competing for them in a batch);
- `ridesweep run` of the large scenario as a one-point sweep, end to end in a fresh process
  (imports, validation, simulation, Parquet writes; target ≤ 4 s);
- the `ridehail` package (PyPI) on comparable workloads: the same fleet and the same number of
  requested trips, one block per simulated minute on a 46-block city, headless and without output
  files; the ratio compares completed trips per second of wall time, ours over theirs.

`ridehail` needs Python ≥ 3.12 while the project runs on 3.11, so it runs in its own interpreter:
the current one if it imports ridehail, else $RIDEHAIL_PYTHON, else
~/.cache/ridesweep/ridehail-venv/bin/python. To create that one:
    python3.12 -m venv ~/.cache/ridesweep/ridehail-venv
    ~/.cache/ridesweep/ridehail-venv/bin/pip install ridehail
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domain.parameters import SimulationParameters
    from domain.simulation import SimulationOutput

REFERENCE_LARGE_SECONDS = 23.0
DEFAULT_TARGET_MS = 20.0
LARGE_TARGET_SECONDS = 2.3
CLI_TARGET_SECONDS = 4.0
SCALE_FACTOR = 4
SEED = 1
RIDEHAIL_CITY_BLOCKS = 46
RIDEHAIL_VENV_PYTHON = Path.home() / ".cache" / "ridesweep" / "ridehail-venv" / "bin" / "python"

LARGE_SCENARIO: dict[str, Any] = {
    "num_riders": 10_000,
    "num_drivers": 7_000,
    "request_window_minutes": 240,
    "simulation_minutes": 300,
    "surge_enabled": True,
    "surge_zone_km": 2.0,
    "surge_max_multiplier": 1.3,
    "commission_rate": 0.15,
    "match_radius_km": 1.5,
    "city_width_km": 46.0,
    "city_height_km": 38.0,
}


def scaled(values: dict[str, Any], factor: int) -> dict[str, Any]:
    return {**values, "num_riders": values["num_riders"] * factor,
            "num_drivers": values["num_drivers"] * factor}


def widened(values: dict[str, Any], factor: int) -> dict[str, Any]:
    """``factor`` times the riders and drivers on a city √factor times wider and taller: the
    same density."""
    side = math.sqrt(factor)
    return {**scaled(values, factor), "city_width_km": values["city_width_km"] * side,
            "city_height_km": values["city_height_km"] * side}


WITHOUT_REPOSITIONING_AND_SURGE: dict[str, Any] = {"reposition_policy": "none",
                                                   "surge_enabled": False}


def time_cli_run(values: dict[str, Any]) -> float:
    """Wall time of `ridesweep run` on a one-point sweep of ``values``, in a fresh process."""
    import tempfile

    cli = Path(sys.executable).with_name("ridesweep")
    with tempfile.TemporaryDirectory() as folder:
        request = Path(folder) / "request.json"
        base = {name: value for name, value in values.items() if name != "num_riders"}
        request.write_text(json.dumps({
            "schema_version": "v1", "run_id": "bench-large", "seed": SEED, "shard_count": 1,
            "dimensions": {"num_riders": [values["num_riders"]]}, "base_parameters": base,
        }))
        start = time.perf_counter()
        done = subprocess.run(
            [str(cli), "run", str(request), "--results", str(Path(folder) / "results")],
            capture_output=True, text=True, check=False,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1])
    return seconds


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_seconds: float
    """CPU time of the process: less disturbed than wall time by other work on the machine."""
    least_cpu_seconds: float
    """The fastest run's CPU time: what the ratio of two scales compares (noise only adds)."""
    events: int
    riders: int
    drivers: int
    completed: int
    simulation_minutes: int

    @property
    def trips_per_second(self) -> float:
        return self.completed / self.seconds


def time_point(values: dict[str, Any], runs: int) -> Timing:
    return time_points([values], runs)[0]


def time_points(points: list[dict[str, Any]], runs: int) -> list[Timing]:
    """Each point timed ``runs`` times, the points taken in turn (so that a change of the
    machine's load affects them alike)."""
    from domain.parameters import SimulationParameters
    from domain.simulation import simulate

    params = [SimulationParameters.from_values(values) for values in points]
    simulate(params[0], SEED)  # warm-up: imports, caches
    samples: list[list[float]] = [[] for _ in points]
    cpu: list[list[float]] = [[] for _ in points]
    outputs: list[SimulationOutput | None] = [None] * len(points)
    for _ in range(runs):
        for i, point in enumerate(params):
            start, start_cpu = time.perf_counter(), time.process_time()
            outputs[i] = simulate(point, SEED)
            samples[i].append(time.perf_counter() - start)
            cpu[i].append(time.process_time() - start_cpu)
    return [
        timing(output, point, wall, seconds)
        for output, point, wall, seconds in zip(outputs, params, samples, cpu, strict=True)
        if output is not None
    ]


def timing(
    output: SimulationOutput, params: SimulationParameters, samples: list[float], cpu: list[float]
) -> Timing:
    m = output.metrics
    return Timing(
        seconds=statistics.median(samples),
        cpu_seconds=statistics.median(cpu),
        least_cpu_seconds=min(cpu),
        events=int(m["events_processed"]),
        riders=int(m["total_riders"]),
        drivers=int(m["total_drivers"]),
        completed=int(m["completed_riders"]),
        simulation_minutes=params.simulation_minutes,
    )


def scaling_rows(label: str, small: Timing, big: Timing, linear: str) -> list[tuple[str, str]]:
    """The cost ratio of ``big`` over ``small`` on the fastest runs' CPU time, and per event."""
    cost = big.least_cpu_seconds / small.least_cpu_seconds
    events = big.events / small.events
    return [
        (f"{label}: CPU time 1× / {SCALE_FACTOR}× (fastest runs)",
         f"{small.least_cpu_seconds:9.3f} s / {big.least_cpu_seconds:.3f} s   (wall "
         f"{small.seconds:.3f} s / {big.seconds:.3f} s)"),
        (f"  CPU cost ratio {SCALE_FACTOR}× over 1× ({linear})",
         f"{cost:9.2f}   (events {events:.2f}×, cost per event {cost / events:.2f}×, "
         f"median wall {big.seconds / small.seconds:.2f})"),
    ]


# ------------------------------------------------------------------------------------- ridehail


def ridehail_python() -> str | None:
    candidates = [sys.executable, os.environ.get("RIDEHAIL_PYTHON", ""), str(RIDEHAIL_VENV_PYTHON)]
    for python in candidates:
        if python and Path(python).exists():
            probe = subprocess.run(
                [python, "-c", "import ridehail"], capture_output=True, check=False
            )
            if probe.returncode == 0:
                return python
    return None


def time_ridehail(python: str, ours: Timing) -> dict[str, Any]:
    workload = {
        "vehicles": ours.drivers,
        "requests": ours.riders,
        "blocks": ours.simulation_minutes,
        "city_blocks": RIDEHAIL_CITY_BLOCKS,
        "seed": SEED,
    }
    done = subprocess.run(
        [python, __file__, "--ridehail-worker", json.dumps(workload)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "no output")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ridehail_worker(workload_json: str) -> None:
    """Runs inside the ridehail interpreter: one headless run, no files, completions counted."""
    import logging

    from ridehail.atom import TripPhase
    from ridehail.config import RideHailConfig
    from ridehail.simulation import RideHailSimulation

    workload = json.loads(workload_json)
    config = RideHailConfig(use_config_file=False)
    logging.disable(logging.CRITICAL)
    config.city_size.value = workload["city_blocks"]
    config.vehicle_count.value = workload["vehicles"]
    config.base_demand.value = workload["requests"] / workload["blocks"]
    config.time_blocks.value = workload["blocks"]
    config.animation.value = "none"
    config.random_number_seed.value = workload["seed"]
    sim = RideHailSimulation(config)
    start = time.perf_counter()
    for _ in range(workload["blocks"]):
        sim.next_block()
    seconds = time.perf_counter() - start
    # Trips are garbage-collected as the run goes; the completion count over the whole run comes
    # from a second, identical (seeded) run that inspects the trips after every block.
    sim = RideHailSimulation(config)
    completed: set[int] = set()
    for _ in range(workload["blocks"]):
        sim.next_block()
        completed.update(i for i, t in sim.trips.items() if t.phase == TripPhase.COMPLETED)
    print(json.dumps({"seconds": seconds, "completed": len(completed)}))


# ------------------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30, help="runs of the default point (≥ 20)")
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--skip-ridehail", action="store_true")
    parser.add_argument("--skip-large-ridehail", action="store_true",
                        help="compare ridehail on the default workload only (its large run takes ~30 s)")
    parser.add_argument("--skip-scaling", action="store_true",
                        help="skip the 4× runs (~35 s)")
    parser.add_argument("--scaling-runs", type=int, default=3,
                        help="runs of each scaling point (the fastest counts)")
    parser.add_argument("--skip-cli", action="store_true", help="skip `ridesweep run` end to end")
    parser.add_argument("--ridehail-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ridehail_worker:
        ridehail_worker(args.ridehail_worker)
        return

    from domain.simulation import SIMULATION_MODEL  # here: the ridehail worker cannot import it

    load_before = os.getloadavg()[0]
    default = time_point({}, max(args.runs, 20))
    large = time_point(LARGE_SCENARIO, args.large_runs)
    rows: list[tuple[str, str]] = [
        ("simulation model", f"{SIMULATION_MODEL}"),
        (f"default point: median wall time ({max(args.runs, 20)} runs)",
         f"{default.seconds * 1e3:9.2f} ms  (target ≤ {DEFAULT_TARGET_MS:.0f} ms: "
         f"{'met' if default.seconds * 1e3 <= DEFAULT_TARGET_MS else 'missed'}; "
         f"CPU {default.cpu_seconds * 1e3:.2f} ms)"),
        ("default point: events processed", f"{default.events:9,d}"),
        ("default point: events per second", f"{default.events / default.seconds:9,.0f}"),
        ("default point: riders / drivers / completed trips",
         f"{default.riders:,} / {default.drivers:,} / {default.completed:,}"),
        (f"large scenario: median wall time ({args.large_runs} runs)",
         f"{large.seconds:9.3f} s   (target ≤ {LARGE_TARGET_SECONDS} s: "
         f"{'met' if large.seconds <= LARGE_TARGET_SECONDS else 'missed'}; "
         f"CPU {large.cpu_seconds:.3f} s)"),
        ("large scenario: speed-up over the reference's 23 s",
         f"{REFERENCE_LARGE_SECONDS / large.seconds:9.1f} ×"),
        ("large scenario: events per second", f"{large.events / large.seconds:9,.0f}"),
        ("large scenario: riders / drivers / completed trips",
         f"{large.riders:,} / {large.drivers:,} / {large.completed:,}"),
    ]
    if not args.skip_scaling:
        rows += scaling_section(args.scaling_runs)
    if not args.skip_cli:
        try:
            cli_seconds = time_cli_run(LARGE_SCENARIO)
            rows.append(("large scenario: `ridesweep run` end to end (fresh process)",
                         f"{cli_seconds:9.3f} s   (target ≤ {CLI_TARGET_SECONDS} s: "
                         f"{'met' if cli_seconds <= CLI_TARGET_SECONDS else 'missed'})"))
        except (OSError, RuntimeError) as error:
            rows.append(("large scenario: `ridesweep run` end to end", f"NOT RUN: {error}"))
    rows += ridehail_rows(args, default, large)
    rows.append(("machine: cores / 1-minute load average before / after the run",
                 f"{os.cpu_count()} / {load_before:.2f} / {os.getloadavg()[0]:.2f} "
                 "(other work on the machine slows every row)"))
    rows.append(("python", sys.version.split()[0]))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def scaling_section(runs: int) -> list[tuple[str, str]]:
    """4× the riders and drivers: on the same city, then without repositioning and surge, then on
    a city of 4× the area (the same density)."""
    base, bigger, wider = time_points(
        [LARGE_SCENARIO, scaled(LARGE_SCENARIO, SCALE_FACTOR), widened(LARGE_SCENARIO, SCALE_FACTOR)],
        runs,
    )
    plain = {**LARGE_SCENARIO, **WITHOUT_REPOSITIONING_AND_SURGE}
    plain_base, plain_bigger = time_points([plain, scaled(plain, SCALE_FACTOR)], runs)
    linear = f"linear = {SCALE_FACTOR:.1f}"
    return [
        *scaling_rows(f"large × {SCALE_FACTOR} riders and drivers, same city", base, bigger, linear),
        *scaling_rows("  the same without repositioning and surge", plain_base, plain_bigger, linear),
        *scaling_rows(f"  × {SCALE_FACTOR} on a city 2× wider and 2× taller (same density)",
                      base, wider, f"{linear} at equal density"),
    ]


def ridehail_rows(args: argparse.Namespace, default: Timing, large: Timing) -> list[tuple[str, str]]:
    if args.skip_ridehail:
        return [("ridehail comparison", "skipped (--skip-ridehail)")]
    python = ridehail_python()
    if python is None:
        return [("ridehail comparison",
                 "NOT RUN: no interpreter with the ridehail package (needs Python ≥ 3.12; "
                 "see this script's docstring)")]
    workloads = [("default", default)] + ([] if args.skip_large_ridehail else [("large", large)])
    rows: list[tuple[str, str]] = []
    for name, ours in workloads:
        try:
            theirs = time_ridehail(python, ours)
        except (RuntimeError, ValueError) as error:
            rows.append((f"ridehail, {name} workload", f"NOT RUN: ridehail failed: {error}"))
            continue
        their_rate = theirs["completed"] / theirs["seconds"]
        rows += [
            (f"ridehail, {name} workload: {ours.drivers:,} vehicles, {ours.riders:,} requests, "
             f"{ours.simulation_minutes} blocks",
             f"{theirs['seconds']:9.3f} s, {theirs['completed']:,} trips completed"),
            ("  completed trips per second: ours / ridehail",
             f"{ours.trips_per_second:9,.0f} / {their_rate:,.0f}"),
            (f"  ratio ours over ridehail ({name})", f"{ours.trips_per_second / their_rate:9.1f} ×"),
        ]
    return rows


if __name__ == "__main__":
    main()
