"""What a marketplace expert would check, averaged over seeds where the effect is statistical."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from domain.parameters import SimulationParameters
from domain.simulation import simulate
from domain.simulation.engine import MarketEngine
from domain.simulation.matching import Assignment, Candidate
from domain.simulation.outputs import NULL_INT
from domain.simulation.random_streams import RandomStreams
from domain.simulation.states import DriverState
from tests.unit.simulation.markets import mean, run, small_market

SEEDS = range(6)


def averaged(params: SimulationParameters, metric: str) -> float:
    return mean([float(run(params, seed).metrics[metric]) for seed in SEEDS])


def test_more_drivers_do_not_lower_conversion() -> None:
    few, many = small_market(num_drivers=15), small_market(num_drivers=60)
    assert averaged(many, "conversion_rate") >= averaged(few, "conversion_rate")


def test_more_drivers_do_not_slow_matching() -> None:
    few, many = small_market(num_drivers=15), small_market(num_drivers=60)
    assert averaged(many, "median_time_to_match_ms") <= averaged(few, "median_time_to_match_ms")


def test_the_default_point_is_a_busy_working_market() -> None:
    # Given the defaults (Monday 07:00, 500 riders, 100 drivers), when the point runs
    metrics = simulate(SimulationParameters(), 2024).metrics
    # Then about the 500 riders asked for arrive (Poisson: sd ≈ 22), and a sizeable share ride
    assert abs(metrics["total_riders"] - 500) < 5 * math.sqrt(500)
    assert metrics["completed_riders"] > 100
    assert metrics["conversion_rate"] > 0.2


def test_riders_who_value_a_trip_at_nothing_all_abandon_for_price() -> None:
    m = run(small_market(rider_value_base=0.0, rider_value_per_km=0.0)).metrics
    assert m["completed_riders"] == 0
    assert m["riders_abandoned_price"] == m["total_riders"] - m["riders_unresolved"] > 0


def test_riders_who_never_accept_all_abandon_by_chance() -> None:
    m = run(small_market(rider_accept_probability=0.0, max_acceptable_eta_minutes=240.0,
                         rider_value_base=1_000.0)).metrics
    assert m["completed_riders"] == 0
    assert m["riders_abandoned_stochastic"] == m["total_riders"] - m["riders_unresolved"] > 0


def test_riders_far_from_any_idle_driver_abandon_for_eta() -> None:
    # Given a large city, few drivers and riders who want a car within 30 seconds
    params = small_market(city_width_km=60.0, city_height_km=60.0, num_drivers=10,
                          max_acceptable_eta_minutes=0.5)
    m = run(params).metrics
    assert m["riders_abandoned_eta"] > m["riders_abandoned_stochastic"] + m["riders_abandoned_price"]


def test_a_rider_abandons_after_one_more_rejection_than_allowed() -> None:
    # Given riders who never accept and may reject twice
    params = small_market(rider_accept_probability=0.0, max_quote_rejections=2)
    engine = MarketEngine(params, RandomStreams.for_point(5))
    # When the market runs
    engine.run()
    # Then every rider who abandoned rejected exactly three quotes
    abandoned = [r for r, state in enumerate(engine.rider_state) if state == 8]
    assert abandoned
    assert {engine.rejections[r] for r in abandoned} == {3}


def test_impatient_riders_cancel_when_drivers_are_scarce() -> None:
    params = small_market(num_drivers=3, rider_patience_min_seconds=20, rider_patience_max_seconds=60)
    assert averaged(params, "cancelled_riders") > 0


def test_riders_still_in_the_market_at_the_end_are_unresolved() -> None:
    # Given a run that stops right when the last riders arrive
    params = small_market(request_window_minutes=30, simulation_minutes=30)
    assert averaged(params, "riders_unresolved") > 0


def test_the_hourly_curve_shapes_when_riders_arrive() -> None:
    # Given a three-hour window from 05:00 on a weekday (demand 0.45, 0.90, 1.90)
    params = small_market(start_hour=5, request_window_minutes=180, simulation_minutes=180,
                          num_riders=300)
    engine = MarketEngine(params, RandomStreams.for_point(3))
    arrivals = np.asarray(engine.riders.arrival_ms)
    # Then the third hour gets several times the riders of the first
    first = int(np.sum(arrivals < 3_600_000))
    third = int(np.sum(arrivals >= 7_200_000))
    assert third > 2.5 * first


def test_city_traffic_makes_trips_take_longer() -> None:
    free = small_market(start_hour=8, traffic_profile="none")
    city = small_market(start_hour=8, traffic_profile="city")
    assert averaged(city, "avg_trip_duration_ms") > 1.5 * averaged(free, "avg_trip_duration_ms")


def test_surge_multipliers_stay_within_one_and_the_maximum() -> None:
    # Given a tight market with surge on
    params = small_market(surge_enabled=True, surge_sensitivity=2.0, surge_max_multiplier=1.7,
                          num_drivers=12, rider_value_base=1_000.0)
    multipliers = np.concatenate([run(params, seed).trips["surge_multiplier"] for seed in SEEDS])
    # Then every multiplier is within [1, max], and surge did happen
    assert np.all(multipliers >= 1.0)
    assert np.all(multipliers <= 1.7)
    assert np.any(multipliers > 1.0)


def test_without_surge_every_multiplier_is_one() -> None:
    trips = run(small_market(surge_enabled=False)).trips
    assert np.all(trips["surge_multiplier"] == 1.0)


def test_no_driver_is_offered_to_two_riders_in_one_batch() -> None:
    # Given a busy market whose batches are recorded
    engine = MarketEngine(small_market(num_drivers=40), RandomStreams.for_point(9))
    batches: list[list[Assignment]] = []
    match: Callable[[list[Candidate]], list[Assignment]] = engine.match

    def recording_match(candidates: list[Candidate]) -> list[Assignment]:
        assignments = match(candidates)
        batches.append(assignments)
        return assignments

    engine.match = recording_match
    # When it runs
    engine.run()
    # Then within each batch a driver (and a rider) appears at most once
    assert sum(len(batch) for batch in batches) > 20
    for batch in batches:
        drivers = [driver for _, driver in batch]
        riders = [rider for rider, _ in batch]
        assert len(set(drivers)) == len(drivers)
        assert len(set(riders)) == len(riders)


def test_drivers_go_off_duty_only_between_trips() -> None:
    # Given short shifts and low earnings targets, so many drivers leave during the run
    params = small_market(driver_shift_hours_min=0.1, driver_shift_hours_max=0.3,
                          driver_earnings_target_min=10.0, driver_earnings_target_max=30.0)
    engine = MarketEngine(params, RandomStreams.for_point(11))
    # When the market runs
    engine.run()
    trips = engine.output().trips
    left = [d for d, state in enumerate(engine.driver_state) if state == DriverState.OFF_DUTY]
    assert len(left) > 5
    # Then every trip of a driver who left had ended (dropped off or cancelled) by the time it left
    ended = np.where(trips["dropoff_at_ms"] != NULL_INT, trips["dropoff_at_ms"], trips["cancelled_at_ms"])
    for driver in left:
        mine = trips["driver_id"] == driver
        assert np.all(ended[mine] != NULL_INT), f"driver {driver} left with a trip under way"
        assert np.all(ended[mine] <= engine.off_duty_ms[driver])


def test_drivers_whose_shift_is_over_still_finish_their_trip() -> None:
    # Given shifts of six minutes and long trips
    params = small_market(driver_shift_hours_min=0.1, driver_shift_hours_max=0.1, min_trip_km=6.0)
    engine = MarketEngine(params, RandomStreams.for_point(4))
    engine.run()
    trips = engine.output().trips
    shift_end = np.asarray(engine.drivers.shift_end_ms)[trips["driver_id"]]
    completed_after_shift = (trips["dropoff_at_ms"] != NULL_INT) & (trips["dropoff_at_ms"] > shift_end)
    # Then some trips end after their driver's shift did
    assert completed_after_shift.any()
