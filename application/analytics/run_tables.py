"""The tables of one run, for an engine that reads Parquet directly (DuckDB).

Each table is the dataset's key prefix of the run (``dataset=<d>/run_date=<date>/run_id=<id>/``)
read recursively with the dataset's Arrow schema. The partition keys are never columns of the
files: ``run_date`` and ``run_id`` are fixed by the prefix and added as constant string columns,
``status`` is read from the ``status=`` path segment below it. Nothing else in the path is a
partition: ``shard_id``/``point_index`` come from the files' own columns, so the per-point and the
per-shard layouts give the same rows (as the Athena tables do).
"""

from __future__ import annotations

from application.analytics.glue_tables import partition_keys
from application.results_codec import SCHEMAS
from domain.storage_keys import ALL_DATASETS, StorageKeys
from ports.run_queries import TableSource


def run_tables(keys: StorageKeys, run_date: str, run_id: str) -> list[TableSource]:
    return [
        TableSource(
            name=dataset,
            key_prefix=keys.dataset_prefix(dataset, run_date, run_id),
            schema=SCHEMAS[dataset],
            constants={"run_date": run_date, "run_id": run_id},
            path_keys=tuple(k for k in partition_keys(dataset) if k not in ("run_date", "run_id")),
        )
        for dataset in ALL_DATASETS
    ]
