"""The generated parts of the query pack: Student t quantiles, the key metrics, the parameter names.

Neither Athena (Trino) nor DuckDB has a Student t quantile function, and the presets must run
unchanged on both, so the quantiles the intervals need are a small ``VALUES`` table written into
the SQL files. It, the list of key metrics and the list of parameter names are written between
marker comments by ``make query-pack`` (``infra/athena/generate_query_pack.py``), from scipy, this
module and ``domain/parameters.py``; a test fails when a committed file is stale.

The t table holds t(0.975, df) exactly for df 1 … 60 and at 70, 80, 90, 100, 120, 150, 200, 300,
500 and 1000. Each row covers the degrees of freedom from its own up to the next row's, and uses
its own (largest) quantile there: an interval is never narrower than the exact Student t one, and
at most 0.3 % wider. From df 1000 on, the last row's 1.9623 stands in for the normal 1.9600.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from domain.parameters import PARAMETERS

CONFIDENCE = 0.95
TABULATED_DF: tuple[int, ...] = (
    *range(1, 61),
    70,
    80,
    90,
    100,
    120,
    150,
    200,
    300,
    500,
    1000,
)
LAST_DF = 10**9
"""Upper end of the last row: the ``precision`` preset answers "more than a billion" above it."""


@dataclass(frozen=True, slots=True)
class KeyMetric:
    name: str
    expression: str
    """SQL over one ``shard_metrics`` row aliased ``m``, as a DOUBLE."""
    higher_is_better: bool


KEY_METRICS: tuple[KeyMetric, ...] = (
    KeyMetric("conversion_rate", "m.conversion_rate", True),
    KeyMetric("avg_time_to_match_ms", "m.avg_time_to_match_ms", False),
    KeyMetric("avg_time_to_pickup_ms", "m.avg_time_to_pickup_ms", False),
    KeyMetric("platform_revenue", "m.platform_revenue", True),
    KeyMetric("driver_payouts", "m.driver_payouts", True),
    KeyMetric(
        "abandonment_rate",
        "CASE WHEN m.total_riders > 0\n"
        "        THEN CAST(m.abandoned_quote_riders AS DOUBLE) / m.total_riders ELSE 0.0E0 END",
        False,
    ),
    KeyMetric("driver_utilization", "m.driver_utilization", True),
    KeyMetric("avg_surge_multiplier", "m.avg_surge_multiplier", False),
)
"""The metrics the presets summarise, in the order they list them. ``abandonment_rate`` is the
share of riders who gave up at the quote, as in the health score; a lower surge is better for
riders, which is what the report's colours follow."""


@functools.cache
def t_rows() -> tuple[tuple[int, int, float], ...]:
    """``(df_from, df_to, t)``: ``t`` = t(0.975, df_from) serves every df in [df_from, df_to]."""
    from scipy import stats

    upper = (*(d - 1 for d in TABULATED_DF[1:]), LAST_DF)
    quantile = 1 - (1 - CONFIDENCE) / 2
    return tuple(
        (df, last, float(stats.t.ppf(quantile, df))) for df, last in zip(TABULATED_DF, upper, strict=True)
    )


def t_quantile(df: float) -> float | None:
    """The quantile the presets use for ``df`` degrees of freedom (``None`` below 1)."""
    for first, last, value in t_rows():
        if first <= df < last + 1:
            return value
    return None


def _quantile_literal(value: float) -> str:
    """``value`` rounded up at the ninth decimal, as a DOUBLE literal in both engines (a plain
    ``1.5`` is a DECIMAL in Trino): rounding never makes an interval narrower."""
    return f"{math.ceil(value * 1e9) / 1e9:.9f}E0"


def _values(rows: list[str], per_line: int) -> str:
    """``rows`` of a VALUES list, ``per_line`` to a line, indented inside a CTE."""
    lines = [", ".join(rows[i : i + per_line]) for i in range(0, len(rows), per_line)]
    return "    " + ",\n    ".join(lines)


def _t_975() -> str:
    rows = [f"({first}, {last}, {_quantile_literal(t)})" for first, last, t in t_rows()]
    return (
        "t_975 AS (\n"
        "  -- t(0.975, df) for df_from <= df <= df_to (docs/analysis.md, \"Intervals\")\n"
        "  SELECT df_from, df_to, t FROM (VALUES\n"
        f"{_values(rows, 4)}\n"
        "  ) AS q (df_from, df_to, t)\n"
        "),"
    )


def _simulation_metrics() -> str:
    cases = "\n".join(f"      WHEN '{k.name}' THEN {k.expression}" for k in KEY_METRICS)
    names = [f"('{k.name}', {i})" for i, k in enumerate(KEY_METRICS, start=1)]
    return (
        "simulation_metrics AS (\n"
        "  -- one row per simulation (point and replicate) of the succeeded shards and key metric\n"
        "  SELECT\n"
        "    m.shard_id,\n"
        "    m.point_index,\n"
        "    m.replicate,\n"
        "    k.metric,\n"
        "    k.metric_order,\n"
        "    CASE k.metric\n"
        f"{cases}\n"
        "    END AS value\n"
        "  FROM shard_metrics m\n"
        "  CROSS JOIN (VALUES\n"
        f"{_values(names, 3)}\n"
        "  ) AS k (metric, metric_order)\n"
        "  WHERE m.run_id = :run_id AND m.status = 'success'\n"
        "    AND m.shard_id IN (SELECT shard_id FROM succeeded)\n"
        "),"
    )


def _parameter_names() -> str:
    names = [f"('{name}')" for name in sorted(PARAMETERS)]
    return (
        "parameter_names AS (\n"
        "  -- every simulation parameter: the names a dimension can have\n"
        "  SELECT name FROM (VALUES\n"
        f"{_values(names, 4)}\n"
        "  ) AS p (name)\n"
        "),"
    )


BLOCKS: Mapping[str, Callable[[], str]] = {
    "t_975": _t_975,
    "simulation_metrics": _simulation_metrics,
    "parameter_names": _parameter_names,
}
_BLOCK = re.compile(
    r"(?P<begin>^-- begin generated block (?P<name>\w+)[^\n]*\n)(?P<body>.*?)"
    r"(?P<end>^-- end generated block (?P=name)\n)",
    re.MULTILINE | re.DOTALL,
)


class UnknownBlock(ValueError):
    """A preset names a generated block this module does not write."""


def refreshed(sql: str) -> str:
    """``sql`` with every generated block rewritten from its source."""

    def rewrite(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in BLOCKS:
            raise UnknownBlock(f"unknown generated block {name!r}: known are {', '.join(BLOCKS)}")
        return f"{match.group('begin')}{BLOCKS[name]()}\n{match.group('end')}"

    return _BLOCK.sub(rewrite, sql)


def block_names(sql: str) -> list[str]:
    return [m.group("name") for m in _BLOCK.finditer(sql)]
