"""Who arrives, when and where: riders and drivers drawn up front, in vectorised batches.

Arrivals are a non-homogeneous Poisson process whose rate is the base rate times the hourly curve
at the arrival instant. Given the number of arrivals in the window (Poisson with the integrated
rate as mean), their instants are independent draws from the rate's shape; sorting them gives the
process. The base rate is ``requested / window``: the expected count is the requested one when the
curve averages 1 over the window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.parameters import SimulationParameters
from domain.simulation.curves import (
    HOUR_MS,
    driver_supply_by_run_hour,
    hours_covering,
    rider_demand_by_run_hour,
)
from domain.simulation.random_streams import RandomStreams

MAX_DESTINATION_REDRAWS = 100

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Riders:
    """Riders in arrival order; a rider's id is its index."""

    arrival_ms: list[int]
    x: list[float]
    y: list[float]
    dest_x: list[float]
    dest_y: list[float]
    trip_km: list[float]
    patience_ms: list[int]

    def __len__(self) -> int:
        return len(self.arrival_ms)


@dataclass(frozen=True, slots=True)
class Drivers:
    """Drivers in arrival order; a driver's id is its index."""

    arrival_ms: list[int]
    x: list[float]
    y: list[float]
    earnings_target: list[float]
    shift_ms: list[int]

    def __len__(self) -> int:
        return len(self.arrival_ms)


def poisson_arrival_times(
    rng: np.random.Generator,
    requested: int,
    window_ms: int,
    hourly_multipliers: Sequence[float],
) -> IntArray:
    """Sorted integer arrival instants in [0, window_ms) with rate ∝ the hourly multiplier."""
    hours = -(-window_ms // HOUR_MS)
    starts = np.arange(hours, dtype=np.float64) * HOUR_MS
    ends = np.minimum(starts + HOUR_MS, float(window_ms))
    rates = (requested / window_ms) * np.asarray(hourly_multipliers[:hours], dtype=np.float64)
    cumulative = np.concatenate(([0.0], np.cumsum(rates * (ends - starts))))
    total = float(cumulative[-1])
    count = int(rng.poisson(total))
    mass = np.sort(rng.random(count)) * total
    segment = np.clip(np.searchsorted(cumulative, mass, side="right") - 1, 0, hours - 1)
    instants = starts[segment] + (mass - cumulative[segment]) / rates[segment]
    ms = np.clip(np.floor(instants), 0, window_ms - 1).astype(np.int64)
    result: IntArray = np.maximum.accumulate(ms) if count else ms
    return result


def draw_riders(params: SimulationParameters, streams: RandomStreams) -> Riders:
    window_ms = params.request_window_minutes * 60_000
    demand = rider_demand_by_run_hour(params.start_day, params.start_hour, hours_covering(window_ms))
    arrivals = streams.rider_arrivals
    arrival_ms = poisson_arrival_times(arrivals, params.num_riders, window_ms, demand)
    n = len(arrival_ms)
    patience_s = arrivals.uniform(
        params.rider_patience_min_seconds, params.rider_patience_max_seconds, n
    )
    positions = streams.rider_positions
    x = positions.uniform(0.0, params.city_width_km, n)
    y = positions.uniform(0.0, params.city_height_km, n)
    dest_x, dest_y = draw_destinations(positions, x, y, params)
    trip_km = np.hypot(dest_x - x, dest_y - y)
    return Riders(
        arrival_ms=arrival_ms.tolist(),
        x=x.tolist(),
        y=y.tolist(),
        dest_x=dest_x.tolist(),
        dest_y=dest_y.tolist(),
        trip_km=trip_km.tolist(),
        patience_ms=np.rint(patience_s * 1000.0).astype(np.int64).tolist(),
    )


def draw_destinations(
    rng: np.random.Generator, x: FloatArray, y: FloatArray, params: SimulationParameters
) -> tuple[FloatArray, FloatArray]:
    """A destination at U[min_trip, max_trip] km in a uniform direction, redrawn until in the city.

    A trip length that cannot fit from some origin (a city smaller than min_trip_km) would redraw
    forever: after ``MAX_DESTINATION_REDRAWS`` rounds the last draw is clamped to the city edge.
    """
    width, height = params.city_width_km, params.city_height_km
    dest_x = np.empty_like(x)
    dest_y = np.empty_like(y)
    pending = np.arange(len(x))
    for _ in range(MAX_DESTINATION_REDRAWS + 1):
        distance = rng.uniform(params.min_trip_km, params.max_trip_km, len(pending))
        angle = rng.uniform(0.0, 2.0 * math.pi, len(pending))
        dest_x[pending] = x[pending] + distance * np.cos(angle)
        dest_y[pending] = y[pending] + distance * np.sin(angle)
        px, py = dest_x[pending], dest_y[pending]
        outside = (px < 0.0) | (px > width) | (py < 0.0) | (py > height)
        pending = pending[outside]
        if len(pending) == 0:
            break
    np.clip(dest_x, 0.0, width, out=dest_x)
    np.clip(dest_y, 0.0, height, out=dest_y)
    return dest_x, dest_y


def draw_drivers(params: SimulationParameters, streams: RandomStreams) -> Drivers:
    window_ms = params.request_window_minutes * 60_000
    supply = driver_supply_by_run_hour(params.start_day, params.start_hour, hours_covering(window_ms))
    arrivals = streams.driver_arrivals
    arrival_ms = poisson_arrival_times(arrivals, params.num_drivers, window_ms, supply)
    n = len(arrival_ms)
    target = arrivals.uniform(
        params.driver_earnings_target_min, params.driver_earnings_target_max, n
    )
    shift_h = arrivals.uniform(params.driver_shift_hours_min, params.driver_shift_hours_max, n)
    positions = streams.driver_positions
    x = positions.uniform(0.0, params.city_width_km, n)
    y = positions.uniform(0.0, params.city_height_km, n)
    return Drivers(
        arrival_ms=arrival_ms.tolist(),
        x=x.tolist(),
        y=y.tolist(),
        earnings_target=target.tolist(),
        shift_ms=np.rint(shift_h * HOUR_MS).astype(np.int64).tolist(),
    )
