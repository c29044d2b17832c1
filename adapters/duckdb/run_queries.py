"""SQL over a run's Parquet objects with DuckDB (``ports.run_queries``), through a pyarrow filesystem.

Each table is the directory of a key prefix, read recursively as a pyarrow dataset with an explicit
Arrow schema, so an absent directory is an empty table with the right columns, and files never
decide a column's type. DuckDB's own ``hive_partitioning`` is not used on purpose: it turns *every*
``key=value`` path segment into a column, overriding a file column of the same name (``shard_id``,
``point_index`` of the per-point layout) and refusing to mix files whose paths carry different keys
(the per-point and per-shard layouts). Here only the table's ``path_keys`` are read from the path;
``constants`` are columns whose value the prefix fixes. External access is switched off before any
table is registered: a query sees these tables and nothing else on the machine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from domain.suggestions import did_you_mean
from ports.errors import DamagedObject
from ports.run_queries import QueryFailed, QueryResult, TableSource

_DAMAGED_FILE = re.compile(r"Could not open Parquet input source '(?P<path>[^']+)': (?P<detail>[^\n]*)")
_MISSING_TABLE = re.compile(r"Table with name (\S+) does not exist")
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE_CONSTANT = re.compile(r"^[A-Za-z0-9._-]*$")


class DuckDbEngine:
    """Opens tables whose key prefixes are read below ``root`` of ``filesystem`` (a local
    directory, or ``bucket`` on S3)."""

    def __init__(self, filesystem: pafs.FileSystem, root: str) -> None:
        self._filesystem = filesystem
        self._root = root.rstrip("/")

    def directory(self, key_prefix: str) -> str:
        return f"{self._root}/{key_prefix.strip('/')}"

    def open(self, tables: Sequence[TableSource]) -> DuckDbRunQueries:
        return DuckDbRunQueries(self._filesystem, {t.name: (t, self.directory(t.key_prefix)) for t in tables})


class DuckDbRunQueries:
    """Tables are registered on first mention in a query, so a query lists only the objects of the
    tables it names (listing is most of the cost of a layout with many small objects)."""

    def __init__(self, filesystem: pafs.FileSystem, tables: Mapping[str, tuple[TableSource, str]]) -> None:
        self._filesystem = filesystem
        self._connection = duckdb.connect(":memory:")
        self._connection.execute("SET enable_external_access = false")
        self._connection.execute("SET lock_configuration = true")
        self._object_counts: dict[str, int] = {}
        self._registered: list[str] = []
        for table, _directory in tables.values():
            _check_names(table)
        self._pending = dict(tables)
        self._table_names = tuple(tables)

    def _register_mentioned(self, sql: str) -> None:
        for name in [n for n in self._pending if re.search(rf"\b{n}\b", sql, re.IGNORECASE)]:
            self._register(*self._pending.pop(name))

    def _register(self, table: TableSource, directory: str) -> None:
        data = _dataset(self._filesystem, table, directory)
        self._object_counts[table.name] = len(data.files) if isinstance(data, ds.FileSystemDataset) else 0
        source = f"_files_{table.name}"
        self._connection.register(source, data)
        self._registered.append(source)
        columns = [
            *(f'"{name}"' for name in table.schema.names),
            *(f"'{value}' AS \"{key}\"" for key, value in table.constants.items()),
            *(f'"{key}"' for key in table.path_keys),
        ]
        self._connection.execute(f'CREATE VIEW "{table.name}" AS SELECT {", ".join(columns)} FROM "{source}"')

    def _explain_catalog_error(self, message: str) -> str:
        """DuckDB suggests its own catalog (``sqlite_temp_master``) for an unknown table: name the
        run's tables instead."""
        missing = _MISSING_TABLE.search(message)
        if missing is None:
            return _one_line(message)
        name = missing.group(1).strip('"')
        return (
            f"unknown table {name!r}{did_you_mean(name, self._table_names)} "
            f"(this run's tables: {', '.join(self._table_names)})"
        )

    @property
    def object_counts(self) -> Mapping[str, int]:
        """How many Parquet objects each table read so far reads."""
        return dict(self._object_counts)

    def arrow(self, sql: str) -> pa.Table:
        """The answer as an Arrow table, its column types as DuckDB gave them."""
        try:
            self._register_mentioned(sql)
            relation = self._connection.sql(sql)
            if relation is None:
                return pa.table({})
            to_arrow = getattr(relation, "to_arrow_table", None)
            result: pa.Table = to_arrow() if to_arrow is not None else relation.arrow()
        except duckdb.CatalogException as exc:
            raise QueryFailed(self._explain_catalog_error(str(exc))) from None
        except duckdb.Error as exc:
            damaged = _DAMAGED_FILE.search(str(exc))
            if damaged is not None:
                raise DamagedObject(damaged.group("path"), damaged.group("detail").strip()) from None
            raise QueryFailed(_one_line(str(exc))) from None
        return result

    def query(self, sql: str) -> QueryResult:
        table = self.arrow(sql)
        return QueryResult(columns=tuple(table.column_names), rows=table.to_pylist())

    def close(self) -> None:
        """Unregister every table and close the connection on this thread: DuckDB's threads and
        Arrow's scanners release the datasets now, not while the interpreter exits."""
        for name in list(self._registered):
            self._connection.unregister(name)
        self._registered.clear()
        self._connection.close()

    def __enter__(self) -> DuckDbRunQueries:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _one_line(message: str) -> str:
    """DuckDB's message on one line: its hints ("Did you mean", "LINE 1: ...") joined with ' · '."""
    return " · ".join(line.strip() for line in message.splitlines() if line.strip())


def _check_names(table: TableSource) -> None:
    for name in (table.name, *table.constants, *table.path_keys, *table.schema.names):
        if not _SAFE_NAME.fullmatch(name):
            raise ValueError(f"unsafe table or column name {name!r}")
    for value in table.constants.values():
        if not _SAFE_CONSTANT.fullmatch(value):
            raise ValueError(f"unsafe constant column value {value!r}")


def _dataset(filesystem: pafs.FileSystem, table: TableSource, directory: str) -> ds.Dataset | pa.Table:
    path_fields = [pa.field(key, pa.string()) for key in table.path_keys]
    schema = pa.schema([*table.schema, *path_fields])
    if filesystem.get_file_info(directory).type != pafs.FileType.Directory:
        return schema.empty_table()
    partitioning = ds.partitioning(pa.schema(path_fields), flavor="hive") if path_fields else None
    return ds.dataset(
        directory,
        schema=schema,
        format="parquet",
        filesystem=filesystem,
        partitioning=partitioning,
        ignore_prefixes=[".", "_"],
    )
