"""`ridesweep run` on the local backend: files on disk that pyarrow and DuckDB read alike."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from entrypoints.cli import app
from tests.fixtures import request

POINT_DATASETS = ["shard_metrics", "trip_data", "snapshot_counts", "effective_parameters"]
TIME_COLUMNS = {"accepted_at", "started_at", "finished_at", "duration_ms"}

SMALL = request(
    run_id="local-run",
    dimensions={"num_drivers": [20, 40, 60], "commission_rate": [0.1, 0.25]},
    base_parameters={"num_riders": 150, "request_window_minutes": 30, "simulation_minutes": 60},
    shard_count=3,
    failure_injection_shards=[2],
)


def run_cli(
    tmp_path: Path, results: Path, workers: int, body: dict[str, object] = SMALL, *flags: str
) -> int:
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(body))
    outcome = CliRunner().invoke(
        app, ["run", str(request_file), "--results", str(results), "--workers", str(workers), *flags]
    )
    return outcome.exit_code


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    assert run_cli(root, root / "results", workers=1) == 1  # shard 2 fails on purpose
    return root / "results"


def parquet_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def test_workers_one_and_two_write_byte_identical_point_files(results: Path, tmp_path: Path) -> None:
    assert run_cli(tmp_path, tmp_path / "two", workers=2) == 1
    one, two = parquet_files(results), parquet_files(tmp_path / "two")
    assert one.keys() == two.keys()
    for key in one:
        if "run_context" in key or "shard_outcomes" in key:
            # these carry wall-clock times (accepted_at, started_at, ...): compare everything else
            left = pq.read_table(results / key).drop_columns(
                [c for c in pq.read_schema(results / key).names if c in TIME_COLUMNS]
            )
            right = pq.read_table(tmp_path / "two" / key).drop_columns(
                [c for c in pq.read_schema(results / key).names if c in TIME_COLUMNS]
            )
            assert left.equals(right), key
        else:
            assert one[key] == two[key], key


@pytest.mark.parametrize("dataset", [*POINT_DATASETS, "shard_outcomes", "run_context"])
def test_pyarrow_and_duckdb_read_the_same_rows(results: Path, dataset: str) -> None:
    files = sorted((results / "sweeps" / f"dataset={dataset}").rglob("*.parquet"))
    assert files
    arrow_rows = [row for f in files for row in pq.read_table(f).to_pylist()]
    glob = (results / "sweeps" / f"dataset={dataset}").as_posix() + "/**/*.parquet"
    con = duckdb.connect()
    columns = pq.read_schema(files[0]).names
    fetched = con.execute(
        f"SELECT {', '.join(columns)}, run_id FROM read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()
    duck_rows = [dict(zip([*columns, "run_id"], r, strict=True)) for r in fetched]
    assert {r.pop("run_id") for r in duck_rows} == {"local-run"}

    def key(row: dict[str, object]) -> str:
        return json.dumps(row, sort_keys=True, default=str)

    assert sorted(map(key, arrow_rows)) == sorted(map(key, duck_rows))


@pytest.mark.parametrize("dataset", ["trip_data", "snapshot_counts", "effective_parameters"])
def test_every_dataset_joins_with_shard_metrics_on_run_shard_and_point(
    results: Path, dataset: str
) -> None:
    root = (results / "sweeps").as_posix()
    con = duckdb.connect()
    unmatched = con.execute(
        f"""
        SELECT count(*) FROM read_parquet('{root}/dataset={dataset}/**/*.parquet', hive_partitioning=true) d
        LEFT JOIN read_parquet('{root}/dataset=shard_metrics/**/*.parquet', hive_partitioning=true) m
          ON d.run_id = m.run_id AND d.shard_id = m.shard_id AND d.point_index = m.point_index
        WHERE m.point_index IS NULL
        """
    ).fetchone()
    assert unmatched == (0,)
    points = con.execute(
        f"SELECT count(DISTINCT point_index) FROM read_parquet('{root}/dataset={dataset}/**/*.parquet')"
    ).fetchone()
    assert points == (4,)  # 6 points, 2 of them in the shard that fails on purpose


def test_an_invalid_request_exits_2_and_names_the_field(tmp_path: Path) -> None:
    request_file = tmp_path / "bad.json"
    request_file.write_text(json.dumps(request(dimensions={"num_drivers": [100, 100.5]})))
    outcome = CliRunner().invoke(app, ["run", str(request_file), "--results", str(tmp_path / "r")])
    assert outcome.exit_code == 2
    assert "dimensions.num_drivers[1]" in outcome.output
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").rglob("*"))


def test_a_run_without_failures_exits_0(tmp_path: Path) -> None:
    body = dict(SMALL, run_id="clean-run", failure_injection_shards=[])
    assert run_cli(tmp_path, tmp_path / "r", workers=1, body=body) == 0


def test_status_reports_a_finished_run_with_the_exit_code_of_run(results: Path) -> None:
    outcome = CliRunner().invoke(app, ["status", "local-run", "--results", str(results)])
    assert outcome.exit_code == 1  # as `run` of this partial run: a shard failed
    assert '"state": "partial"' in outcome.output


def test_plan_shows_the_shards_without_writing(tmp_path: Path) -> None:
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(SMALL))
    outcome = CliRunner().invoke(app, ["plan", str(request_file)])
    assert outcome.exit_code == 0
    assert "6 points" in outcome.output
    assert "3 shards" in outcome.output


def test_a_shard_deadline_continues_shards_with_the_same_point_files(results: Path, tmp_path: Path) -> None:
    # Every part runs its first point; with a deadline this short, no second one.
    assert run_cli(tmp_path, tmp_path / "parts", 2, SMALL, "--shard-deadline", "0.001") == 1
    whole, parts = parquet_files(results), parquet_files(tmp_path / "parts")
    assert whole.keys() == parts.keys()
    data = [key for key in whole if "run_context" not in key and "shard_outcomes" not in key]
    assert data and all(whole[key] == parts[key] for key in data)
    outcome_files = (tmp_path / "parts" / "sweeps" / "dataset=shard_outcomes").rglob("*.parquet")
    outcomes = [pq.read_table(f).to_pylist()[0] for f in outcome_files]
    assert sorted((row["shard_id"], row["parts"]) for row in outcomes) == [(0, 2), (1, 2), (2, 1)]


def test_plan_warns_when_shards_would_outgrow_a_worker_invocation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKER_TIMEOUT_SECONDS", "30")
    request_file = tmp_path / "large.json"
    large = {
        "run_id": "large-markets",
        "dimensions": {"commission_rate": [i / 100 for i in range(1, 61)]},
        "base_parameters": {"num_riders": 10_000, "num_drivers": 7_000},
        "shard_count": 2,
    }
    request_file.write_text(json.dumps(large))

    outcome = CliRunner().invoke(app, ["plan", str(request_file)])

    assert outcome.exit_code == 0
    text = " ".join(outcome.output.split())
    assert "warning: 2 shards are estimated to run longer than a worker invocation should" in text
    assert '"shard_size":' in text
