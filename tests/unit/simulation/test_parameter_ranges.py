"""Any point the API accepts runs, and keeps the accounting identities."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.parameters import ORDERED_PAIRS, PARAMETERS, SimulationParameters
from domain.simulation import simulate

KEPT_SMALL = {"num_riders": 300, "num_drivers": 80, "request_window_minutes": 90, "simulation_minutes": 120}


def value_of(name: str) -> st.SearchStrategy[Any]:
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    assert spec.minimum is not None and spec.maximum is not None
    if spec.kind == "int":
        return st.integers(int(spec.minimum), min(int(spec.maximum), KEPT_SMALL.get(name, 10**9)))
    return st.floats(spec.minimum, spec.maximum, exclude_max=spec.maximum_exclusive)


@st.composite
def valid_points(draw: st.DrawFn) -> SimulationParameters:
    values = {name: draw(value_of(name)) for name in PARAMETERS}
    for pair in ORDERED_PAIRS:
        low, high = sorted((values[pair.lower], values[pair.upper]))
        values[pair.lower], values[pair.upper] = low, high
    return SimulationParameters.from_values(values)


@settings(max_examples=40, deadline=None)
@given(valid_points(), st.integers(0, 2**64 - 1))
def test_every_valid_point_runs_and_its_riders_and_money_add_up(
    params: SimulationParameters, seed: int
) -> None:
    m = simulate(params, seed).metrics
    assert m["total_riders"] == (
        m["completed_riders"] + m["cancelled_riders"] + m["abandoned_quote_riders"] + m["riders_unresolved"]
    )
    assert m["driver_payouts"] + m["platform_revenue"] == pytest.approx(m["total_fares_collected"], rel=1e-9)
    assert 0.0 <= m["conversion_rate"] <= 1.0
    assert 0.0 <= m["driver_utilization"] <= 1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"num_riders": 1, "num_drivers": 1, "request_window_minutes": 1, "simulation_minutes": 1},
        {"city_width_km": 200.0, "city_height_km": 200.0, "match_radius_km": 0.1},
        {"city_width_km": 1.0, "city_height_km": 1.0, "match_radius_km": 50.0, "surge_enabled": True,
         "surge_zone_km": 20.0},
        {"driver_earnings_target_min": 0.0, "driver_earnings_target_max": 0.0},
        {"batch_interval_seconds": 600, "requote_delay_seconds": 3_600},
        {"start_day": "sunday", "start_hour": 23, "request_window_minutes": 1_440,
         "simulation_minutes": 1_440, "num_riders": 300, "num_drivers": 30},
    ],
    ids=["tiny", "huge sparse city", "one-km city", "zero targets", "slow clocks", "whole day"],
)
def test_extreme_corners_of_the_parameter_space_run(changes: dict[str, Any]) -> None:
    m = simulate(SimulationParameters(**changes), 3).metrics
    assert m["total_riders"] == (
        m["completed_riders"] + m["cancelled_riders"] + m["abandoned_quote_riders"] + m["riders_unresolved"]
    )
