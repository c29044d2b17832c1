"""Quote pricing, surge and the driver's acceptance rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.simulation.pricing import (
    NO_DRIVER_ETA_MINUTES,
    driver_accept_probability,
    eta_reach_km,
    fare,
    quote_eta_minutes,
    surge_multiplier,
)


def test_no_surge_while_idle_drivers_cover_demand() -> None:
    assert surge_multiplier(demand=4, supply=4, maximum=2.0) == 1.0
    assert surge_multiplier(demand=0, supply=1, maximum=2.0) == 1.0
    assert surge_multiplier(demand=0, supply=0, maximum=2.0) == 1.0


def test_surge_grows_with_the_excess_of_demand_over_supply() -> None:
    assert surge_multiplier(demand=5, supply=4, maximum=3.0) == pytest.approx(1.25)


def test_surge_is_capped_at_the_maximum() -> None:
    assert surge_multiplier(demand=50, supply=2, maximum=1.3) == 1.3


def test_no_idle_driver_nearby_means_the_maximum_surge() -> None:
    assert surge_multiplier(demand=1, supply=0, maximum=2.5) == 2.5


@given(st.integers(0, 500), st.integers(0, 500), st.floats(1.0, 10.0))
def test_surge_stays_within_one_and_the_maximum(demand: int, supply: int, maximum: float) -> None:
    assert 1.0 <= surge_multiplier(demand, supply, maximum) <= maximum


@given(st.integers(0, 500), st.integers(0, 500), st.floats(1.0, 10.0))
def test_a_supply_count_stopped_at_the_demand_gives_the_same_surge(
    demand: int, supply: int, maximum: float
) -> None:
    assert surge_multiplier(demand, min(supply, demand), maximum) == surge_multiplier(
        demand, supply, maximum
    )


def test_fare_is_base_plus_distance_times_surge() -> None:
    assert fare(2.5, 1.5, 10.0, 1.2) == pytest.approx((2.5 + 15.0) * 1.2)


def test_quote_eta_is_travel_time_at_the_mean_speed() -> None:
    assert quote_eta_minutes(10.0, 40.0) == pytest.approx(15.0)
    assert quote_eta_minutes(math.inf, 40.0) == NO_DRIVER_ETA_MINUTES


@given(st.floats(0.0, 100.0), st.floats(0.5, 240.0), st.floats(5.0, 150.0))
def test_an_eta_is_acceptable_exactly_when_the_driver_is_within_reach(
    km: float, max_eta: float, speed: float
) -> None:
    reach = eta_reach_km(max_eta, speed)
    if abs(km - reach) > 1e-9 * max(reach, 1.0):
        assert (quote_eta_minutes(km, speed) <= max_eta) == (km <= reach)


def test_driver_acceptance_is_the_logistic_of_the_score() -> None:
    p = driver_accept_probability(
        fare=20.0, pickup_km=1.0, trip_km=6.0, earnings=50.0, earnings_target=200.0,
        on_shift_ms=3_600_000, shift_ms=8 * 3_600_000,
    )
    score = 1.0 + 2.0 - 2.0 + 3.0 - 0.5 * 0.25 - 1.0 / 8
    assert p == pytest.approx(1.0 / (1.0 + math.exp(-score)))


def test_a_far_pickup_is_less_attractive_than_a_near_one() -> None:
    near = driver_accept_probability(15.0, 0.5, 5.0, 0.0, 100.0, 0, 3_600_000)
    far = driver_accept_probability(15.0, 3.0, 5.0, 0.0, 100.0, 0, 3_600_000)
    assert far < near


def test_extreme_scores_give_probabilities_without_overflow() -> None:
    assert driver_accept_probability(0.0, 50.0, 0.0, 1e9, 1e-3, 0, 1) == pytest.approx(0.0)
    assert driver_accept_probability(1e6, 0.0, 0.0, 0.0, 1.0, 0, 1) == pytest.approx(1.0)


def test_a_zero_earnings_target_counts_as_met() -> None:
    assert driver_accept_probability(10.0, 1.0, 5.0, 0.0, 0.0, 0, 1) == pytest.approx(
        driver_accept_probability(10.0, 1.0, 5.0, 1.0, 1.0, 0, 1)
    )
