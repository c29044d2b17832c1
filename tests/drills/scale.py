"""How big the drills are: ``quick`` in ``make test``, ``full`` in ``make drills``.

``DRILLS_SCALE`` picks the size (default ``quick``) and ``DRILLS_SEED`` the seed every random
choice derives from (faults, deliveries, hypothesis), so a run can be repeated exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_SEED = 20261128


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    api_examples: int  # hostile API inputs (hypothesis examples)
    sqs_examples: int  # hostile SQS batches
    confinement_examples: int  # run ids and parameter values tried for key confinement
    chaos_shards: int
    chaos_points_per_shard: int
    load_submissions: int
    load_clients: int


QUICK = Scale(
    name="quick",
    api_examples=400,
    sqs_examples=60,
    confinement_examples=300,
    chaos_shards=60,
    chaos_points_per_shard=2,
    load_submissions=250,
    load_clients=8,
)
FULL = Scale(
    name="full",
    api_examples=4000,
    sqs_examples=500,
    confinement_examples=3000,
    chaos_shards=200,
    chaos_points_per_shard=4,
    load_submissions=1000,
    load_clients=16,
)
SCALES = {s.name: s for s in (QUICK, FULL)}


def current_scale() -> Scale:
    name = os.environ.get("DRILLS_SCALE", "quick").strip().lower() or "quick"
    if name not in SCALES:
        raise ValueError(f"DRILLS_SCALE must be one of {', '.join(SCALES)}, got {name!r}")
    return SCALES[name]


def drill_seed() -> int:
    return int(os.environ.get("DRILLS_SEED", DEFAULT_SEED))
