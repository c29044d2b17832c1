"""SQL over the datasets of one run (DuckDB over local files or S3; Athena reads the same tables).

A use case describes each table by the key prefix its objects share and the columns the files
hold; an engine opens them as tables and answers SQL with plain rows, so nothing above this port
knows which engine or which storage answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa


class QueryFailed(Exception):
    """The engine refused or could not run a statement (a syntax error, an unknown column)."""


@dataclass(frozen=True, slots=True)
class TableSource:
    name: str
    key_prefix: str
    """Every object of the table starts with this key of the results store (it ends with '/')."""
    schema: pa.Schema
    constants: Mapping[str, str] = field(default_factory=dict)
    """Columns whose value the key prefix fixes (``run_date``, ``run_id``)."""
    path_keys: tuple[str, ...] = ()
    """``key=value`` segments below the prefix read as string columns (``status``)."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


class RunQueries(Protocol):
    """Open tables of one run; ``close`` releases the engine."""

    def query(self, sql: str) -> QueryResult:
        """The rows of ``sql``; raises ``QueryFailed`` for a statement the engine rejects."""

    def close(self) -> None: ...


class QueryEngine(Protocol):
    def open(self, tables: Sequence[TableSource]) -> RunQueries:
        """An engine session over ``tables``; an absent prefix is an empty table with its columns."""
