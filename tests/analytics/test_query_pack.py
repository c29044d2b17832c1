"""Named parameters: validated, then written as literals; nothing else in the SQL changes."""

from __future__ import annotations

import pytest

from application.analytics.query_pack import (
    PRESETS,
    QueryParameterError,
    load_preset,
    parameter_names,
    render,
)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_names_only_known_parameters(name: str) -> None:
    sql = load_preset(name)

    assert "run_id" in parameter_names(sql)
    assert parameter_names(sql) <= {"run_id", "point_index", "top_n"}
    assert ";" not in sql.split("--")[0]


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
