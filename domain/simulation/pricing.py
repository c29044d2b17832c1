"""The market's price and participation rules: surge, the fleet's response to commission, and a
driver's decision on an offer (docs/model.md "Levers")."""

from __future__ import annotations

import math

REFERENCE_DRIVER_SHARE = 0.8
"""The drivers' share of fares at the reference commission of 0.20, where the fleet is num_drivers."""


def surge_multiplier(demand: int, supply: int, sensitivity: float, maximum: float) -> float:
    """A zone's multiplier: 1 + sensitivity × (D − S) / (S + 1), kept within [1, maximum]."""
    value = 1.0 + sensitivity * (demand - supply) / (supply + 1)
    if value <= 1.0:
        return 1.0
    return value if value < maximum else maximum


def fleet_scale(commission_rate: float, elasticity: float) -> float:
    """How many drivers work, relative to num_drivers, for what the platform lets them keep."""
    scale: float = ((1.0 - commission_rate) / REFERENCE_DRIVER_SHARE) ** elasticity
    return scale


def driver_accept_probability(
    hourly_pay: float,
    reservation_wage: float,
    pickup_km: float,
    earned_share: float,
    shift_share: float,
) -> float:
    """The logistic acceptance rule of a driver offered a ride.

    ``hourly_pay`` is what the offer pays the driver per hour of work (net of commission),
    ``earned_share`` the driver's earnings over its target, ``shift_share`` the share of its
    shift already worked.
    """
    score = (
        1.5
        + 0.1 * (hourly_pay - reservation_wage)
        - 0.5 * pickup_km
        - 0.5 * earned_share
        - 1.0 * shift_share
    )
    if score >= 0.0:
        return 1.0 / (1.0 + math.exp(-score))
    odds = math.exp(score)
    return odds / (1.0 + odds)
