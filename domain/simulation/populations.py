"""Who arrives, when and where: riders and drivers drawn up front, in vectorised batches.

Arrivals are a Poisson process whose rate is constant within each hour of the run. Instants come
from unit exponential gaps, summed and mapped through the inverse of the cumulative rate, so the
arrivals before any instant do not depend on how long the run goes on after it (a longer run keeps
the same drivers in its first hours).

Only arithmetic, ``sqrt`` and the generator's own distributions are used: their results are the
same bits on every CPU (docs/model.md "Same bytes everywhere").
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
from domain.simulation.pricing import fleet_scale
from domain.simulation.random_streams import RandomStreams

MAX_REDRAWS = 100
HOTSPOT_SIGMA_SHARE = 0.15
"""σ of the demand hotspot, as a share of the city's smaller side."""

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
    eta_reach_km: list[float]
    """Farthest idle driver whose quoted ETA the rider accepts, at a traffic factor of 1."""
    value: list[float]
    """What the trip is worth to the rider: a fare above it is rejected."""

    def __len__(self) -> int:
        return len(self.arrival_ms)


@dataclass(frozen=True, slots=True)
class Drivers:
    """Drivers by id: the fleet on duty at t = 0 first, then replacements in arrival order."""

    arrival_ms: list[int]
    x: list[float]
    y: list[float]
    earnings_target: list[float]
    shift_start_ms: list[int]
    """Negative for the fleet at t = 0, which is part-way through its shifts."""
    shift_end_ms: list[int]
    on_duty_at_start: int

    def __len__(self) -> int:
        return len(self.arrival_ms)


def poisson_arrival_times(
    rng: np.random.Generator, rates_per_ms: Sequence[float], duration_ms: int
) -> IntArray:
    """Sorted integer instants in [0, duration_ms) of a Poisson process; ``rates_per_ms[h]`` is
    its rate during hour h of the run."""
    hours = -(-duration_ms // HOUR_MS)
    starts = np.arange(hours, dtype=np.float64) * HOUR_MS
    ends = np.minimum(starts + HOUR_MS, float(duration_ms))
    rates = np.asarray(rates_per_ms[:hours], dtype=np.float64)
    cumulative = np.concatenate(([0.0], np.cumsum(rates * (ends - starts))))
    total = float(cumulative[-1])
    if not total > 0.0:
        return np.empty(0, dtype=np.int64)
    # Whole chunks are concatenated before the one cumulative sum, so every instant is the same
    # sum of the same gaps whatever the chunk size (and hence the run's length).
    chunks: list[FloatArray] = []
    mass = np.zeros(1)
    while mass[-1] < total:
        drawn = float(mass[-1])
        chunks.append(rng.standard_exponential(int(total - drawn + 4.0 * math.sqrt(total) + 16.0)))
        mass = np.cumsum(np.concatenate(chunks))
    mass = mass[mass < total]
    segment = np.clip(np.searchsorted(cumulative, mass, side="right") - 1, 0, hours - 1)
    instants = starts[segment] + (mass - cumulative[segment]) / rates[segment]
    ms = np.clip(np.floor(instants), 0, duration_ms - 1).astype(np.int64)
    result: IntArray = np.maximum.accumulate(ms) if len(ms) else ms
    return result


def draw_riders(params: SimulationParameters, streams: RandomStreams) -> Riders:
    window_ms = params.request_window_minutes * 60_000
    hours = hours_covering(window_ms)
    demand = rider_demand_by_run_hour(params.start_day, params.start_hour, hours)
    # Scaled so that the expected count over the window is num_riders, whatever its hours.
    weighted = sum(
        level * (min((h + 1) * HOUR_MS, window_ms) - h * HOUR_MS)
        for h, level in enumerate(demand)
        if h * HOUR_MS < window_ms
    )
    rates = [params.num_riders * level / weighted for level in demand]
    arrival_ms = poisson_arrival_times(streams.rider_arrivals, rates, window_ms)
    n = len(arrival_ms)
    x, y = draw_origins(streams.rider_positions, n, params)
    dest_x, dest_y = draw_destinations(streams.rider_positions, x, y, params)
    dx = dest_x - x
    dy = dest_y - y
    trip_km = np.sqrt(dx * dx + dy * dy)
    attributes = streams.rider_attributes
    patience_s = attributes.uniform(
        params.rider_patience_min_seconds, params.rider_patience_max_seconds, n
    )
    eta_limit_minutes = attributes.uniform(0.5, 1.5, n) * params.max_acceptable_eta_minutes
    valuation = attributes.lognormal(0.0, params.willingness_to_pay_sigma, n)
    value = (params.rider_value_base + params.rider_value_per_km * trip_km) * valuation
    return Riders(
        arrival_ms=arrival_ms.tolist(),
        x=x.tolist(),
        y=y.tolist(),
        dest_x=dest_x.tolist(),
        dest_y=dest_y.tolist(),
        trip_km=trip_km.tolist(),
        patience_ms=np.rint(patience_s * 1000.0).astype(np.int64).tolist(),
        eta_reach_km=(eta_limit_minutes / 60.0 * params.mean_speed_kmh).tolist(),
        value=value.tolist(),
    )


def draw_origins(
    rng: np.random.Generator, n: int, params: SimulationParameters
) -> tuple[FloatArray, FloatArray]:
    """Around the centre with probability demand_hotspot_share, else uniform over the city.

    Both candidates are drawn for every rider and the share only picks between them, so points
    that differ in the share see the same candidate positions.
    """
    width, height = params.city_width_km, params.city_height_km
    uniform_x = rng.uniform(0.0, width, n)
    uniform_y = rng.uniform(0.0, height, n)
    sigma = HOTSPOT_SIGMA_SHARE * min(width, height)
    hot_x = np.empty(n)
    hot_y = np.empty(n)
    pending = np.arange(n)
    for _ in range(MAX_REDRAWS + 1):
        hot_x[pending] = rng.normal(width / 2.0, sigma, len(pending))
        hot_y[pending] = rng.normal(height / 2.0, sigma, len(pending))
        px, py = hot_x[pending], hot_y[pending]
        pending = pending[(px < 0.0) | (px > width) | (py < 0.0) | (py > height)]
        if not len(pending):
            break
    np.clip(hot_x, 0.0, width, out=hot_x)
    np.clip(hot_y, 0.0, height, out=hot_y)
    hot = rng.random(n) < params.demand_hotspot_share
    return np.where(hot, hot_x, uniform_x), np.where(hot, hot_y, uniform_y)


def draw_destinations(
    rng: np.random.Generator, x: FloatArray, y: FloatArray, params: SimulationParameters
) -> tuple[FloatArray, FloatArray]:
    """A destination at U[min_trip, max_trip] km in a uniform direction, redrawn until in the city.

    A trip length that cannot fit from some origin (a city smaller than min_trip_km) would redraw
    forever: after ``MAX_REDRAWS`` rounds the last draw is clamped to the city edge.
    """
    width, height = params.city_width_km, params.city_height_km
    dest_x = np.empty_like(x)
    dest_y = np.empty_like(y)
    pending = np.arange(len(x))
    for _ in range(MAX_REDRAWS + 1):
        distance = rng.uniform(params.min_trip_km, params.max_trip_km, len(pending))
        angle = rng.uniform(0.0, 2.0 * math.pi, len(pending))
        dest_x[pending] = x[pending] + distance * np.cos(angle)
        dest_y[pending] = y[pending] + distance * np.sin(angle)
        px, py = dest_x[pending], dest_y[pending]
        outside = (px < 0.0) | (px > width) | (py < 0.0) | (py > height)
        pending = pending[outside]
        if not len(pending):
            break
    np.clip(dest_x, 0.0, width, out=dest_x)
    np.clip(dest_y, 0.0, height, out=dest_y)
    return dest_x, dest_y


def draw_drivers(params: SimulationParameters, streams: RandomStreams) -> Drivers:
    """The fleet on duty at t = 0, sized by the commission, and its replacements over the run."""
    scale = fleet_scale(params.commission_rate, params.driver_supply_elasticity)
    fleet = max(1, math.floor(params.num_drivers * scale + 0.5))
    end_ms = params.simulation_minutes * 60_000
    supply = driver_supply_by_run_hour(params.start_day, params.start_hour, hours_covering(end_ms))
    mean_shift_ms = (params.driver_shift_hours_min + params.driver_shift_hours_max) / 2.0 * HOUR_MS
    rate = scale * params.num_drivers / mean_shift_ms
    arrivals = poisson_arrival_times(
        streams.driver_arrivals, [rate * level / supply[0] for level in supply], end_ms
    )
    replacements = len(arrivals)
    # One row of draws per driver (the fleet's first, then each replacement's), so a driver's
    # attributes and position do not depend on how many drivers come after it.
    width_h = params.driver_shift_hours_max - params.driver_shift_hours_min
    width_target = params.driver_earnings_target_max - params.driver_earnings_target_min
    attributes = streams.driver_attributes
    fleet_draws = attributes.random((fleet, 3))
    later_draws = attributes.random((replacements, 2))
    shift_h = params.driver_shift_hours_min + width_h * np.concatenate(
        (fleet_draws[:, 0], later_draws[:, 0])
    )
    target = params.driver_earnings_target_min + width_target * np.concatenate(
        (fleet_draws[:, 1], later_draws[:, 1])
    )
    shift_ms = np.rint(shift_h * HOUR_MS).astype(np.int64)
    worked_ms = np.floor(fleet_draws[:, 2] * shift_ms[:fleet]).astype(np.int64)
    arrival_ms = np.concatenate((np.zeros(fleet, dtype=np.int64), arrivals))
    shift_start = np.concatenate((-worked_ms, arrivals))
    position = streams.driver_positions.random((fleet + replacements, 2))
    x = params.city_width_km * position[:, 0]
    y = params.city_height_km * position[:, 1]
    return Drivers(
        arrival_ms=arrival_ms.tolist(),
        x=x.tolist(),
        y=y.tolist(),
        earnings_target=target.tolist(),
        shift_start_ms=shift_start.tolist(),
        shift_end_ms=(shift_start + shift_ms).tolist(),
        on_duty_at_start=fleet,
    )
