"""Market counts on the fixed 60 s grid: the row at T shows the market after every event before T."""

from __future__ import annotations

import numpy as np

from domain.simulation.outputs import SNAPSHOT_COLUMNS, Columns
from domain.simulation.states import DriverState, RiderState


class SnapshotRecorder:
    __slots__ = ("_rows", "_surge")

    def __init__(self) -> None:
        self._rows: list[tuple[int, ...]] = []
        self._surge: list[float] = []

    def record(
        self,
        timestamp_ms: int,
        riders: list[int],
        drivers: list[int],
        trips_cancelled: int,
        mean_surge: float,
    ) -> None:
        """Record one row from the per-state rider and driver counts and the zones' mean surge."""
        self._rows.append(
            (
                timestamp_ms,
                riders[RiderState.BROWSING],
                riders[RiderState.WAITING]
                + riders[RiderState.OFFERED]
                + riders[RiderState.AWAITING_PICKUP],
                riders[RiderState.IN_TRANSIT],
                riders[RiderState.COMPLETED],
                riders[RiderState.CANCELLED],
                riders[RiderState.ABANDONED],
                drivers[DriverState.IDLE],
                drivers[DriverState.EVALUATING],
                drivers[DriverState.EN_ROUTE],
                drivers[DriverState.ON_TRIP],
                drivers[DriverState.REPOSITIONING],
                drivers[DriverState.OFF_DUTY],
                riders[RiderState.COMPLETED],
                trips_cancelled,
            )
        )
        self._surge.append(mean_surge)

    def to_columns(self) -> Columns:
        counts = len(SNAPSHOT_COLUMNS) - 1
        table = np.asarray(self._rows, dtype=np.int64).reshape(-1, counts)
        columns: Columns = {}
        for i, column in enumerate(SNAPSHOT_COLUMNS):
            if column.name == "avg_surge_multiplier":
                columns[column.name] = np.asarray(self._surge, dtype=np.float64)
            else:
                columns[column.name] = np.ascontiguousarray(table[:, i], dtype=column.dtype)
        return columns
