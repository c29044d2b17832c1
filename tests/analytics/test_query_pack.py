"""The query pack: named parameters validated, then written as literals (nothing else in the SQL
changes); every preset is SQL that Athena (Trino) parses, calling only functions that both Trino and
DuckDB have; the generated blocks (t quantiles, key metrics, parameter names) are fresh."""

from __future__ import annotations

import itertools

import pytest
import sqlglot
from scipy import stats
from sqlglot import exp

from application.analytics.query_pack import (
    LITERALS,
    PRESETS,
    QueryParameterError,
    load_preset,
    parameter_names,
    render,
)
from application.analytics.sql_blocks import BLOCKS, LAST_DF, block_names, t_quantile, t_rows
from domain.parameters import PARAMETERS

# Functions documented by both Trino (Athena engine 3) and DuckDB with the same meaning, by the
# name sqlglot gives them (VARIANCE is var_samp). A preset that needs another must prove it first.
PORTABLE_FUNCTIONS = {
    "ABS", "ARRAY", "ARRAY_AGG", "AVG", "CAST", "CEIL", "COALESCE", "COUNT", "EXP", "FIRST_VALUE",
    "FLOOR", "GREATEST", "JSON_ARRAY_LENGTH", "JSON_EXTRACT", "LEAD", "LEAST", "LN", "MAX", "MIN",
    "POWER", "REPLACE", "ROUND", "ROW_NUMBER", "SQRT", "STDDEV_SAMP", "SUM", "VARIANCE",
}
SQLGLOT_FORMS = {"AND", "OR", "CASE", "IF"}  # how sqlglot represents CASE and boolean operators


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_names_only_known_parameters(name: str) -> None:
    sql = load_preset(name)

    assert "run_id" in parameter_names(sql)
    assert parameter_names(sql) <= set(LITERALS)
    assert ";" not in sql.split("--")[0]


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_parses_as_trino_sql_and_calls_only_portable_functions(name: str) -> None:
    sql = render(load_preset(name), {"run_id": "r-1", "point_index": 3, "replicate": 1, "top_n": 5})

    tree = sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)

    called = {
        (f.name.upper() if isinstance(f, exp.Anonymous) else f.sql_name()) for f in tree.find_all(exp.Func)
    }
    unknown = called - SQLGLOT_FORMS - PORTABLE_FUNCTIONS
    assert not unknown, f"{name} calls {unknown}: not known to exist in both Trino and DuckDB"


def test_generated_blocks_are_fresh() -> None:
    from infra.athena.generate_query_pack import stale_files

    assert stale_files() == [], "run `make query-pack` and commit the result"


def test_the_interval_presets_use_the_generated_blocks() -> None:
    used = {name: block_names(load_preset(name)) for name in PRESETS}

    assert "t_975" in used["point-summary"] and "simulation_metrics" in used["point-summary"]
    assert "t_975" in used["health-ranking"] and "t_975" in used["precision"]
    assert "parameter_names" in used["paired-differences"]
    assert {b for blocks in used.values() for b in blocks} == set(BLOCKS)
    parameters = load_preset("paired-differences")
    assert all(f"('{name}')" in parameters for name in PARAMETERS)


def test_t_quantiles_are_never_below_student_t_and_at_most_0_3_percent_above() -> None:
    for df in [*range(1, 1200), 1500, 5000, 10**6]:
        exact = stats.t.ppf(0.975, df)
        used = t_quantile(df)
        assert used is not None and exact <= used <= exact * 1.003, df
    assert t_quantile(0) is None
    rows = t_rows()
    assert rows[0][:2] == (1, 1) and rows[-1][1] == LAST_DF
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(rows)), "rows tile the df axis"


def test_values_become_literals_outside_strings_and_comments() -> None:
    sql = "SELECT ':run_id' AS s, x -- :point_index here\nFROM t WHERE run_id = :run_id LIMIT :top_n"

    rendered = render(sql, {"run_id": "demo-1", "top_n": 5})

    assert rendered == (
        "SELECT ':run_id' AS s, x -- :point_index here\nFROM t WHERE run_id = 'demo-1' LIMIT 5"
    )


@pytest.mark.parametrize(
    "run_id", ["x' OR '1'='1", "a/b", "run id", "", "..", "-leading-dash", "a" * 65, 42]
)
def test_a_run_id_outside_the_contract_pattern_is_refused(run_id: object) -> None:
    with pytest.raises(QueryParameterError, match="run_id"):
        render("SELECT 1 WHERE run_id = :run_id", {"run_id": run_id})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("name", "value"), [("top_n", 0), ("top_n", True), ("top_n", "5"), ("point_index", -1)]
)
def test_integers_are_checked_by_type_and_range(name: str, value: object) -> None:
    with pytest.raises(QueryParameterError, match=name):
        render(f"SELECT :{name}", {name: value})  # type: ignore[dict-item]


def test_an_unknown_or_missing_parameter_is_named() -> None:
    with pytest.raises(QueryParameterError, match=":shard"):
        render("SELECT :shard", {"run_id": "r"})
    with pytest.raises(QueryParameterError, match=":top_n"):
        render("SELECT :top_n", {"run_id": "r"})


def test_an_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(QueryParameterError, match="run-profile"):
        load_preset("../../etc/passwd")


def test_refreshing_rewrites_a_block_between_its_markers_and_refuses_an_unknown_one() -> None:
    from application.analytics.sql_blocks import UnknownBlock, refreshed

    sql = (
        "WITH a AS (SELECT 1),\n"
        "-- begin generated block parameter_names (do not edit)\n"
        "stale text\n"
        "-- end generated block parameter_names\n"
        "b AS (SELECT 2) SELECT 1"
    )

    fresh = refreshed(sql)

    assert "stale text" not in fresh and "('num_drivers')" in fresh
    assert fresh.startswith("WITH a AS (SELECT 1),\n") and fresh.endswith("b AS (SELECT 2) SELECT 1")
    assert refreshed(fresh) == fresh
    with pytest.raises(UnknownBlock, match="nope"):
        refreshed("-- begin generated block nope\n-- end generated block nope\n")
