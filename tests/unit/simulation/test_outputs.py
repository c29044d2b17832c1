"""The output tables carry exactly the declared columns and dtypes."""

from __future__ import annotations

import numpy as np

from domain.simulation.outputs import (
    METRIC_COLUMNS,
    NULL_INT,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_INTERVAL_MS,
    TRIP_COLUMNS,
)
from tests.unit.simulation.markets import run, small_market


def test_every_declared_metric_is_present_with_its_python_type() -> None:
    output = run(small_market())
    assert list(output.metrics) == [column.name for column in METRIC_COLUMNS]
    for column in METRIC_COLUMNS:
        expected = float if column.dtype == "float64" else int
        assert type(output.metrics[column.name]) is expected, column.name


def test_trip_columns_have_the_declared_names_and_dtypes() -> None:
    trips = run(small_market()).trips
    assert list(trips) == [column.name for column in TRIP_COLUMNS]
    lengths = {len(values) for values in trips.values()}
    assert len(lengths) == 1
    for column in TRIP_COLUMNS:
        assert trips[column.name].dtype == np.dtype(column.dtype), column.name
        assert trips[column.name].ndim == 1


def test_snapshot_columns_have_the_declared_names_and_dtypes() -> None:
    snapshots = run(small_market()).snapshots
    assert list(snapshots) == [column.name for column in SNAPSHOT_COLUMNS]
    for column in SNAPSHOT_COLUMNS:
        assert snapshots[column.name].dtype == np.dtype(column.dtype), column.name


def test_snapshots_sit_on_the_fixed_grid_up_to_the_end_of_the_run() -> None:
    # Given a 60-minute run
    params = small_market(simulation_minutes=60)
    # When it runs
    timestamps = run(params).snapshots["timestamp_ms"]
    # Then there is one row per minute, at 1, 2, ..., 60 minutes
    expected = np.arange(1, 61, dtype=np.int64) * SNAPSHOT_INTERVAL_MS
    assert np.array_equal(timestamps, expected)


def test_a_market_with_no_trips_gives_empty_trip_columns_and_zero_timings() -> None:
    # Given riders who value a trip at nothing
    output = run(small_market(rider_value_base=0.0, rider_value_per_km=0.0))
    # Then no trip is recorded and the timing statistics are 0
    assert all(len(values) == 0 for values in output.trips.values())
    assert output.metrics["median_time_to_match_ms"] == 0.0
    assert output.metrics["p90_trip_duration_ms"] == 0.0


def test_absent_trip_times_hold_the_null_marker() -> None:
    # Given a run cut short so some trips are still under way
    trips = run(small_market(request_window_minutes=20, simulation_minutes=20)).trips
    # Then a trip without a drop-off has the null marker there
    unfinished = trips["state"] < 2
    assert unfinished.any()
    assert np.all(trips["dropoff_at_ms"][unfinished] == NULL_INT)
    assert np.all(trips["cancelled_at_ms"][unfinished] == NULL_INT)
