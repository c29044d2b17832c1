"""Two small in-process runs of the same sweep, one per output layout, in one results directory.

Each point runs three replicates on common seeds, so the presets average, spread and pair them.
Shard 1 fails on purpose, so coverage and failure queries have something to find. Expected answers
are computed in the tests straight from the Parquet files (pyarrow), never through DuckDB.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from domain.manifest import RequestSource
from entrypoints.container import build_container
from entrypoints.local_runner import execute_bodies
from entrypoints.settings import Settings

LAYOUTS = ("per_point", "per_shard")
FAILED_SHARD = 1
SHARD_COUNT = 4
REPLICATES = 3


def same_answers(left: Any, right: Any, path: str = "answers") -> None:
    """``left`` and ``right`` hold the same rows: strings, integers and flags exactly, floats to
    1e-9 (DuckDB sums in parallel, so a mean can differ in its last bits between queries, and an
    interval bound subtracts two such figures)."""
    if isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9), (path, left, right)
    elif isinstance(left, dict) and isinstance(right, dict):
        assert left.keys() == right.keys(), (path, sorted(left), sorted(right))
        for key in left:
            same_answers(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list) and isinstance(right, list):
        assert len(left) == len(right), (path, len(left), len(right))
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            same_answers(a, b, f"{path}[{i}]")
    else:
        assert left == right, (path, left, right)


def sweep_request(run_id: str, layout: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "dimensions": {
            "num_drivers": [4, 8, 12],
            "commission_rate": [0.1, 0.3],
            "matching_algorithm": ["simple", "hungarian"],
        },
        "base_parameters": {
            "num_riders": 40,
            "request_window_minutes": 20,
            "simulation_minutes": 40,
        },
        "shard_count": SHARD_COUNT,
        "seed": 7,
        "replicates": REPLICATES,
        "seed_strategy": "common",
        "output_layout": layout,
        "failure_injection_shards": [FAILED_SHARD],
    }


def run_sweep(results_dir: Path, request: dict[str, Any]) -> Settings:
    settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results_dir))
    container = build_container(settings)
    container.submit_sweep(request, RequestSource(kind="local"))
    execute_bodies(container.shard_inbox().take_all(), container)
    return settings


@dataclass(frozen=True)
class WrittenRun:
    run_id: str
    layout: str
    settings: Settings
    root: Path

    def dataset_dir(self, dataset: str) -> Path:
        matches = list((self.root / f"dataset={dataset}").glob(f"run_date=*/run_id={self.run_id}"))
        assert len(matches) == 1, matches
        return matches[0]

    def files(self, dataset: str) -> list[Path]:
        return sorted(self.dataset_dir(dataset).rglob("*.parquet"))

    def table(self, dataset: str, status: str | None = None) -> pa.Table:
        """Every row of a dataset of this run, read file by file with pyarrow."""
        tables = []
        for path in self.files(dataset):
            if status is not None and f"status={status}" not in path.parts:
                continue
            tables.append(pq.read_table(path))
        return pa.concat_tables(tables) if tables else pa.table({})

    def rows(self, dataset: str, status: str | None = None) -> list[dict[str, Any]]:
        return self.table(dataset, status).to_pylist()

    def run_date(self) -> str:
        return self.dataset_dir("run_context").parent.name.removeprefix("run_date=")

    def succeeded_shards(self) -> set[int]:
        return {r["shard_id"] for r in self.rows("shard_outcomes", "success")}


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("analytics-results")


@pytest.fixture(scope="session")
def written_runs(results_dir: Path) -> dict[str, WrittenRun]:
    runs = {}
    for layout in LAYOUTS:
        run_id = f"analytics-{layout.replace('_', '-')}"
        settings = run_sweep(results_dir, sweep_request(run_id, layout))
        runs[layout] = WrittenRun(run_id, layout, settings, results_dir / settings.results_prefix)
    return runs


@pytest.fixture(params=LAYOUTS)
def written_run(request: pytest.FixtureRequest, written_runs: dict[str, WrittenRun]) -> WrittenRun:
    return written_runs[request.param]


@pytest.fixture
def queries(written_run: WrittenRun) -> Iterator[Any]:
    with build_container(written_run.settings).open_run_analytics(written_run.run_id) as opened:
        yield opened
