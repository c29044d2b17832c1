"""Which objects make up the tables of one run, for an engine that reads Parquet directly (DuckDB).

Each table is the dataset's directory of the run (``dataset=<d>/run_date=<date>/run_id=<id>/``)
read recursively with the dataset's Arrow schema. The partition keys are never columns of the
files: ``run_date`` and ``run_id`` are fixed by the directory and added as constant string columns,
``status`` is read from the ``status=`` path segment below it. Nothing else in the path is a
partition: ``shard_id``/``point_index`` come from the files' own columns, so the per-point and the
per-shard layouts give the same rows (as the Athena tables do).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from application.analytics.glue_tables import partition_keys
from application.results_codec import SCHEMAS
from domain.contract import is_valid_run_date
from domain.storage_keys import ALL_DATASETS, StorageKeys


@dataclass(frozen=True, slots=True)
class RunTable:
    name: str
    key_prefix: str
    """Every object of the table starts with this key prefix (it ends with '/')."""
    schema: pa.Schema
    constants: Mapping[str, str]
    path_keys: tuple[str, ...]


def run_date_from_manifest(manifest: bytes) -> str:
    run_date = json.loads(manifest)["run_date"]
    if not is_valid_run_date(run_date):
        raise ValueError(f"manifest run_date {run_date!r} is not an ISO date")
    return str(run_date)


def run_tables(keys: StorageKeys, run_date: str, run_id: str) -> list[RunTable]:
    tables = []
    for dataset in ALL_DATASETS:
        partitions = partition_keys(dataset)
        tables.append(
            RunTable(
                name=dataset,
                key_prefix=keys.dataset_prefix(dataset, run_date, run_id),
                schema=SCHEMAS[dataset],
                constants={"run_date": run_date, "run_id": run_id},
                path_keys=tuple(k for k in partitions if k not in ("run_date", "run_id")),
            )
        )
    return tables
