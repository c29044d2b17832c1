"""Event kinds and how an event is packed for the heap.

An event is one Python int, ``time | kind | sequence | subject``, so the heap compares plain ints:
ordering by the packed value is ordering by (time, kind rank, scheduling order). The subject (a
rider or driver id) sits in the low bits and never decides the order because the sequence number
above it is unique. The engine builds events inline as ``time << TIME_SHIFT | TAG | seq | subject``
with the tags below and a sequence counter stepping by ``1 << SEQUENCE_SHIFT``, and decodes them
inline in its loop: a function call per event would cost more than the work.
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
    REPOSITION = 10
    REPOSITION_ENDS = 11
    ZONE_UPDATE = 12
    SHIFT_ENDS = 13


SUBJECT_BITS = 24
SEQUENCE_BITS = 32
KIND_BITS = 4
SEQUENCE_SHIFT = SUBJECT_BITS
KIND_SHIFT = SUBJECT_BITS + SEQUENCE_BITS
TIME_SHIFT = KIND_SHIFT + KIND_BITS
SUBJECT_MASK = (1 << SUBJECT_BITS) - 1
KIND_MASK = (1 << KIND_BITS) - 1
MAX_SUBJECT = SUBJECT_MASK

assert max(EventKind) <= KIND_MASK, "event kinds must fit in KIND_BITS"

DRIVER_ARRIVES_TAG = EventKind.DRIVER_ARRIVES << KIND_SHIFT
RIDER_ARRIVES_TAG = EventKind.RIDER_ARRIVES << KIND_SHIFT
QUOTE_TAG = EventKind.QUOTE << KIND_SHIFT
QUOTE_DECISION_TAG = EventKind.QUOTE_DECISION << KIND_SHIFT
PATIENCE_RUNS_OUT_TAG = EventKind.PATIENCE_RUNS_OUT << KIND_SHIFT
BATCH_MATCH_TAG = EventKind.BATCH_MATCH << KIND_SHIFT
DRIVER_DECISION_TAG = EventKind.DRIVER_DECISION << KIND_SHIFT
PICKUP_TAG = EventKind.PICKUP << KIND_SHIFT
DROPOFF_TAG = EventKind.DROPOFF << KIND_SHIFT
REPOSITION_TAG = EventKind.REPOSITION << KIND_SHIFT
REPOSITION_ENDS_TAG = EventKind.REPOSITION_ENDS << KIND_SHIFT
ZONE_UPDATE_TAG = EventKind.ZONE_UPDATE << KIND_SHIFT
SHIFT_ENDS_TAG = EventKind.SHIFT_ENDS << KIND_SHIFT

HANDLER_PREFIX = "_on_"


def handler_name(kind: EventKind) -> str:
    """The engine method that handles events of ``kind``: ``_on_`` + the kind's name."""
    return HANDLER_PREFIX + kind.name.lower()
