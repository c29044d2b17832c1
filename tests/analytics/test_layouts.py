"""The per-shard layout holds exactly the per-point objects' rows, one object per shard and dataset."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from application.results_codec import SCHEMAS
from domain.storage_keys import POINT_DATASETS
from tests.analytics.conftest import FAILED_SHARD, SHARD_COUNT, WrittenRun


@pytest.mark.parametrize("dataset", POINT_DATASETS)
def test_each_shard_object_is_its_points_in_order(dataset: str, written_runs: dict[str, WrittenRun]) -> None:
    per_point, per_shard = written_runs["per_point"], written_runs["per_shard"]
    succeeded = sorted(set(range(SHARD_COUNT)) - {FAILED_SHARD})

    shard_files = per_shard.files(dataset)
    assert [p.relative_to(per_shard.dataset_dir(dataset)).as_posix() for p in shard_files] == [
        f"status=success/shard_id={s}/part-0.parquet" for s in succeeded
    ]
    for shard, path in zip(succeeded, shard_files, strict=True):
        shard_table = pq.read_table(path)
        shard_dir = per_point.dataset_dir(dataset) / f"status=success/shard_id={shard}"
        point_files = sorted(
            shard_dir.glob("point_index=*/*.parquet"),
            key=lambda p: int(p.parent.name.removeprefix("point_index=")),
        )
        point_rows = [row for p in point_files for row in pq.read_table(p).to_pylist()]

        assert shard_table.schema.equals(SCHEMAS[dataset])  # type: ignore[index]
        assert shard_table.to_pylist() == point_rows
        indexes = shard_table.column("point_index").to_pylist()
        assert indexes == sorted(indexes)
        assert set(shard_table.column("shard_id").to_pylist()) <= {shard}


def test_a_failed_shard_writes_no_point_objects_in_the_per_shard_layout(
    written_runs: dict[str, WrittenRun],
) -> None:
    run = written_runs["per_shard"]
    for dataset in POINT_DATASETS:
        assert not (run.dataset_dir(dataset) / f"status=success/shard_id={FAILED_SHARD}").exists()
