"""Each trip record is internally consistent."""

from __future__ import annotations

import numpy as np
import pytest

from domain.simulation.outputs import (
    NULL_INT,
    TRIP_STATE_CANCELLED,
    TRIP_STATE_COMPLETED,
    TRIP_STATE_EN_ROUTE,
    TRIP_STATE_ON_TRIP,
    Columns,
)
from tests.unit.simulation.markets import run, small_market

MARKET = small_market(
    rider_patience_min_seconds=30,
    rider_patience_max_seconds=900,
    request_window_minutes=30,
    simulation_minutes=40,
)


@pytest.fixture(scope="module")
def trips() -> Columns:
    trips = run(MARKET, seed=3).trips
    states = set(trips["state"].tolist())
    assert {TRIP_STATE_COMPLETED, TRIP_STATE_CANCELLED} <= states
    return trips


def test_trip_timestamps_are_ordered(trips: Columns) -> None:
    requested, matched = trips["requested_at_ms"], trips["matched_at_ms"]
    pickup, dropoff, cancelled = trips["pickup_at_ms"], trips["dropoff_at_ms"], trips["cancelled_at_ms"]
    assert np.all(requested < matched)
    picked = pickup != NULL_INT
    assert np.all(matched[picked] < pickup[picked])
    dropped = dropoff != NULL_INT
    assert np.all(pickup[dropped] < dropoff[dropped])
    cancelled_trips = cancelled != NULL_INT
    assert np.all(matched[cancelled_trips] < cancelled[cancelled_trips])


def test_timestamps_present_match_the_trip_state(trips: Columns) -> None:
    state = trips["state"]
    has_pickup = trips["pickup_at_ms"] != NULL_INT
    has_dropoff = trips["dropoff_at_ms"] != NULL_INT
    has_cancel = trips["cancelled_at_ms"] != NULL_INT
    assert np.array_equal(has_pickup, (state == TRIP_STATE_ON_TRIP) | (state == TRIP_STATE_COMPLETED))
    assert np.array_equal(has_dropoff, state == TRIP_STATE_COMPLETED)
    assert np.array_equal(has_cancel, state == TRIP_STATE_CANCELLED)
    assert set(state.tolist()) <= {
        TRIP_STATE_EN_ROUTE, TRIP_STATE_ON_TRIP, TRIP_STATE_COMPLETED, TRIP_STATE_CANCELLED
    }


def test_a_driver_never_serves_two_trips_at_once(trips: Columns) -> None:
    end = np.where(trips["dropoff_at_ms"] != NULL_INT, trips["dropoff_at_ms"], trips["cancelled_at_ms"])
    end = np.where(end == NULL_INT, np.iinfo(np.int64).max, end)
    for driver in np.unique(trips["driver_id"]):
        mine = trips["driver_id"] == driver
        order = np.argsort(trips["matched_at_ms"][mine], kind="stable")
        starts, ends = trips["matched_at_ms"][mine][order], end[mine][order]
        assert np.all(starts[1:] >= ends[:-1]), f"driver {driver} double-booked"


def test_a_rider_has_at_most_one_trip(trips: Columns) -> None:
    assert len(np.unique(trips["rider_id"])) == len(trips["rider_id"])


def test_pickups_are_within_the_match_radius(trips: Columns) -> None:
    assert np.all(trips["pickup_distance_km"] <= MARKET.match_radius_km + 1e-9)


def test_trip_lengths_are_the_distance_between_pickup_and_dropoff(trips: Columns) -> None:
    straight = np.hypot(
        trips["dropoff_x_km"] - trips["pickup_x_km"], trips["dropoff_y_km"] - trips["pickup_y_km"]
    )
    assert np.allclose(trips["trip_distance_km"], straight)
    assert np.all(trips["trip_distance_km"] >= MARKET.min_trip_km - 1e-9)
    assert np.all(trips["trip_distance_km"] <= MARKET.max_trip_km + 1e-9)


def test_fares_follow_the_price_formula(trips: Columns) -> None:
    expected = (MARKET.base_fare + MARKET.per_km_rate * trips["trip_distance_km"]) * trips[
        "surge_multiplier"
    ]
    assert np.allclose(trips["fare"], expected, rtol=1e-12)


def test_trip_ids_count_up_in_match_order(trips: Columns) -> None:
    assert np.array_equal(trips["trip_id"], np.arange(len(trips["trip_id"])))
    assert np.all(np.diff(trips["matched_at_ms"]) >= 0)


def test_every_leg_takes_at_least_one_second(trips: Columns) -> None:
    picked = trips["pickup_at_ms"] != NULL_INT
    assert np.all(trips["pickup_at_ms"][picked] - trips["matched_at_ms"][picked] >= 1_000)
    dropped = trips["dropoff_at_ms"] != NULL_INT
    assert np.all(trips["dropoff_at_ms"][dropped] - trips["pickup_at_ms"][dropped] >= 1_000)
