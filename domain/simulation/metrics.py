"""The one metrics row of a simulation, from the run's counters and its trip columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.simulation.curves import HOUR_MS
from domain.simulation.model_version import SIMULATION_MODEL
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
    quotes_shown: int
    quotes_without_supply: int
    offers_made: int
    offers_declined: int
    platform_revenue: float
    driver_payouts: float
    total_fares_collected: float
    driver_busy_ms: int
    """Time en route or on a trip, within the request window."""
    driver_on_duty_ms: int
    """Time on duty, within the request window."""
    reposition_km: float
    surge_sum: float
    """Sum of the multipliers of every quote shown."""
    quotes_at_max_surge: int
    events_processed: int


def nearest_rank(sorted_values: npt.NDArray[np.int64], numerator: int, denominator: int) -> float:
    """sorted[floor(numerator / denominator · (n − 1))] in exact integers, or 0 for no values."""
    n = len(sorted_values)
    if n == 0:
        return 0.0
    return float(sorted_values[numerator * (n - 1) // denominator])


def timing_stats(stem: str, durations_ms: npt.NDArray[np.int64]) -> Metrics:
    ordered = np.sort(durations_ms)
    # Integer milliseconds sum exactly, in any order: the mean is the same bits everywhere.
    mean = int(ordered.sum()) / len(ordered) if len(ordered) else 0.0
    return {
        f"avg_{stem}": mean,
        f"median_{stem}": nearest_rank(ordered, 1, 2),
        f"p90_{stem}": nearest_rank(ordered, 9, 10),
    }


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


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
        "conversion_rate": _share(totals.completed_riders, totals.total_riders),
        "quotes_shown": totals.quotes_shown,
        "quotes_without_supply": totals.quotes_without_supply,
        "offers_made": totals.offers_made,
        "offers_declined": totals.offers_declined,
        "platform_revenue": totals.platform_revenue,
        "driver_payouts": totals.driver_payouts,
        "total_fares_collected": totals.total_fares_collected,
        **timing_stats("time_to_match_ms", matched_at - requested_at),
        **timing_stats("time_to_pickup_ms", pickup_at[picked_up] - matched_at[picked_up]),
        **timing_stats("trip_duration_ms", dropoff_at[dropped_off] - pickup_at[dropped_off]),
        "driver_utilization": _share(totals.driver_busy_ms, totals.driver_on_duty_ms),
        "reposition_km": totals.reposition_km,
        "avg_driver_earnings_per_hour": _share(
            totals.driver_payouts, totals.driver_on_duty_ms / HOUR_MS
        ),
        "avg_surge_multiplier": (
            totals.surge_sum / totals.quotes_shown if totals.quotes_shown else 1.0
        ),
        "share_quotes_at_max_surge": _share(totals.quotes_at_max_surge, totals.quotes_shown),
        "events_processed": totals.events_processed,
        "simulation_model": SIMULATION_MODEL,
    }
    return {
        column.name: (float(values[column.name]) if column.dtype == "float64"
                      else int(values[column.name]))
        for column in METRIC_COLUMNS
    }
