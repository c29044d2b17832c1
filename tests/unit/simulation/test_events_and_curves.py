"""Event ordering and the hourly curves."""

from __future__ import annotations

import pytest

from domain.simulation.curves import (
    CITY_TRAFFIC_SPEED,
    LATE_NIGHT_DRIVER_SUPPLY,
    LATE_NIGHT_RIDER_DEMAND,
    WEEKDAY_DRIVER_SUPPLY,
    WEEKDAY_RIDER_DEMAND,
    curve_mean,
    day_and_hour,
    is_late_night_day,
    rider_demand,
)
from domain.simulation.events import EventKind, pack, unpack


def test_events_order_by_time_then_kind_then_scheduling_order() -> None:
    events = [
        pack(1_000, EventKind.DROPOFF, 0, 5),
        pack(1_000, EventKind.DRIVER_ARRIVES, 3, 9),
        pack(999, EventKind.SHIFT_ENDS, 4, 1),
        pack(1_000, EventKind.DROPOFF, 1, 2),
    ]
    assert [unpack(e) for e in sorted(events)] == [
        (999, EventKind.SHIFT_ENDS, 1),
        (1_000, EventKind.DRIVER_ARRIVES, 9),
        (1_000, EventKind.DROPOFF, 5),
        (1_000, EventKind.DROPOFF, 2),
    ]


def test_the_subject_never_decides_the_order() -> None:
    assert pack(5, EventKind.QUOTE, 1, 999) < pack(5, EventKind.QUOTE, 2, 0)


def test_the_lifecycle_order_is_the_tie_order() -> None:
    assert [kind.name for kind in sorted(EventKind)] == [
        "DRIVER_ARRIVES", "RIDER_ARRIVES", "QUOTE", "QUOTE_DECISION", "PATIENCE_RUNS_OUT",
        "BATCH_MATCH", "DRIVER_DECISION", "PICKUP", "DROPOFF", "SHIFT_ENDS",
    ]


@pytest.mark.parametrize(
    "curve",
    [WEEKDAY_RIDER_DEMAND, LATE_NIGHT_RIDER_DEMAND, WEEKDAY_DRIVER_SUPPLY, LATE_NIGHT_DRIVER_SUPPLY],
)
def test_demand_and_supply_curves_average_one_over_a_day(curve: tuple[float, ...]) -> None:
    assert len(curve) == 24
    assert curve_mean(curve) == pytest.approx(1.0)


def test_weekday_peaks_are_in_the_morning_and_evening() -> None:
    peak_hours = sorted(range(24), key=lambda h: -WEEKDAY_RIDER_DEMAND[h])[:4]
    assert set(peak_hours) == {7, 8, 17, 18}


def test_friday_night_is_busier_than_a_weekday_night() -> None:
    assert rider_demand("saturday", 1) > 3 * rider_demand("tuesday", 1)


def test_a_night_counts_with_the_evening_it_started_on() -> None:
    # Saturday night runs into Sunday morning; Thursday night into Friday morning is ordinary
    assert is_late_night_day("sunday", 2)
    assert not is_late_night_day("friday", 2)
    assert is_late_night_day("friday", 22)
    assert not is_late_night_day("sunday", 22)


def test_city_traffic_is_free_at_night_and_slowest_at_peaks() -> None:
    assert CITY_TRAFFIC_SPEED[3] == 1.0
    assert min(CITY_TRAFFIC_SPEED) == CITY_TRAFFIC_SPEED[8] == 0.45


def test_run_hours_roll_over_into_the_next_day() -> None:
    assert day_and_hour("sunday", 22, 3) == ("monday", 1)
