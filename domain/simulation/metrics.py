"""The one metrics row of a point, from the run's counters and its trip columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.simulation.outputs import METRIC_COLUMNS, NULL_INT, Columns, Metrics


@dataclass(frozen=True, slots=True)
class RunTotals:
    total_riders: int
    total_drivers: int
    completed_riders: int
    riders_abandoned_price: int
    riders_abandoned_eta: int
    riders_abandoned_stochastic: int
    cancelled_riders: int
    riders_unresolved: int
    platform_revenue: float
    driver_payouts: float
    total_fares_collected: float
    driver_busy_ms: int
    driver_on_shift_ms: int
    events_processed: int


def nearest_rank(sorted_values: npt.NDArray[np.int64], share: float) -> float:
    """sorted[floor(share · (n − 1))], or 0 for no values."""
    n = len(sorted_values)
    if n == 0:
        return 0.0
    return float(sorted_values[int(share * (n - 1))])


def timing_stats(stem: str, durations_ms: npt.NDArray[np.int64]) -> Metrics:
    ordered = np.sort(durations_ms)
    mean = float(ordered.mean()) if len(ordered) else 0.0
    return {
        f"avg_{stem}": mean,
        f"median_{stem}": nearest_rank(ordered, 0.5),
        f"p90_{stem}": nearest_rank(ordered, 0.9),
    }


def compute_metrics(totals: RunTotals, trips: Columns) -> Metrics:
    matched_at = np.asarray(trips["matched_at_ms"], dtype=np.int64)
    requested_at = np.asarray(trips["requested_at_ms"], dtype=np.int64)
    pickup_at = np.asarray(trips["pickup_at_ms"], dtype=np.int64)
    dropoff_at = np.asarray(trips["dropoff_at_ms"], dtype=np.int64)
    picked_up = pickup_at != NULL_INT
    dropped_off = dropoff_at != NULL_INT
    abandoned = (
        totals.riders_abandoned_price
        + totals.riders_abandoned_eta
        + totals.riders_abandoned_stochastic
    )
    values: Metrics = {
        "total_riders": totals.total_riders,
        "total_drivers": totals.total_drivers,
        "completed_riders": totals.completed_riders,
        "abandoned_quote_riders": abandoned,
        "riders_abandoned_price": totals.riders_abandoned_price,
        "riders_abandoned_eta": totals.riders_abandoned_eta,
        "riders_abandoned_stochastic": totals.riders_abandoned_stochastic,
        "cancelled_riders": totals.cancelled_riders,
        "riders_unresolved": totals.riders_unresolved,
        "conversion_rate": (
            totals.completed_riders / totals.total_riders if totals.total_riders else 0.0
        ),
        "platform_revenue": totals.platform_revenue,
        "driver_payouts": totals.driver_payouts,
        "total_fares_collected": totals.total_fares_collected,
        **timing_stats("time_to_match_ms", matched_at - requested_at),
        **timing_stats("time_to_pickup_ms", pickup_at[picked_up] - matched_at[picked_up]),
        **timing_stats("trip_duration_ms", dropoff_at[dropped_off] - pickup_at[dropped_off]),
        "driver_utilization": (
            totals.driver_busy_ms / totals.driver_on_shift_ms if totals.driver_on_shift_ms else 0.0
        ),
        "events_processed": totals.events_processed,
    }
    return {
        column.name: (float(values[column.name]) if column.dtype == "float64"
                      else int(values[column.name]))
        for column in METRIC_COLUMNS
    }
