"""Small markets that run in milliseconds, for behaviour tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.parameters import SimulationParameters
from domain.simulation import SimulationOutput, simulate

SMALL_MARKET = SimulationParameters(
    num_riders=150,
    num_drivers=30,
    request_window_minutes=30,
    simulation_minutes=60,
    city_width_km=12.0,
    city_height_km=10.0,
    match_radius_km=3.0,
    max_trip_km=8.0,
)


def small_market(**changes: Any) -> SimulationParameters:
    return dataclasses.replace(SMALL_MARKET, **changes)


def run(params: SimulationParameters, seed: int = 7) -> SimulationOutput:
    return simulate(params, seed)


def mean(values: list[float]) -> float:
    return sum(values) / len(values)
