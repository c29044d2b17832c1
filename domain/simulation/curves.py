"""Hour-of-day curves: rider demand, driver supply and city traffic.

The curves give each hour a relative rate: riders arrive at a rate following the demand curve,
scaled so the expected count over the request window is num_riders whatever the hours (the curve
shapes when riders come, not how many); replacement drivers arrive at a rate following the supply
curve relative to its value at t = 0.
Friday and Saturday use a late-night curve, every other day the weekday curve. A night belongs to
the evening it started on: until 06:00, the curve is the previous day's (Saturday 02:00 is part of
Friday night; Friday 02:00 is part of an ordinary Thursday night).
"""

from __future__ import annotations

from domain.parameters import WEEKDAYS

HOUR_MS = 3_600_000

Curve = tuple[float, ...]

WEEKDAY_RIDER_DEMAND: Curve = (
    0.35, 0.25, 0.20, 0.20, 0.25, 0.45, 0.90, 1.90, 2.00, 1.40, 1.10, 1.10,
    1.15, 1.15, 1.10, 1.10, 1.40, 1.90, 1.90, 1.35, 1.00, 0.80, 0.60, 0.45,
)
LATE_NIGHT_RIDER_DEMAND: Curve = (
    1.60, 1.50, 1.30, 0.90, 0.45, 0.25, 0.30, 0.55, 0.65, 0.80, 0.85, 0.95,
    1.05, 1.00, 0.95, 0.95, 1.00, 1.10, 1.15, 1.15, 1.20, 1.30, 1.45, 1.60,
)
WEEKDAY_DRIVER_SUPPLY: Curve = (
    0.45, 0.35, 0.30, 0.30, 0.40, 0.60, 1.00, 1.50, 1.60, 1.30, 1.20, 1.15,
    1.20, 1.15, 1.15, 1.20, 1.30, 1.55, 1.55, 1.30, 1.20, 1.00, 0.70, 0.55,
)
LATE_NIGHT_DRIVER_SUPPLY: Curve = (
    1.40, 1.35, 1.20, 0.90, 0.50, 0.35, 0.40, 0.60, 0.70, 0.90, 1.00, 0.95,
    1.00, 1.00, 0.95, 0.95, 1.00, 1.10, 1.15, 1.15, 1.20, 1.30, 1.40, 1.55,
)
CITY_TRAFFIC_SPEED: Curve = (
    1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.65, 0.50, 0.45, 0.65, 0.65, 0.65,
    0.65, 0.65, 0.65, 0.65, 0.65, 0.45, 0.50, 0.75, 0.75, 0.75, 1.00, 1.00,
)
FREE_FLOW_SPEED: Curve = (1.0,) * 24

LATE_NIGHT_DAYS = frozenset({"friday", "saturday"})
NIGHT_ENDS_HOUR = 6


def day_and_hour(start_day: str, start_hour: int, run_hour: int) -> tuple[str, int]:
    """The weekday and hour of day that the ``run_hour``-th hour of the run falls on."""
    absolute_hour = start_hour + run_hour
    day = WEEKDAYS[(WEEKDAYS.index(start_day) + absolute_hour // 24) % 7]
    return day, absolute_hour % 24


def is_late_night_day(day: str, hour: int) -> bool:
    """Whether (day, hour) falls in a Friday or Saturday, nights counted with their evening."""
    if hour < NIGHT_ENDS_HOUR:
        day = WEEKDAYS[(WEEKDAYS.index(day) - 1) % 7]
    return day in LATE_NIGHT_DAYS


def rider_demand(day: str, hour: int) -> float:
    curve = LATE_NIGHT_RIDER_DEMAND if is_late_night_day(day, hour) else WEEKDAY_RIDER_DEMAND
    return curve[hour]


def driver_supply(day: str, hour: int) -> float:
    curve = LATE_NIGHT_DRIVER_SUPPLY if is_late_night_day(day, hour) else WEEKDAY_DRIVER_SUPPLY
    return curve[hour]


def traffic_speed_factor(traffic_profile: str, hour: int) -> float:
    curve = CITY_TRAFFIC_SPEED if traffic_profile == "city" else FREE_FLOW_SPEED
    return curve[hour]


def rider_demand_by_run_hour(start_day: str, start_hour: int, hours: int) -> list[float]:
    return [rider_demand(*day_and_hour(start_day, start_hour, h)) for h in range(hours)]


def driver_supply_by_run_hour(start_day: str, start_hour: int, hours: int) -> list[float]:
    return [driver_supply(*day_and_hour(start_day, start_hour, h)) for h in range(hours)]


def traffic_by_run_hour(traffic_profile: str, start_hour: int, hours: int) -> list[float]:
    return [traffic_speed_factor(traffic_profile, (start_hour + h) % 24) for h in range(hours)]


def hours_covering(duration_ms: int) -> int:
    """How many run hours (started ones included) a span from t = 0 touches."""
    return -(-duration_ms // HOUR_MS) + 1
