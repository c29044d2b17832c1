"""Event ordering and the hourly curves."""

from __future__ import annotations

import pytest

from domain.parameters import SimulationParameters
from domain.simulation.curves import (
    CITY_TRAFFIC_SPEED,
    LATE_NIGHT_DRIVER_SUPPLY,
    LATE_NIGHT_RIDER_DEMAND,
    WEEKDAY_DRIVER_SUPPLY,
    WEEKDAY_RIDER_DEMAND,
    day_and_hour,
    is_late_night_day,
    rider_demand,
)
from domain.simulation.engine import MarketEngine
from domain.simulation.events import (
    DRIVER_ARRIVES_TAG,
    DROPOFF_TAG,
    KIND_MASK,
    KIND_SHIFT,
    QUOTE_TAG,
    SEQUENCE_SHIFT,
    SHIFT_ENDS_TAG,
    SUBJECT_MASK,
    TIME_SHIFT,
    EventKind,
    handler_name,
)
from domain.simulation.random_streams import RandomStreams


def event(time_ms: int, tag: int, sequence: int, subject: int) -> int:
    """An event packed the way the engine packs it."""
    return time_ms << TIME_SHIFT | tag | sequence << SEQUENCE_SHIFT | subject


def decoded(packed: int) -> tuple[int, int, int]:
    """(time, kind, subject), decoded the way the engine's loop decodes it."""
    return packed >> TIME_SHIFT, (packed >> KIND_SHIFT) & KIND_MASK, packed & SUBJECT_MASK


def test_events_order_by_time_then_kind_then_scheduling_order() -> None:
    events = [
        event(1_000, DROPOFF_TAG, 0, 5),
        event(1_000, DRIVER_ARRIVES_TAG, 3, 9),
        event(999, SHIFT_ENDS_TAG, 4, 1),
        event(1_000, DROPOFF_TAG, 1, 2),
    ]
    assert [decoded(e) for e in sorted(events)] == [
        (999, EventKind.SHIFT_ENDS, 1),
        (1_000, EventKind.DRIVER_ARRIVES, 9),
        (1_000, EventKind.DROPOFF, 5),
        (1_000, EventKind.DROPOFF, 2),
    ]


def test_the_subject_never_decides_the_order() -> None:
    assert event(5, QUOTE_TAG, 1, 999) < event(5, QUOTE_TAG, 2, 0)


def test_the_lifecycle_order_is_the_tie_order() -> None:
    assert [kind.name for kind in sorted(EventKind)] == [
        "DRIVER_ARRIVES", "RIDER_ARRIVES", "QUOTE", "QUOTE_DECISION", "PATIENCE_RUNS_OUT",
        "BATCH_MATCH", "DRIVER_DECISION", "PICKUP", "DROPOFF", "REPOSITION", "REPOSITION_ENDS",
        "ZONE_UPDATE", "SHIFT_ENDS",
    ]


def test_every_event_kind_has_its_handler_at_its_rank() -> None:
    engine = MarketEngine(SimulationParameters(num_riders=5, num_drivers=2), RandomStreams.for_point(1))
    table = engine.handlers()
    for kind in EventKind:
        handler = table[kind]
        assert handler is not None and handler.__name__ == handler_name(kind)
    assert sum(handler is not None for handler in table) == len(EventKind)


def test_a_kind_without_a_handler_is_refused_before_the_run() -> None:
    class Incomplete(MarketEngine):
        __slots__ = ()

        def _on_unknown_event(self, subject: int, now: int) -> None:
            """A handler whose kind does not exist."""

    engine = Incomplete(SimulationParameters(num_riders=5, num_drivers=2), RandomStreams.for_point(1))
    with pytest.raises(TypeError, match="_on_unknown_event"):
        engine.handlers()


@pytest.mark.parametrize(
    "curve",
    [WEEKDAY_RIDER_DEMAND, LATE_NIGHT_RIDER_DEMAND, WEEKDAY_DRIVER_SUPPLY, LATE_NIGHT_DRIVER_SUPPLY],
)
def test_demand_and_supply_curves_average_one_over_a_day(curve: tuple[float, ...]) -> None:
    assert len(curve) == 24
    assert sum(curve) / len(curve) == pytest.approx(1.0)


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
