"""Explicit, versioned Arrow schemas for the six datasets, and deterministic Parquet bytes.

The schemas are generated from the parameter registry and the simulation's column tables, so a
new parameter or metric reaches Parquet, Athena and DuckDB without a second definition. Files
never repeat the partition keys (run_date, run_id, status) as columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from domain.parameters import PARAMETERS, ParameterSpec, Scalar
from domain.simulation.outputs import (
    METRIC_COLUMNS,
    NULL_INT,
    SNAPSHOT_COLUMNS,
    TRIP_COLUMNS,
    Column,
    Columns,
    SimulationOutput,
)
from domain.storage_keys import Dataset

RECORD_SCHEMA_VERSION = "v1"
PARTITION_KEYS = ("run_date", "run_id", "status")

_ARROW_TYPES: Mapping[str, pa.DataType] = {
    "int8": pa.int8(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
}
_TIMESTAMP = pa.timestamp("ms", tz="UTC")
POINT_SEED_TYPE = pa.decimal128(20, 0)  # point seeds use all 64 bits: no signed int64 holds them
MODEL_TYPE = pa.int64()  # as the simulation's own simulation_model metric
REPLICATE_TYPE = pa.int32()


def _field(name: str, type_: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


def _from_columns(columns: Sequence[Column]) -> list[pa.Field]:
    return [_field(c.name, _ARROW_TYPES[c.dtype], c.nullable) for c in columns]


def _parameter_type(spec: ParameterSpec) -> pa.DataType:
    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "enum": pa.string()}[
        spec.kind
    ]


_HEAD = [_field("record_schema", pa.string())]
_POINT_KEYS = [_field("shard_id", pa.int64()), _field("point_index", pa.int64())]
_SIMULATION_KEYS = [*_POINT_KEYS, _field("replicate", REPLICATE_TYPE)]

SCHEMAS: Mapping[Dataset, pa.Schema] = {
    "run_context": pa.schema(
        [
            *_HEAD,
            _field("accepted_at", _TIMESTAMP),
            _field("total_points", pa.int64()),
            _field("replicates", REPLICATE_TYPE),
            _field("seed_strategy", pa.string()),
            _field("simulation_model", MODEL_TYPE),
            _field("shard_count", pa.int64()),
            _field("shard_strategy", pa.string()),
            _field("shard_size", pa.int64(), nullable=True),
            _field("max_shards", pa.int64()),
            _field("seed", pa.int64()),
            _field("dimensions_json", pa.string()),
            _field("base_parameters_json", pa.string()),
            _field("config_fingerprint", pa.string()),
            _field("request_fingerprint", pa.string()),
            _field("request_source", pa.string()),
            _field("source_ip", pa.string(), nullable=True),
            _field("user_agent", pa.string(), nullable=True),
            _field("api_request_id", pa.string(), nullable=True),
            _field("api_stage", pa.string(), nullable=True),
        ]
    ),
    "shard_metrics": pa.schema(
        [
            *_HEAD,
            *_SIMULATION_KEYS,
            *_from_columns(METRIC_COLUMNS),
            _field("parameter_fingerprint", pa.string()),
            _field("simulation_seed", POINT_SEED_TYPE),
        ]
    ),
    "trip_data": pa.schema([*_HEAD, *_SIMULATION_KEYS, *_from_columns(TRIP_COLUMNS)]),
    "snapshot_counts": pa.schema(
        [*_HEAD, *_SIMULATION_KEYS, *_from_columns(SNAPSHOT_COLUMNS)]
    ),
    "effective_parameters": pa.schema(
        [
            *_HEAD,
            *_POINT_KEYS,
            _field("parameter_fingerprint", pa.string()),
            _field("point_seed", POINT_SEED_TYPE),
            _field("selected_dimensions_json", pa.string()),
            _field("effective_parameters_json", pa.string()),
            *[_field(name, _parameter_type(spec)) for name, spec in PARAMETERS.items()],
        ]
    ),
    "shard_outcomes": pa.schema(
        [
            *_HEAD,
            _field("shard_id", pa.int64()),
            _field("start_index", pa.int64()),
            _field("end_index_exclusive", pa.int64()),
            _field("points_processed", pa.int64()),
            _field("error_code", pa.string(), nullable=True),
            _field("error_message", pa.string(), nullable=True),
            _field("output_prefix", pa.string()),
            _field("attempt", pa.int64()),
            _field("started_at", _TIMESTAMP),
            _field("finished_at", _TIMESTAMP),
            _field("duration_ms", pa.int64()),
            _field("config_fingerprint", pa.string()),
            _field("parts", pa.int64(), nullable=True),
        ]
    ),
}


def encode(table: pa.Table, *, statistics: bool = True) -> bytes:
    """Parquet bytes that depend only on the table: same rows → same bytes.

    Dictionary encoding is off: on the small per-point tables it tripled the encoding time (the
    largest cost outside the simulation) for files a few percent smaller. Snappy keeps Athena's
    scans cheap at a fraction of zstd's cost. Column statistics serve predicate pushdown on
    multi-row files; a per-point object is one point, so its writer may leave them out.
    """
    sink = pa.BufferOutputStream()  # stays in C++: a BytesIO sink calls into Python per write
    pq.write_table(
        table,
        sink,
        compression="snappy",
        use_dictionary=False,
        write_statistics=statistics,
        row_group_size=1 << 20,
    )
    return bytes(sink.getvalue().to_pybytes())


def decode(data: bytes) -> pa.Table:
    """The table of one object's bytes, read on this thread into Arrow-owned memory.

    ``pq.read_table`` would go through the dataset layer, whose file source (wrapping the caller's
    bytes) can be released late on an Arrow pool thread; if the interpreter is finalising by then,
    releasing the Python buffer aborts the process. Here the bytes are copied into an Arrow buffer
    first (no Python object inside Arrow), and the file is read and closed on this thread.
    """
    copy = pa.BufferOutputStream()
    copy.write(data)
    with pq.ParquetFile(pa.BufferReader(copy.getvalue())) as parquet:
        return parquet.read(use_threads=False)


def _constant(value: Any, rows: int, type_: pa.DataType) -> pa.Array:
    # Built in C++: a Python list of ``rows`` copies costs 10x more on a point's 10^4 trip rows.
    return pa.repeat(pa.scalar(value, type=type_), rows)


def _with_keys(
    dataset: Dataset, shard_id: int, point_index: int, columns: Mapping[str, Any], rows: int
) -> pa.Table:
    schema = SCHEMAS[dataset]
    arrays: list[pa.Array] = [
        _constant(RECORD_SCHEMA_VERSION, rows, pa.string()),
        _constant(shard_id, rows, pa.int64()),
        _constant(point_index, rows, pa.int64()),
    ]
    for f in list(schema)[3:]:
        arrays.append(_to_array(columns[f.name], f))
    return pa.Table.from_arrays(arrays, schema=schema)


def _to_array(values: Any, f: pa.Field) -> pa.Array:
    if isinstance(values, np.ndarray):
        mask = (values == NULL_INT) if f.nullable else None
        return pa.array(values, type=f.type, mask=mask)
    return pa.array(values, type=f.type)


def point_tables(
    *,
    shard_id: int,
    point_index: int,
    outputs: Sequence[SimulationOutput],
    simulation_seeds: Sequence[int],
    effective: Mapping[str, Scalar],
    selected: Mapping[str, Scalar],
    point_seed: int,
    parameter_fingerprint: str,
    effective_json: str,
    selected_json: str,
) -> dict[Dataset, pa.Table]:
    """The four tables of one point: every replicate's rows in one table per dataset, ordered by
    replicate (``outputs[r]`` is replicate r), so a point's replicates share one encoding."""
    replicates = len(outputs)
    metrics: dict[str, Any] = {
        name: [output.metrics[name] for output in outputs] for name in outputs[0].metrics
    }
    metrics.update(
        replicate=np.arange(replicates, dtype=np.int32),
        parameter_fingerprint=[parameter_fingerprint] * replicates,
        simulation_seed=list(simulation_seeds),
    )
    params: dict[str, Any] = {name: [effective[name]] for name in PARAMETERS}
    params.update(
        parameter_fingerprint=[parameter_fingerprint],
        point_seed=[point_seed],
        selected_dimensions_json=[selected_json],
        effective_parameters_json=[effective_json],
    )
    trips, trip_rows = _stacked([output.trips for output in outputs])
    snapshots, snapshot_rows = _stacked([output.snapshots for output in outputs])
    return {
        "shard_metrics": _with_keys("shard_metrics", shard_id, point_index, metrics, replicates),
        "trip_data": _with_keys("trip_data", shard_id, point_index, trips, trip_rows),
        "snapshot_counts": _with_keys(
            "snapshot_counts", shard_id, point_index, snapshots, snapshot_rows
        ),
        "effective_parameters": _with_keys(
            "effective_parameters", shard_id, point_index, params, 1
        ),
    }


def _stacked(per_replicate: Sequence[Columns]) -> tuple[dict[str, Any], int]:
    """The replicates' columns one after the other, with the ``replicate`` column beside them."""
    lengths = [len(next(iter(columns.values()))) if columns else 0 for columns in per_replicate]
    stacked: dict[str, Any] = dict(per_replicate[0])
    if len(per_replicate) > 1:
        stacked = {
            name: np.concatenate([columns[name] for columns in per_replicate])
            for name in per_replicate[0]
        }
    stacked["replicate"] = np.repeat(np.arange(len(per_replicate), dtype=np.int32), lengths)
    return stacked, sum(lengths)


def concat(tables: Sequence[pa.Table], dataset: Dataset) -> pa.Table:
    if not tables:
        return SCHEMAS[dataset].empty_table()
    return pa.concat_tables(tables).combine_chunks()


def run_context_table(record: Mapping[str, Any]) -> pa.Table:
    row = {"record_schema": RECORD_SCHEMA_VERSION, **record}
    return pa.Table.from_pylist([row], schema=SCHEMAS["run_context"])


def outcome_table(record: Mapping[str, Any]) -> pa.Table:
    row = {"record_schema": RECORD_SCHEMA_VERSION, **record}
    return pa.Table.from_pylist([row], schema=SCHEMAS["shard_outcomes"])
