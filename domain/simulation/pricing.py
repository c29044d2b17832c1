"""Quotes: the fare, the surge multiplier and the pickup ETA a rider is shown."""

from __future__ import annotations

import math

NO_DRIVER_ETA_MINUTES = 5.0


def surge_multiplier(demand: int, supply: int, maximum: float) -> float:
    """Browsing or waiting riders (demand) against idle drivers (supply) near the pickup.

    Only whether supply covers demand, and by how much it falls short, matters: a supply count
    that stopped at the demand gives the same multiplier.
    """
    if demand <= supply:
        return 1.0
    if supply == 0:
        return maximum
    return min(1.0 + (demand - supply) / supply, maximum)


def fare(base_fare: float, per_km_rate: float, trip_km: float, surge: float) -> float:
    return (base_fare + per_km_rate * trip_km) * surge


def quote_eta_minutes(nearest_idle_km: float, mean_speed_kmh: float) -> float:
    """ETA of the nearest idle driver at the mean speed; a fixed 5 minutes when none is idle."""
    if math.isinf(nearest_idle_km):
        return NO_DRIVER_ETA_MINUTES
    return nearest_idle_km / mean_speed_kmh * 60.0


def eta_reach_km(max_acceptable_eta_minutes: float, mean_speed_kmh: float) -> float:
    """The pickup distance whose quoted ETA is exactly the most a rider accepts.

    A quote's ETA is acceptable exactly when some idle driver is within this distance, so the
    engine only asks whether one is, and never needs the nearest driver's exact distance.
    """
    return max_acceptable_eta_minutes / 60.0 * mean_speed_kmh


def driver_accept_probability(
    fare: float,
    pickup_km: float,
    trip_km: float,
    earnings: float,
    earnings_target: float,
    on_shift_ms: int,
    shift_ms: int,
) -> float:
    """The logistic acceptance rule of a driver offered a ride.

    A zero earnings target counts as already met (ratio 1), so it never divides by zero.
    """
    earned_share = earnings / earnings_target if earnings_target > 0.0 else 1.0
    score = (
        1.0
        + 0.1 * fare
        - 2.0 * pickup_km
        + 0.5 * trip_km
        - 0.5 * earned_share
        - 1.0 * on_shift_ms / shift_ms
    )
    if score >= 0.0:
        return 1.0 / (1.0 + math.exp(-score))
    odds = math.exp(score)
    return odds / (1.0 + odds)
