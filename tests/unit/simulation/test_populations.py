"""Who arrives, when and where."""

from __future__ import annotations

import numpy as np
import pytest

from domain.parameters import SimulationParameters
from domain.simulation.populations import draw_drivers, draw_riders, poisson_arrival_times
from domain.simulation.random_streams import RandomStreams
from tests.unit.simulation.markets import small_market

HOUR_RATE = 1.0 / 3_600_000  # one arrival per hour, per ms


def test_arrivals_are_sorted_and_inside_the_window() -> None:
    rng = np.random.default_rng(1)
    times = poisson_arrival_times(rng, [700 * HOUR_RATE, 1_400 * HOUR_RATE], 90 * 60_000)
    assert np.all(np.diff(times) >= 0)
    assert times[0] >= 0 and times[-1] < 90 * 60_000


def test_arrivals_follow_the_hourly_rate() -> None:
    # Given a rate twice as high in the second hour
    rng = np.random.default_rng(2)
    times = poisson_arrival_times(rng, [15_000 * HOUR_RATE, 30_000 * HOUR_RATE], 120 * 60_000)
    first, second = np.sum(times < 3_600_000), np.sum(times >= 3_600_000)
    # Then the second hour gets about twice the arrivals, and the total is the integrated rate
    assert 1.9 < second / first < 2.1
    assert abs(len(times) - 45_000) < 4 * np.sqrt(45_000)


def test_the_first_hours_of_arrivals_do_not_depend_on_how_long_the_run_goes_on() -> None:
    rates = [500 * HOUR_RATE, 800 * HOUR_RATE, 300 * HOUR_RATE, 900 * HOUR_RATE]
    short = poisson_arrival_times(np.random.default_rng(5), rates, 60 * 60_000)
    long = poisson_arrival_times(np.random.default_rng(5), rates, 240 * 60_000)
    assert np.array_equal(long[: len(short)], short)
    assert len(long) > len(short) and long[len(short)] >= 60 * 60_000


@pytest.mark.parametrize("start_hour", [3, 8, 13])
def test_num_riders_is_the_expected_count_whatever_the_hour(start_hour: int) -> None:
    params = small_market(num_riders=400, start_hour=start_hour, request_window_minutes=90)
    counts = [len(draw_riders(params, RandomStreams.for_point(seed))) for seed in range(30)]
    # The mean of 30 Poisson(400) counts has a standard error of sqrt(400 / 30) ≈ 3.7.
    assert abs(sum(counts) / len(counts) - 400) < 4 * (400 / 30) ** 0.5


def test_the_fleet_at_the_start_follows_the_commission_and_is_part_way_through_its_shifts() -> None:
    params = small_market(num_drivers=80, commission_rate=0.6, driver_supply_elasticity=1.0)
    drivers = draw_drivers(params, RandomStreams.for_point(6))
    fleet = drivers.on_duty_at_start
    assert fleet == 40  # 80 × (0.4 / 0.8)
    assert drivers.arrival_ms[:fleet] == [0] * fleet
    assert all(start <= 0 < end for start, end in
               zip(drivers.shift_start_ms[:fleet], drivers.shift_end_ms[:fleet], strict=True))
    assert all(arrival > 0 for arrival in drivers.arrival_ms[fleet:])


def test_hotspot_riders_gather_around_the_centre() -> None:
    spread = small_market(num_riders=2_000, demand_hotspot_share=0.0)
    hot = small_market(num_riders=2_000, demand_hotspot_share=1.0)
    centre = (spread.city_width_km / 2, spread.city_height_km / 2)

    def mean_distance(params: SimulationParameters) -> float:
        riders = draw_riders(params, RandomStreams.for_point(2))
        x = np.asarray(riders.x) - centre[0]
        y = np.asarray(riders.y) - centre[1]
        return float(np.mean(np.sqrt(x * x + y * y)))

    assert mean_distance(hot) < 0.6 * mean_distance(spread)


def test_destinations_are_inside_the_city_at_a_trip_length_in_range() -> None:
    params = small_market(num_riders=2_000, min_trip_km=2.0, max_trip_km=9.0)
    riders = draw_riders(params, RandomStreams.for_point(3))
    dest_x, dest_y = np.asarray(riders.dest_x), np.asarray(riders.dest_y)
    km = np.asarray(riders.trip_km)
    assert np.all((dest_x >= 0) & (dest_x <= params.city_width_km))
    assert np.all((dest_y >= 0) & (dest_y <= params.city_height_km))
    assert np.all((km >= 2.0 - 1e-9) & (km <= 9.0 + 1e-9))


def test_a_trip_longer_than_the_city_is_clamped_instead_of_redrawn_forever() -> None:
    # Given trips of 150 km in a 12 × 10 km city
    params = small_market(num_riders=50, min_trip_km=150.0, max_trip_km=160.0)
    riders = draw_riders(params, RandomStreams.for_point(3))
    # Then every destination lies on the city's edge
    assert max(riders.dest_x) <= params.city_width_km
    assert min(riders.dest_y) >= 0.0


def test_patience_targets_and_shifts_fall_in_their_ranges() -> None:
    params = small_market(rider_patience_min_seconds=30, rider_patience_max_seconds=90,
                          driver_earnings_target_min=50.0, driver_earnings_target_max=60.0,
                          driver_shift_hours_min=1.0, driver_shift_hours_max=2.0)
    streams = RandomStreams.for_point(4)
    riders, drivers = draw_riders(params, streams), draw_drivers(params, streams)
    assert min(riders.patience_ms) >= 30_000 and max(riders.patience_ms) <= 90_000
    assert min(drivers.earnings_target) >= 50.0 and max(drivers.earnings_target) <= 60.0
    shifts = np.asarray(drivers.shift_end_ms) - np.asarray(drivers.shift_start_ms)
    assert shifts.min() >= 3_600_000 and shifts.max() <= 7_200_000


def test_changing_the_fleet_leaves_the_riders_unchanged() -> None:
    # Independent streams: a sweep over num_drivers compares the same riders
    a = draw_riders(small_market(num_drivers=5), RandomStreams.for_point(8))
    b = draw_riders(small_market(num_drivers=500), RandomStreams.for_point(8))
    assert a == b
