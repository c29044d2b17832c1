"""Reads a run's per-point results back for display (the CLI's metrics table)."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from application.results_codec import decode
from domain.storage_keys import Dataset, StorageKeys
from ports.blob_store import BlobStore


def dataset_table(
    store: BlobStore, keys: StorageKeys, dataset: Dataset, run_date: str, run_id: str
) -> pa.Table:
    prefix = keys.dataset_prefix(dataset, run_date, run_id)
    tables = [decode(data) for key in store.list_keys(prefix) if (data := store.get(key)) is not None]
    return pa.concat_tables(tables) if tables else pa.table({})


def point_metrics_rows(
    store: BlobStore, keys: StorageKeys, run_date: str, run_id: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """(dimension names, one row per point with its selected values and metrics), by point."""
    metrics = dataset_table(store, keys, "shard_metrics", run_date, run_id)
    params = dataset_table(store, keys, "effective_parameters", run_date, run_id)
    if metrics.num_rows == 0:
        return [], []
    selected = {
        row["point_index"]: json.loads(row["selected_dimensions_json"])
        for row in params.select(["point_index", "selected_dimensions_json"]).to_pylist()
    }
    rows = sorted(metrics.to_pylist(), key=lambda r: r["point_index"])
    for row in rows:
        row["selected"] = selected.get(row["point_index"], {})
    names = sorted(rows[0]["selected"]) if rows else []
    return names, rows
