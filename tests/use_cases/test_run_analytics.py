"""open_run_analytics over the in-memory fakes: the run's tables come from its manifest, and the
run's id is written into every statement as a checked literal."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from application.analytics.query_pack import QueryParameterError
from application.analytics.run_analytics import open_run_analytics
from domain.errors import RunNotFound
from domain.storage_keys import ALL_DATASETS
from ports.run_queries import QueryResult, TableSource
from tests.fixtures import SMALL_REQUEST, FakePorts


class RecordingEngine:
    """A query engine that answers every statement with no rows and keeps what it was asked."""

    def __init__(self) -> None:
        self.tables: list[TableSource] = []
        self.statements: list[str] = []
        self.closed = False

    def open(self, tables: Sequence[TableSource]) -> RecordingEngine:
        self.tables = list(tables)
        return self

    def query(self, sql: str) -> QueryResult:
        self.statements.append(sql)
        return QueryResult(columns=(), rows=[])

    def close(self) -> None:
        self.closed = True


def test_a_run_opens_its_six_tables_under_the_date_of_its_manifest() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    engine = RecordingEngine()

    with open_run_analytics("small-run", store=ports.store, keys=ports.keys, engine=engine):
        pass

    assert [t.name for t in engine.tables] == list(ALL_DATASETS)
    assert all("run_date=2026-11-28/run_id=small-run/" in t.key_prefix for t in engine.tables)
    assert engine.closed


def test_a_preset_is_run_with_the_run_id_written_in() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    engine = RecordingEngine()

    with open_run_analytics("small-run", store=ports.store, keys=ports.keys, engine=engine) as run:
        run.preset("failures")

    assert "WHERE run_id = 'small-run'" in engine.statements[0]


def test_an_unknown_run_is_not_found_and_a_bad_run_id_is_refused() -> None:
    ports = FakePorts()

    with pytest.raises(RunNotFound):
        open_run_analytics("nobody", store=ports.store, keys=ports.keys, engine=RecordingEngine())
    with pytest.raises(QueryParameterError):
        open_run_analytics("x' OR 1=1 --", store=ports.store, keys=ports.keys, engine=RecordingEngine())
