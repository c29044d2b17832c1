"""What one simulation run returns, column by column.

The column tables below are the single definition of the simulation's outputs: the engine fills
them, and the results codec derives the typed Parquet/Athena schemas from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

ColumnType = Literal["int8", "int32", "int64", "float64"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    dtype: ColumnType
    nullable: bool = False
    """Nullable integer columns hold ``NULL_INT`` in the engine's arrays where the value is absent."""
    unit: str = ""


NULL_INT = -1

_COUNT: ColumnType = "int64"
_REAL: ColumnType = "float64"


def _timing(stem: str) -> tuple[Column, ...]:
    return tuple(Column(f"{stat}_{stem}", _REAL, unit="ms") for stat in ("avg", "median", "p90"))


METRIC_COLUMNS: tuple[Column, ...] = (
    Column("total_riders", _COUNT),
    Column("total_drivers", _COUNT),
    Column("completed_riders", _COUNT),
    Column("abandoned_quote_riders", _COUNT),
    Column("riders_abandoned_price", _COUNT),
    Column("riders_abandoned_eta", _COUNT),
    Column("riders_abandoned_stochastic", _COUNT),
    Column("cancelled_riders", _COUNT),
    Column("riders_unresolved", _COUNT),
    Column("conversion_rate", _REAL, unit="share"),
    Column("quotes_shown", _COUNT),
    Column("quotes_without_supply", _COUNT),
    Column("offers_made", _COUNT),
    Column("offers_declined", _COUNT),
    Column("platform_revenue", _REAL, unit="currency"),
    Column("driver_payouts", _REAL, unit="currency"),
    Column("total_fares_collected", _REAL, unit="currency"),
    *_timing("time_to_match_ms"),
    *_timing("time_to_pickup_ms"),
    *_timing("trip_duration_ms"),
    Column("driver_utilization", _REAL, unit="share"),
    Column("reposition_km", _REAL, unit="km"),
    Column("avg_driver_earnings_per_hour", _REAL, unit="currency/h"),
    Column("avg_surge_multiplier", _REAL, unit="x"),
    Column("share_quotes_at_max_surge", _REAL, unit="share"),
    Column("events_processed", _COUNT),
    Column("simulation_model", _COUNT),
)

TRIP_STATE_EN_ROUTE = 0
TRIP_STATE_ON_TRIP = 1
TRIP_STATE_COMPLETED = 2
TRIP_STATE_CANCELLED = 3

TRIP_COLUMNS: tuple[Column, ...] = (
    Column("trip_id", "int64"),
    Column("rider_id", "int64"),
    Column("driver_id", "int64"),
    Column("state", "int8"),
    Column("pickup_x_km", _REAL, unit="km"),
    Column("pickup_y_km", _REAL, unit="km"),
    Column("dropoff_x_km", _REAL, unit="km"),
    Column("dropoff_y_km", _REAL, unit="km"),
    Column("pickup_distance_km", _REAL, unit="km"),
    Column("trip_distance_km", _REAL, unit="km"),
    Column("fare", _REAL, unit="currency"),
    Column("surge_multiplier", _REAL, unit="x"),
    Column("requested_at_ms", "int64", unit="ms"),
    Column("matched_at_ms", "int64", unit="ms"),
    Column("pickup_at_ms", "int64", nullable=True, unit="ms"),
    Column("dropoff_at_ms", "int64", nullable=True, unit="ms"),
    Column("cancelled_at_ms", "int64", nullable=True, unit="ms"),
)

SNAPSHOT_INTERVAL_MS = 60_000

SNAPSHOT_COLUMNS: tuple[Column, ...] = (
    Column("timestamp_ms", "int64", unit="ms"),
    Column("riders_browsing", _COUNT),
    Column("riders_waiting", _COUNT),
    Column("riders_in_transit", _COUNT),
    Column("riders_completed", _COUNT),
    Column("riders_cancelled", _COUNT),
    Column("riders_abandoned", _COUNT),
    Column("drivers_idle", _COUNT),
    Column("drivers_evaluating", _COUNT),
    Column("drivers_en_route", _COUNT),
    Column("drivers_on_trip", _COUNT),
    Column("drivers_repositioning", _COUNT),
    Column("drivers_off_duty", _COUNT),
    Column("trips_completed", _COUNT),
    Column("trips_cancelled", _COUNT),
    Column("avg_surge_multiplier", _REAL, unit="x"),
)

Metrics = dict[str, int | float]
"""One value per ``METRIC_COLUMNS`` name: ``int`` for int64 columns, ``float`` for float64."""

Columns = dict[str, npt.NDArray[np.generic]]
"""One 1-D numpy array per column name, all of the same length, dtype as declared."""


@dataclass(frozen=True, slots=True)
class SimulationOutput:
    metrics: Metrics
    trips: Columns
    snapshots: Columns
