"""Trip records, one per ride a driver accepted, kept column-wise while the run goes."""

from __future__ import annotations

import numpy as np

from domain.simulation.outputs import NULL_INT, TRIP_COLUMNS, TRIP_STATE_EN_ROUTE, Columns
from domain.simulation.populations import Riders


class TripLog:
    """Growing columns of the trips; the trip id is the index."""

    __slots__ = (
        "cancelled_at_ms",
        "driver_id",
        "dropoff_at_ms",
        "fare",
        "matched_at_ms",
        "pickup_at_ms",
        "pickup_distance_km",
        "rider_id",
        "state",
        "surge_multiplier",
    )

    def __init__(self) -> None:
        self.rider_id: list[int] = []
        self.driver_id: list[int] = []
        self.state: list[int] = []
        self.pickup_distance_km: list[float] = []
        self.fare: list[float] = []
        self.surge_multiplier: list[float] = []
        self.matched_at_ms: list[int] = []
        self.pickup_at_ms: list[int] = []
        self.dropoff_at_ms: list[int] = []
        self.cancelled_at_ms: list[int] = []

    def __len__(self) -> int:
        return len(self.rider_id)

    def open(
        self,
        rider: int,
        driver: int,
        pickup_km: float,
        fare: float,
        surge: float,
        matched_at_ms: int,
    ) -> int:
        trip = len(self.rider_id)
        self.rider_id.append(rider)
        self.driver_id.append(driver)
        self.state.append(TRIP_STATE_EN_ROUTE)
        self.pickup_distance_km.append(pickup_km)
        self.fare.append(fare)
        self.surge_multiplier.append(surge)
        self.matched_at_ms.append(matched_at_ms)
        self.pickup_at_ms.append(NULL_INT)
        self.dropoff_at_ms.append(NULL_INT)
        self.cancelled_at_ms.append(NULL_INT)
        return trip

    def to_columns(self, riders: Riders) -> Columns:
        rider = np.asarray(self.rider_id, dtype=np.int64)
        from_riders = {
            "pickup_x_km": riders.x,
            "pickup_y_km": riders.y,
            "dropoff_x_km": riders.dest_x,
            "dropoff_y_km": riders.dest_y,
            "trip_distance_km": riders.trip_km,
            "requested_at_ms": riders.arrival_ms,
        }
        columns: Columns = {}
        for column in TRIP_COLUMNS:
            if column.name == "trip_id":
                values = np.arange(len(rider), dtype=np.int64)
            elif column.name in from_riders:
                source = np.asarray(from_riders[column.name], dtype=column.dtype)
                values = source[rider] if len(rider) else np.empty(0, dtype=column.dtype)
            else:
                values = np.asarray(getattr(self, column.name), dtype=column.dtype)
            columns[column.name] = values
        return columns
