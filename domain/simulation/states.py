"""Rider and driver states; counts per state are kept for snapshots and metrics."""

from __future__ import annotations

from enum import IntEnum


class RiderState(IntEnum):
    NOT_ARRIVED = 0
    BROWSING = 1
    """Arrived, asking for quotes."""
    WAITING = 2
    """Accepted a quote, waiting for a batch to match it."""
    OFFERED = 3
    """Matched; the driver is deciding."""
    AWAITING_PICKUP = 4
    """The driver accepted and is on the way."""
    IN_TRANSIT = 5
    COMPLETED = 6
    CANCELLED = 7
    ABANDONED = 8


class DriverState(IntEnum):
    NOT_ARRIVED = 0
    IDLE = 1
    EVALUATING = 2
    EN_ROUTE = 3
    ON_TRIP = 4
    REPOSITIONING = 5
    """Driving toward a zone short of drivers; not matchable until it arrives."""
    OFF_DUTY = 6


class AbandonReason(IntEnum):
    PRICE = 0
    ETA = 1
    STOCHASTIC = 2


RIDER_STATES = len(RiderState)
DRIVER_STATES = len(DriverState)
