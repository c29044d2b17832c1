"""make drills: every reliability and security drill of tests/drills at full size, in one table.

The drills are the same code ``make test`` runs at a reduced size (DRILLS_SCALE=quick). This script
defaults to DRILLS_SCALE=full; DRILLS_SEED changes every random choice (faults, deliveries,
hypothesis examples), and the same seed repeats a run. Exit status 1 when a drill breaks a promise.
The last line is for scripts:
``drills: inputs=N faults=N duplicates=N verified=N lost=N misplaced=N 5xx=N``.

Run: .venv/bin/python bench/drills.py        (or: make drills)
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.drills lives beside the packages
os.environ.setdefault("DRILLS_SCALE", "full")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import structlog

import entrypoints.lambda_handler  # noqa: F401  (configures logging at import, as in Lambda)
from tests.drills.cancel_race import CancelRacePlan, cancel_race_drill
from tests.drills.chaos import ChaosPlan, chaos_drill, continued_chaos_plan
from tests.drills.confinement import confinement_drill
from tests.drills.figures import DrillFigures, render_table, summary_line
from tests.drills.hostile import api_fuzz, sqs_fuzz
from tests.drills.load import load_drill, odd_http_drill
from tests.drills.scale import current_scale, drill_seed

Drill = Callable[[DrillFigures], DrillFigures]


def drills() -> list[tuple[DrillFigures, Drill]]:
    scale, seed = current_scale(), drill_seed()
    return [
        (DrillFigures("hostile API input"), lambda f: api_fuzz(scale.api_examples, seed, f)),
        (DrillFigures("hostile shard messages"), lambda f: sqs_fuzz(scale.sqs_examples, seed, f)),
        (DrillFigures("odd HTTP: local server"), lambda f: odd_http_drill(f)),
        (
            DrillFigures("load: local server"),
            lambda f: load_drill(scale.load_submissions, scale.load_clients, seed, f),
        ),
        (
            DrillFigures("chaos run: faults + redelivery"),
            lambda f: chaos_drill(ChaosPlan(scale.chaos_shards, scale.chaos_points_per_shard, seed), f),
        ),
        (
            DrillFigures("chaos run: continued shards"),
            lambda f: chaos_drill(continued_chaos_plan(scale.chaos_shards, seed), f),
        ),
        (
            DrillFigures("cancel race: faults + 2 workers"),
            lambda f: cancel_race_drill(
                CancelRacePlan(scale.chaos_shards, scale.chaos_points_per_shard, seed), f
            ),
        ),
        (DrillFigures("key confinement"), lambda f: confinement_drill(scale.confinement_examples, seed, f)),
    ]


def main() -> int:
    # the service logs every request and every injected fault; the table is what matters here
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    scale, seed = current_scale(), drill_seed()
    print(f"drills at scale {scale.name}, seed {seed}", file=sys.stderr, flush=True)
    results: list[DrillFigures] = []
    broken: list[str] = []
    for figures, run in drills():
        print(f"  {figures.drill} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            run(figures)
        except Exception as exc:  # a broken promise: report it and go on with the other drills
            broken.append(f"{figures.drill}: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
        figures.seconds = time.perf_counter() - started
        results.append(figures)

    print()
    print(render_table(results))
    print()
    for figures in results:
        for note in figures.notes:
            print(f"{figures.drill}: {note}")
    for problem in broken:
        print(f"BROKEN {problem[:500]}")
    print(summary_line(results))
    return 1 if broken or not all(f.clean for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
