"""The query pack: preset names, loading, and named parameters.

The presets are package data (``application/analytics/queries/*.sql``), read with
``importlib.resources`` so an installed package finds them wherever it lives; the Athena side
(Terraform's saved queries, docs/runbook.md) reads the same files.

Presets are written in the SQL that both Athena (Trino) and DuckDB accept, with named parameters
(``:run_id``, ``:point_index``, ``:replicate``, ``:top_n``). Neither engine binds parameters for
these files in the same way, so each value is validated against its rule (the run id against the
contract's pattern, integers by type and range) and only then written into the text as a literal:
a value that could change the statement never reaches it. Names inside string literals and
comments are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import resources

from domain.contract import MAX_REPLICATES, RUN_ID_RULE, is_valid_run_id
from domain.suggestions import did_you_mean

PRESETS: tuple[str, ...] = (
    "run-profile",
    "shard-coverage",
    "failures",
    "metrics-by-parameter",
    "trip-snapshots",
    "health-ranking",
    "point-summary",
    "precision",
    "paired-differences",
    "snapshot-bands",
)
QUERIES_PACKAGE = "application.analytics"
QUERIES_DIRECTORY = "queries"
MAX_TOP_N = 1_000_000

ParameterValue = str | int


class QueryParameterError(ValueError):
    """A preset name, a parameter name or a parameter value is not acceptable."""


def load_preset(name: str) -> str:
    if name not in PRESETS:
        raise QueryParameterError(
            f"unknown preset {name!r}{did_you_mean(name, PRESETS)} (the presets: {', '.join(PRESETS)})"
        )
    return (resources.files(QUERIES_PACKAGE) / QUERIES_DIRECTORY / f"{name}.sql").read_text(
        encoding="utf-8"
    )


def _run_id_literal(value: ParameterValue) -> str:
    if not is_valid_run_id(value):
        raise QueryParameterError(f"run_id {RUN_ID_RULE}, got {value!r}")
    return f"'{value}'"


def _integer_literal(name: str, low: int, high: int) -> Callable[[ParameterValue], str]:
    def literal(value: ParameterValue) -> str:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise QueryParameterError(f"{name} must be an integer {low} ≤ x ≤ {high}, got {value!r}")
        return str(value)

    return literal


LITERALS: Mapping[str, Callable[[ParameterValue], str]] = {
    "run_id": _run_id_literal,
    "point_index": _integer_literal("point_index", 0, 10**12),
    "replicate": _integer_literal("replicate", 0, MAX_REPLICATES - 1),
    "top_n": _integer_literal("top_n", 1, MAX_TOP_N),
}

_TOKENS = re.compile(
    r"""'(?:[^']|'')*'          # string literal
      | "(?:[^"]|"")*"          # quoted identifier
      | --[^\n]*                # line comment
      | /\*.*?\*/               # block comment
      | (?<![:\w]):(?P<name>[A-Za-z_]\w*)""",
    re.VERBOSE | re.DOTALL,
)


def parameter_names(sql: str) -> set[str]:
    return {m.group("name") for m in _TOKENS.finditer(sql) if m.group("name")}


def render(sql: str, values: Mapping[str, ParameterValue]) -> str:
    """``sql`` with every ``:name`` replaced by the validated literal of ``values[name]``."""
    unknown = sorted(parameter_names(sql) - set(LITERALS))
    if unknown:
        raise QueryParameterError(
            f"unknown parameter(s) {', '.join(':' + n for n in unknown)}: "
            f"known are {', '.join(':' + n for n in LITERALS)}"
        )
    missing = sorted(parameter_names(sql) - set(values))
    if missing:
        raise QueryParameterError(f"no value for {', '.join(':' + n for n in missing)}")
    literals = {name: LITERALS[name](values[name]) for name in parameter_names(sql)}

    def substitute(match: re.Match[str]) -> str:
        name = match.group("name")
        return literals[name] if name else match.group(0)

    return _TOKENS.sub(substitute, sql)
