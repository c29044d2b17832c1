"""Use case: SQL over one run's datasets, for `ridesweep query` and `ridesweep report` alike.

The run's manifest is read through the results store (``BlobStore``): it names the run's date,
which fixes every table's key prefix. The tables are then opened on the query engine the
composition root chose (DuckDB over local files or S3), and answer the presets of the query pack
or a statement of the caller's, with the same named parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from application.analytics.query_pack import (
    ParameterValue,
    QueryParameterError,
    load_preset,
    parameter_names,
    render,
)
from application.analytics.run_tables import run_tables
from application.run_manifest import read_manifest
from domain.contract import RUN_ID_RULE, is_valid_run_id
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore
from ports.run_queries import QueryEngine, QueryResult, RunQueries


class RunAnalytics:
    """The open tables of one run; ``:run_id`` is always this run's id."""

    def __init__(
        self, run_id: str, queries: RunQueries, *, total_points: int | None = None, replicates: int = 1
    ) -> None:
        self.run_id = run_id
        self._queries = queries
        self.total_points = total_points
        self.replicates = replicates

    def sql(self, text: str, values: Mapping[str, ParameterValue] | None = None) -> QueryResult:
        """``text`` with its named parameters written in as checked literals (``QueryParameterError``
        names a bad one, or a point or replicate the run does not have), run on the run's tables
        (``QueryFailed`` when the engine rejects it)."""
        given = {**(values or {}), "run_id": self.run_id}
        self._check_in_run(parameter_names(text), given)
        return self._queries.query(render(text, given))

    def _check_in_run(self, used: set[str], values: Mapping[str, ParameterValue]) -> None:
        limits = {"point_index": ("point", self.total_points), "replicate": ("replicate", self.replicates)}
        for name, (noun, count) in limits.items():
            value = values.get(name)
            if name in used and count is not None and isinstance(value, int) and not 0 <= value < count:
                raise QueryParameterError(
                    f"run {self.run_id} has no {noun} {value}: its {noun}s are 0 to {count - 1}"
                )

    def preset(self, name: str, values: Mapping[str, ParameterValue] | None = None) -> QueryResult:
        return self.sql(load_preset(name), values)

    def close(self) -> None:
        self._queries.close()

    def __enter__(self) -> RunAnalytics:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def open_run_analytics(
    run_id: str, *, store: BlobStore, keys: StorageKeys, engine: QueryEngine
) -> RunAnalytics:
    """Raises ``QueryParameterError`` for a run id outside the contract's pattern and ``RunNotFound``
    for a run without manifest."""
    if not is_valid_run_id(run_id):
        raise QueryParameterError(f"run id {RUN_ID_RULE}, got {run_id!r}")
    manifest = read_manifest(store, keys, run_id)
    return RunAnalytics(
        run_id,
        engine.open(run_tables(keys, manifest.run_date, run_id)),
        total_points=manifest.total_points,
        replicates=manifest.replicates,
    )
