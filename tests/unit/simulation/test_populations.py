"""Who arrives, when and where."""

from __future__ import annotations

import numpy as np

from domain.simulation.populations import draw_drivers, draw_riders, poisson_arrival_times
from domain.simulation.random_streams import RandomStreams
from tests.unit.simulation.markets import small_market


def test_arrivals_are_sorted_and_inside_the_window() -> None:
    rng = np.random.default_rng(1)
    times = poisson_arrival_times(rng, 1_000, 90 * 60_000, [1.0, 2.0])
    assert np.all(np.diff(times) >= 0)
    assert times[0] >= 0 and times[-1] < 90 * 60_000


def test_arrivals_follow_the_hourly_rate() -> None:
    # Given a curve twice as busy in the second hour
    rng = np.random.default_rng(2)
    times = poisson_arrival_times(rng, 30_000, 120 * 60_000, [1.0, 2.0])
    first, second = np.sum(times < 3_600_000), np.sum(times >= 3_600_000)
    # Then the second hour gets about twice the arrivals, and the total is requested × mean curve
    assert 1.9 < second / first < 2.1
    assert abs(len(times) - 45_000) < 4 * np.sqrt(45_000)


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
    assert min(drivers.shift_ms) >= 3_600_000 and max(drivers.shift_ms) <= 7_200_000


def test_changing_the_fleet_leaves_the_riders_unchanged() -> None:
    # Independent streams: a sweep over num_drivers compares the same riders
    a = draw_riders(small_market(num_drivers=5), RandomStreams.for_point(8))
    b = draw_riders(small_market(num_drivers=500), RandomStreams.for_point(8))
    assert a == b
