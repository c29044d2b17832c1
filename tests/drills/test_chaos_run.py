"""The chaos run: faults, duplicates, out-of-order and concurrent deliveries, dead letters and a
redrive; afterwards the store equals a clean run's and the run has succeeded."""

from __future__ import annotations

from tests.drills.chaos import ChaosPlan, chaos_drill, continued_chaos_plan
from tests.drills.figures import DrillFigures
from tests.drills.scale import current_scale, drill_seed


def test_a_run_under_faults_and_redelivery_writes_exactly_what_a_clean_run_writes() -> None:
    scale = current_scale()
    figures = chaos_drill(ChaosPlan(scale.chaos_shards, scale.chaos_points_per_shard, drill_seed()))
    assert figures.clean, figures
    assert figures.faults > 0 and figures.duplicates > 0 and figures.retried > 0


def test_shards_finished_by_continuations_under_faults_write_what_a_clean_run_writes() -> None:
    plan = continued_chaos_plan(current_scale().chaos_shards, drill_seed())
    figures = chaos_drill(plan, DrillFigures("chaos run: continued shards"))
    assert figures.clean, figures
    assert figures.faults > 0 and figures.duplicates > 0 and figures.retried > 0
