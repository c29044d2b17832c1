"""Market counts on the fixed 60 s grid: the row at T shows the market after every event before T."""

from __future__ import annotations

import numpy as np

from domain.simulation.outputs import SNAPSHOT_COLUMNS, Columns
from domain.simulation.states import DriverState, RiderState


class SnapshotRecorder:
    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: list[tuple[int, ...]] = []

    def record(
        self,
        timestamp_ms: int,
        riders: list[int],
        drivers: list[int],
        trips_cancelled: int,
    ) -> None:
        """Record one row from the per-state rider and driver counts."""
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
                drivers[DriverState.OFF_DUTY],
                riders[RiderState.COMPLETED],
                trips_cancelled,
            )
        )

    def to_columns(self) -> Columns:
        table = np.asarray(self._rows, dtype=np.int64).reshape(-1, len(SNAPSHOT_COLUMNS))
        return {
            column.name: np.ascontiguousarray(table[:, i], dtype=column.dtype)
            for i, column in enumerate(SNAPSHOT_COLUMNS)
        }
