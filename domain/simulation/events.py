"""Event kinds and how an event is packed for the heap.

An event is one Python int, ``time | kind | sequence | subject``, so the heap compares plain ints:
ordering by the packed value is ordering by (time, kind rank, scheduling order). The subject (a
rider or driver id) sits in the low bits and never decides the order because the sequence number
above it is unique. The engine builds events inline as ``time << TIME_SHIFT | TAG | seq | subject``
with the precomputed tags below and a sequence counter stepping by ``1 << SEQUENCE_SHIFT``: a
function call per event would cost more than the work.
"""

from __future__ import annotations

from enum import IntEnum


class EventKind(IntEnum):
    """Lifecycle events; the value is the tie rank at equal times (lower first)."""

    DRIVER_ARRIVES = 1
    RIDER_ARRIVES = 2
    QUOTE = 3
    QUOTE_DECISION = 4
    PATIENCE_RUNS_OUT = 5
    BATCH_MATCH = 6
    DRIVER_DECISION = 7
    PICKUP = 8
    DROPOFF = 9
    SHIFT_ENDS = 10


SUBJECT_BITS = 24
SEQUENCE_BITS = 32
KIND_BITS = 4
SEQUENCE_SHIFT = SUBJECT_BITS
KIND_SHIFT = SUBJECT_BITS + SEQUENCE_BITS
TIME_SHIFT = KIND_SHIFT + KIND_BITS
SUBJECT_MASK = (1 << SUBJECT_BITS) - 1
KIND_MASK = (1 << KIND_BITS) - 1
MAX_SUBJECT = SUBJECT_MASK

DRIVER_ARRIVES_TAG = EventKind.DRIVER_ARRIVES << KIND_SHIFT
RIDER_ARRIVES_TAG = EventKind.RIDER_ARRIVES << KIND_SHIFT
QUOTE_TAG = EventKind.QUOTE << KIND_SHIFT
QUOTE_DECISION_TAG = EventKind.QUOTE_DECISION << KIND_SHIFT
PATIENCE_RUNS_OUT_TAG = EventKind.PATIENCE_RUNS_OUT << KIND_SHIFT
BATCH_MATCH_TAG = EventKind.BATCH_MATCH << KIND_SHIFT
DRIVER_DECISION_TAG = EventKind.DRIVER_DECISION << KIND_SHIFT
PICKUP_TAG = EventKind.PICKUP << KIND_SHIFT
DROPOFF_TAG = EventKind.DROPOFF << KIND_SHIFT
SHIFT_ENDS_TAG = EventKind.SHIFT_ENDS << KIND_SHIFT


def pack(time_ms: int, kind: int, sequence: int, subject: int) -> int:
    return time_ms << TIME_SHIFT | kind << KIND_SHIFT | sequence << SEQUENCE_SHIFT | subject


def unpack(event: int) -> tuple[int, int, int]:
    """(time_ms, kind, subject) of a packed event."""
    return event >> TIME_SHIFT, (event >> KIND_SHIFT) & KIND_MASK, event & SUBJECT_MASK
