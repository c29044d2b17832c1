"""SQL over Parquet objects with DuckDB, through a pyarrow filesystem (local disk or S3).

Each table is a directory read recursively as a pyarrow dataset with an explicit Arrow schema, so
an absent directory is an empty table with the right columns, and files never decide a column's
type. DuckDB's own ``hive_partitioning`` is not used on purpose: it turns *every* ``key=value``
path segment into a column, overriding a file column of the same name (``shard_id``,
``point_index`` of the per-point layout) and refusing to mix files whose paths carry different keys
(the per-point and per-shard layouts). Here only the keys named in ``path_keys`` are read from the
path; ``constants`` are columns whose value the directory fixes. External access is switched off
before any table is registered: a query sees these tables and nothing else on the machine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE_CONSTANT = re.compile(r"^[A-Za-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class ParquetTable:
    name: str
    directory: str
    """A path of ``filesystem``: ``/abs/dir`` locally, ``bucket/prefix`` on S3."""
    schema: pa.Schema
    constants: Mapping[str, str] = field(default_factory=dict)
    path_keys: tuple[str, ...] = ()


class DuckDbQueries:
    """Tables are registered on first mention in a query, so a query lists only the objects of the
    tables it names (listing is most of the cost of a layout with many small objects)."""

    def __init__(self, filesystem: pafs.FileSystem, tables: Sequence[ParquetTable]) -> None:
        self._filesystem = filesystem
        self._connection = duckdb.connect(":memory:")
        self._connection.execute("SET enable_external_access = false")
        self._connection.execute("SET lock_configuration = true")
        self._object_counts: dict[str, int] = {}
        self._pending: dict[str, ParquetTable] = {}
        for table in tables:
            _check_names(table)
            self._pending[table.name] = table

    def _register_mentioned(self, sql: str) -> None:
        for name in [n for n in self._pending if re.search(rf"\b{n}\b", sql, re.IGNORECASE)]:
            self._register(self._pending.pop(name))

    def _register(self, table: ParquetTable) -> None:
        data = _dataset(self._filesystem, table)
        self._object_counts[table.name] = len(data.files) if isinstance(data, ds.FileSystemDataset) else 0
        source = f"_files_{table.name}"
        self._connection.register(source, data)
        columns = [
            *(f'"{name}"' for name in table.schema.names),
            *(f"'{value}' AS \"{key}\"" for key, value in table.constants.items()),
            *(f'"{key}"' for key in table.path_keys),
        ]
        self._connection.execute(
            f'CREATE VIEW "{table.name}" AS SELECT {", ".join(columns)} FROM "{source}"'
        )

    @property
    def object_counts(self) -> Mapping[str, int]:
        """How many Parquet objects each table read so far reads."""
        return dict(self._object_counts)

    def query(self, sql: str) -> pa.Table:
        self._register_mentioned(sql)
        relation = self._connection.sql(sql)
        if relation is None:
            return pa.table({})
        to_arrow = getattr(relation, "to_arrow_table", None)
        result: pa.Table = to_arrow() if to_arrow is not None else relation.arrow()
        return result

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> DuckDbQueries:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_names(table: ParquetTable) -> None:
    for name in (table.name, *table.constants, *table.path_keys, *table.schema.names):
        if not _SAFE_NAME.fullmatch(name):
            raise ValueError(f"unsafe table or column name {name!r}")
    for value in table.constants.values():
        if not _SAFE_CONSTANT.fullmatch(value):
            raise ValueError(f"unsafe constant column value {value!r}")


def _dataset(filesystem: pafs.FileSystem, table: ParquetTable) -> ds.Dataset | pa.Table:
    path_fields = [pa.field(key, pa.string()) for key in table.path_keys]
    schema = pa.schema([*table.schema, *path_fields])
    if filesystem.get_file_info(table.directory).type != pafs.FileType.Directory:
        return schema.empty_table()
    partitioning = ds.partitioning(pa.schema(path_fields), flavor="hive") if path_fields else None
    return ds.dataset(
        table.directory,
        schema=schema,
        format="parquet",
        filesystem=filesystem,
        partitioning=partitioning,
        ignore_prefixes=[".", "_"],
    )


def read_object(filesystem: pafs.FileSystem, path: str) -> bytes | None:
    """The bytes at ``path``, or ``None`` when there is no such object."""
    if filesystem.get_file_info(path).type != pafs.FileType.File:
        return None
    with filesystem.open_input_stream(path) as stream:
        data: bytes = stream.read()
    return data
