"""How the DuckDB adapter maps directories to tables: only the named path keys become columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from adapters.duckdb.engines import local_engine
from adapters.duckdb.run_queries import DuckDbEngine
from application.analytics.run_tables import run_tables
from ports.run_queries import QueryFailed, TableSource
from tests.analytics.conftest import WrittenRun

SCHEMA = pa.schema([("shard_id", pa.int64()), ("point_index", pa.int64()), ("value", pa.float64())])


def write(path: Path, shard_id: int, points: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = {"shard_id": [shard_id] * len(points), "point_index": points, "value": [1.5] * len(points)}
    pq.write_table(pa.table(rows, schema=SCHEMA), path)


def engine(root: Path) -> DuckDbEngine:
    return DuckDbEngine(pafs.LocalFileSystem(), root.as_posix())


def table(key_prefix: str = "") -> TableSource:
    return TableSource("t", key_prefix, SCHEMA, {"run_id": "r1"}, ("status",))


def test_file_columns_win_over_path_segments_and_layouts_mix(tmp_path: Path) -> None:
    # Given a per-point object whose directory names disagree with its columns, next to a per-shard one
    write(tmp_path / "status=success/shard_id=7/point_index=99/part-0.parquet", 3, [5])
    write(tmp_path / "status=success/shard_id=1/part-0.parquet", 1, [10, 11])
    write(tmp_path / "status=failure/shard_id=2/part-0.parquet", 2, [])

    with engine(tmp_path).open([table()]) as queries:
        rows = queries.query("SELECT * FROM t ORDER BY point_index").rows

    assert rows == [
        {"shard_id": 3, "point_index": 5, "value": 1.5, "run_id": "r1", "status": "success"},
        {"shard_id": 1, "point_index": 10, "value": 1.5, "run_id": "r1", "status": "success"},
        {"shard_id": 1, "point_index": 11, "value": 1.5, "run_id": "r1", "status": "success"},
    ]


def test_duckdb_hive_partitioning_would_get_these_rows_wrong(tmp_path: Path) -> None:
    """Why the adapter does not use DuckDB's hive_partitioning (documented in its docstring)."""
    write(tmp_path / "status=success/shard_id=7/point_index=99/part-0.parquet", 3, [5])
    write(tmp_path / "status=success/shard_id=1/part-0.parquet", 1, [10])
    glob = (tmp_path / "**" / "*.parquet").as_posix()

    with pytest.raises(duckdb.Error, match=r"(?i)hive partition mismatch"):
        duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
    one_file = (tmp_path / "status=success/shard_id=7/**/*.parquet").as_posix()
    sql = f"SELECT shard_id FROM read_parquet('{one_file}', hive_partitioning = true)"
    (row,) = duckdb.sql(sql).fetchall()
    assert row == (7,)  # the directory overrides the file's shard_id of 3


def test_an_absent_directory_is_an_empty_table_with_typed_columns(tmp_path: Path) -> None:
    with engine(tmp_path).open([table("nothing/")]) as queries:
        result = queries.arrow("SELECT * FROM t")

    assert result.num_rows == 0
    assert result.schema.field("point_index").type == pa.int64()
    assert result.column_names == ["shard_id", "point_index", "value", "run_id", "status"]


def test_queries_cannot_reach_files_outside_the_tables(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere.parquet", 0, [1])
    with (
        engine(tmp_path).open([table("nothing/")]) as queries,
        pytest.raises(QueryFailed),
    ):
        queries.query(f"SELECT * FROM read_parquet('{(tmp_path / 'elsewhere.parquet').as_posix()}')")


def test_run_tables_hold_only_the_run_and_its_partition_columns(
    queries: Any, written_run: WrittenRun, written_runs: dict[str, WrittenRun]
) -> None:
    assert len(written_runs) == 2  # both runs share one results directory
    outcomes = queries.sql("SELECT DISTINCT run_date, run_id, status FROM shard_outcomes ORDER BY status")
    run_date = written_run.dataset_dir("shard_outcomes").parent.name.removeprefix("run_date=")
    assert outcomes.rows == [
        {"run_date": run_date, "run_id": written_run.run_id, "status": "failure"},
        {"run_date": run_date, "run_id": written_run.run_id, "status": "success"},
    ]
    context = queries.sql("SELECT * FROM run_context")
    assert len(context.rows) == 1
    assert "status" not in context.columns


def test_a_table_lists_its_objects_only_once_a_query_names_it(written_run: WrittenRun) -> None:
    tables = run_tables(written_run.settings.keys, written_run.run_date(), written_run.run_id)
    with local_engine(written_run.settings.results_dir).open(tables) as queries:
        assert "shard_metrics" not in queries.object_counts
        queries.query("SELECT count(*) FROM shard_metrics")
        expected_objects = 3 if written_run.layout == "per_shard" else 9
        assert queries.object_counts["shard_metrics"] == expected_objects
