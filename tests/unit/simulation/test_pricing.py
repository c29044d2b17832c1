"""Surge, the fleet's response to commission, and the driver's acceptance rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.simulation.pricing import driver_accept_probability, fleet_scale, surge_multiplier


def test_no_surge_while_idle_drivers_cover_demand() -> None:
    assert surge_multiplier(demand=4, supply=4, sensitivity=0.3, maximum=2.0) == 1.0
    assert surge_multiplier(demand=0, supply=1, sensitivity=0.3, maximum=2.0) == 1.0
    assert surge_multiplier(demand=0, supply=0, sensitivity=0.3, maximum=2.0) == 1.0


def test_surge_grows_with_the_excess_of_demand_over_supply() -> None:
    # 1 + 0.3 × (5 − 2) / (2 + 1)
    assert surge_multiplier(demand=5, supply=2, sensitivity=0.3, maximum=3.0) == pytest.approx(1.3)


def test_a_zone_without_idle_drivers_surges_by_its_demand_not_to_the_maximum() -> None:
    assert surge_multiplier(demand=1, supply=0, sensitivity=0.3, maximum=2.5) == pytest.approx(1.3)


def test_surge_is_capped_at_the_maximum() -> None:
    assert surge_multiplier(demand=50, supply=2, sensitivity=0.3, maximum=1.3) == 1.3


@given(st.integers(0, 500), st.integers(0, 500), st.floats(0.0, 5.0), st.floats(1.0, 10.0))
def test_surge_stays_within_one_and_the_maximum(
    demand: int, supply: int, sensitivity: float, maximum: float
) -> None:
    assert 1.0 <= surge_multiplier(demand, supply, sensitivity, maximum) <= maximum


def test_the_fleet_is_num_drivers_at_the_reference_commission() -> None:
    assert fleet_scale(0.2, 1.0) == 1.0
    assert fleet_scale(0.2, 3.0) == 1.0


def test_a_higher_commission_shrinks_the_fleet_by_its_elasticity() -> None:
    assert fleet_scale(0.6, 1.0) == pytest.approx(0.5)
    assert fleet_scale(0.6, 2.0) == pytest.approx(0.25)
    assert fleet_scale(0.6, 0.0) == 1.0


def test_driver_acceptance_is_the_logistic_of_the_score() -> None:
    p = driver_accept_probability(
        hourly_pay=30.0, reservation_wage=20.0, pickup_km=1.0, earned_share=0.25, shift_share=0.125
    )
    score = 1.5 + 0.1 * 10.0 - 0.5 * 1.0 - 0.5 * 0.25 - 1.0 * 0.125
    assert p == pytest.approx(1.0 / (1.0 + math.exp(-score)))


def test_a_far_pickup_is_less_attractive_than_a_near_one() -> None:
    near = driver_accept_probability(30.0, 20.0, 0.5, 0.0, 0.0)
    far = driver_accept_probability(30.0, 20.0, 3.0, 0.0, 0.0)
    assert far < near


def test_pay_below_the_reservation_wage_is_less_attractive() -> None:
    assert driver_accept_probability(10.0, 20.0, 1.0, 0.0, 0.0) < driver_accept_probability(
        30.0, 20.0, 1.0, 0.0, 0.0
    )


def test_extreme_scores_give_probabilities_without_overflow() -> None:
    assert driver_accept_probability(0.0, 1_000.0, 50.0, 1e9, 1.0) == pytest.approx(0.0)
    assert driver_accept_probability(1e6, 0.0, 0.0, 0.0, 0.0) == pytest.approx(1.0)
