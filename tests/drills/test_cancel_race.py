"""A cancel racing with two workers under faults and redelivery: every shard ends once, nothing is
written after a worker sees the marker, and a redrive does not revive the run."""

from __future__ import annotations

from tests.drills.cancel_race import CancelRacePlan, cancel_race_drill
from tests.drills.scale import current_scale, drill_seed


def test_a_cancel_racing_with_workers_under_faults_ends_every_shard_once() -> None:
    scale = current_scale()
    figures = cancel_race_drill(
        CancelRacePlan(scale.chaos_shards, scale.chaos_points_per_shard, drill_seed())
    )

    assert figures.clean, figures
    assert figures.faults > 0 and figures.duplicates > 0
