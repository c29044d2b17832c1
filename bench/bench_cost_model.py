"""How well the cost model (domain/cost_model.py) predicts the simulation's CPU time, market by market,
and what the worker's decision before each point costs.

Run: .venv/bin/python bench/bench_cost_model.py [--runs 2]

Prints measured and estimated CPU milliseconds and their ratio for markets from tens to thousands
of riders and drivers; refit the constants of domain/cost_model.py when the ratios drift far
from 1 (the simulation got faster or slower). CPU time (best of ``--runs``) is less moved by
other work on the machine than wall time; the load is printed beside it. Last, the time the
worker spends deciding whether to start each point (estimate, clock, memory reading), beside the
time of the default point's simulation.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any

from adapters.process_memory import ProcessMemoryGauge
from adapters.system_clock import SystemClock
from application.work_budget import WorkBudget, WorkLimits
from domain.cost_model import simulation_seconds
from domain.parameters import SimulationParameters
from domain.planning import ParameterSpace
from domain.simulation import simulate

MARKETS: list[dict[str, Any]] = [
    {"num_riders": riders, "num_drivers": drivers}
    for riders in (100, 500, 2000, 8000)
    for drivers in (20, 100, 400, 1600)
] + [
    {"num_riders": 500, "num_drivers": 100, "request_window_minutes": 240, "simulation_minutes": 300},
    {"num_riders": 2000, "num_drivers": 400, "request_window_minutes": 600, "simulation_minutes": 720},
    {  # the large scenario of bench/bench_simulation.py
        "num_riders": 10_000, "num_drivers": 7_000, "request_window_minutes": 240,
        "simulation_minutes": 300, "surge_enabled": True, "surge_max_multiplier": 1.3,
        "commission_rate": 0.15, "match_radius_km": 1.5, "city_width_km": 46.0, "city_height_km": 38.0,
    },
]


def cpu_seconds(values: dict[str, Any], runs: int) -> float:
    parameters = SimulationParameters.from_values(values)
    best = math.inf
    for seed in range(runs):
        started = time.process_time()
        simulate(parameters, seed)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{'market':<58} {'measured ms':>11} {'estimate ms':>11} {'ratio':>6}")
    ratios = []
    for values in MARKETS:
        measured = cpu_seconds(values, args.runs)
        estimate = simulation_seconds(values)
        ratios.append(estimate / measured)
        label = ", ".join(f"{k}={v}" for k, v in values.items() if k in _SHOWN)
        print(f"{label:<58} {measured * 1e3:11.1f} {estimate * 1e3:11.1f} {ratios[-1]:6.2f}")
    spread = math.exp(max(abs(math.log(r)) for r in ratios))
    print(f"estimate / measured: from {min(ratios):.2f} to {max(ratios):.2f} (within a factor {spread:.2f})")
    decision = decision_seconds()
    default = cpu_seconds({}, args.runs)
    print(
        f"deciding before a point: {decision * 1e6:.1f} µs, {decision / default:.2%} of the default "
        f"point's {default * 1e3:.1f} ms"
    )
    print(f"machine: {os.cpu_count()} cores, 1-minute load average {load:.2f} before the run")


def decision_seconds(points: int = 20_000) -> float:
    """Mean wall time of the worker's per-point decision with a deadline and a memory budget, as
    application/execute_shard.py takes it (the cost model's estimate, then the budget's rules)."""
    space = ParameterSpace({"num_drivers": tuple(range(1, 101)), "commission_rate": (0.1, 0.2)}, {})
    limits = WorkLimits(part_seconds=1e6, memory_bytes=64 * 2**30)
    part = WorkBudget(limits, SystemClock(), ProcessMemoryGauge()).part()
    started = time.perf_counter()
    for done in range(points):
        index = done % space.total_points
        estimate = simulation_seconds({**space.base_parameters, **space.point_at(index)})
        part.stop_before(estimate, done=done, held_bytes=0)
        part.point_done()
    return (time.perf_counter() - started) / points


_SHOWN = ("num_riders", "num_drivers", "request_window_minutes", "simulation_minutes")

if __name__ == "__main__":
    main()
