"""How fast this machine simulates, against the cost model's reference machine: a few small
simulations timed in CPU seconds (so other work on the machine moves the figure less)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from domain.cost_model import simulation_seconds
from domain.parameters import Scalar, SimulationParameters

CALIBRATION_MARKETS: tuple[Mapping[str, Scalar], ...] = (
    {"num_riders": 200, "num_drivers": 40, "request_window_minutes": 30, "simulation_minutes": 60},
    {"num_riders": 500, "num_drivers": 100},
    {"num_riders": 1_000, "num_drivers": 300, "request_window_minutes": 60, "simulation_minutes": 120},
)
"""Markets around the default point, a fraction of a second in all."""


def machine_factor(
    simulate: Callable[[Any, int], Any], cpu_clock: Callable[[], float] = time.process_time
) -> float:
    """Measured CPU seconds over the cost model's estimate for ``CALIBRATION_MARKETS`` (after one
    unmeasured warm-up): above 1, this machine is slower than the reference."""
    simulate(SimulationParameters.from_values(CALIBRATION_MARKETS[0]), 0)
    measured = estimated = 0.0
    for seed, market in enumerate(CALIBRATION_MARKETS, start=1):
        parameters = SimulationParameters.from_values(market)
        started = cpu_clock()
        simulate(parameters, seed)
        measured += cpu_clock() - started
        estimated += simulation_seconds(market)
    return measured / estimated
