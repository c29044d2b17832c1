"""What the run report shows: the query pack's answers for one run, heat-map axes and grids with
their intervals, best/worst points, what more replicates would buy.

``gather_report`` asks the run's tables everything the page needs; the rest are pure functions over
the rows (lists of dicts), so the figures stay in the entrypoint and this logic is typed and tested
on its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from application.analytics.query_pack import MAX_TOP_N
from application.analytics.run_analytics import RunAnalytics
from application.analytics.sql_blocks import t_quantile
from domain.parameters import PARAMETERS, Scalar

Row = Mapping[str, Any]
CONTEXT_SQL = """
SELECT accepted_at, total_points, replicates, seed_strategy, simulation_model, shard_count, seed,
       dimensions_json, base_parameters_json, config_fingerprint, request_source
FROM run_context WHERE run_id = :run_id
"""
HEALTH = "health_score"
Cells = tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Heatmap:
    metric: str
    x_name: str
    y_name: str | None
    x_values: tuple[Scalar, ...]
    y_values: tuple[Scalar, ...]
    cells: Cells
    """Per-point means; ``cells[row][column]``: row ``i`` is ``y_values[i]``, column ``j`` is
    ``x_values[j]``."""
    fixed: Mapping[str, Scalar]
    low: Cells = ()
    """The cells' 95 % interval bounds (``None`` without an interval), shaped as ``cells``."""
    high: Cells = ()
    best: tuple[int, int] | None = None
    """(row, column) of the best mean on the map (the highest, or the lowest where lower is
    better), ``None`` on an empty map."""
    ties_best: tuple[tuple[bool, ...], ...] = ()
    """Cells other than the best whose interval overlaps the best cell's: at this replicate count
    the data cannot tell them from the best."""

    @property
    def has_intervals(self) -> bool:
        """Every cell with a mean has an interval (the run has at least two replicates)."""
        return any(v is not None for row in self.cells for v in row) and all(
            (mean is None) == (low is None)
            for means, lows in zip(self.cells, self.low, strict=True)
            for mean, low in zip(means, lows, strict=True)
        )


def swept_dimensions(dimensions_json: str) -> dict[str, list[Scalar]]:
    """The run's dimensions, by name (the order points are enumerated in), values as requested."""
    dimensions: dict[str, list[Scalar]] = json.loads(dimensions_json)
    return {name: dimensions[name] for name in sorted(dimensions)}


def heatmap_axes(dimensions: Mapping[str, Sequence[Scalar]]) -> tuple[str, str | None]:
    """The two dimensions with the most values (ties: by name); x has the most.

    ``y`` is ``None`` when the run sweeps a single dimension.
    """
    if not dimensions:
        raise ValueError("a run sweeps at least one dimension")
    ranked = sorted(dimensions, key=lambda name: (-len(dimensions[name]), name))
    return ranked[0], (ranked[1] if len(ranked) > 1 else None)


def axis_label(name: str) -> str:
    spec = PARAMETERS.get(name)
    return f"{name} ({spec.unit})" if spec is not None and spec.unit else name


def selected_values(row: Row) -> dict[str, Scalar]:
    values: dict[str, Scalar] = json.loads(row["selected_dimensions_json"])
    return values


def heatmap(
    points: Sequence[Row],
    metric: str,
    dimensions: Mapping[str, Sequence[Scalar]],
    best: Row,
    *,
    higher_is_better: bool = True,
) -> Heatmap:
    """``metric`` over the two widest dimensions, every other dimension at the best point's value.

    ``points`` are rows with ``selected_dimensions_json``, ``metric`` (the point's mean) and, when
    the run has replicates, ``<metric>_low`` / ``<metric>_high`` (its interval); a combination
    without a point (a failed shard) is a ``None`` cell. The best cell is the best mean on the map;
    a cell ties it when both have intervals and they overlap.
    """
    x_name, y_name = heatmap_axes(dimensions)
    axes = {x_name, y_name} - {None}
    fixed = {k: v for k, v in selected_values(best).items() if k not in axes}
    x_values = tuple(dimensions[x_name])
    y_values = tuple(dimensions[y_name]) if y_name is not None else ("",)
    by_cell: dict[tuple[Scalar, Scalar], tuple[float, float | None, float | None]] = {}
    for row in points:
        values = selected_values(row)
        if any(values.get(k) != v for k, v in fixed.items()) or row.get(metric) is None:
            continue
        y_value = values[y_name] if y_name is not None else ""
        by_cell[(values[x_name], y_value)] = (
            float(row[metric]),
            _optional_float(row.get(f"{metric}_low")),
            _optional_float(row.get(f"{metric}_high")),
        )

    def grid(part: int) -> Cells:
        return tuple(
            tuple(None if (x, y) not in by_cell else by_cell[(x, y)][part] for x in x_values)
            for y in y_values
        )

    cells, low, high = grid(0), grid(1), grid(2)
    best_cell = _best_cell(cells, higher_is_better)
    return Heatmap(
        metric, x_name, y_name, x_values, y_values, cells, fixed, low, high, best_cell,
        _ties(low, high, best_cell),
    )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _best_cell(cells: Cells, higher_is_better: bool) -> tuple[int, int] | None:
    present = [
        (value, i, j) for i, row in enumerate(cells) for j, value in enumerate(row) if value is not None
    ]
    if not present:
        return None
    sign = -1.0 if higher_is_better else 1.0
    _, i, j = min(present, key=lambda c: (sign * c[0], c[1], c[2]))
    return i, j


def _ties(low: Cells, high: Cells, best: tuple[int, int] | None) -> tuple[tuple[bool, ...], ...]:
    best_low = best_high = None
    if best is not None:
        best_low, best_high = low[best[0]][best[1]], high[best[0]][best[1]]

    def ties(i: int, j: int) -> bool:
        lo, hi = low[i][j], high[i][j]
        if (i, j) == best or None in (lo, hi, best_low, best_high):
            return False
        return bool(hi >= best_low and lo <= best_high)  # type: ignore[operator]

    return tuple(tuple(ties(i, j) for j in range(len(row))) for i, row in enumerate(low))


def best_and_worst(ranking: Sequence[Row]) -> tuple[Row, Row] | None:
    """The first and last rows of a ranking ordered best first, or ``None`` without points."""
    if not ranking:
        return None
    return ranking[0], ranking[-1]


def describe_point(row: Row) -> str:
    values = selected_values(row)
    return ", ".join(f"{name}={value_text(values[name])}" for name in sorted(values))


def value_text(value: Scalar) -> str:
    """A swept value as the report shows it: ``true``/``false``, floats in their shortest form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def point_rows(summary: Sequence[Row], ranking: Sequence[Row]) -> list[dict[str, Any]]:
    """One row per point: ``selected_dimensions_json``, each key metric's mean as ``<metric>``
    with ``<metric>_low`` / ``<metric>_high`` (point-summary), and the health score with its
    interval (health-ranking)."""
    points: dict[int, dict[str, Any]] = {}
    for row in summary:
        point = points.setdefault(
            row["point_index"],
            {"point_index": row["point_index"], "selected_dimensions_json": row["selected_dimensions_json"]},
        )
        metric = row["metric"]
        point[metric], point[f"{metric}_low"], point[f"{metric}_high"] = (
            row["mean"], row["ci_low"], row["ci_high"],
        )
    for row in ranking:
        if row["point_index"] in points:
            point = points[row["point_index"]]
            point[HEALTH], point[f"{HEALTH}_low"], point[f"{HEALTH}_high"] = (
                row[HEALTH], row["health_low"], row["health_high"],
            )
    return [points[p] for p in sorted(points)]


def projected_half_width(rel_half_width: float, replicates: int, more: int) -> float | None:
    """The relative half-width a point would have with ``more`` replicates instead of
    ``replicates``, its spread and mean staying as measured: it shrinks as t(0.975, n - 1) / √n."""
    now, then = t_quantile(replicates - 1), t_quantile(more - 1)
    if now is None or then is None:
        return None
    return rel_half_width * (then / now) * math.sqrt(replicates / more)


@dataclass(frozen=True, slots=True)
class ReportData:
    run_id: str
    context: Row | None
    """The run_context row, ``None`` when the run has none yet."""
    coverage: Row
    failures: Sequence[Row]
    profile: Sequence[Row]
    ranking: Sequence[Row]
    """Every point with results, best health first, with the intervals of health-ranking."""
    ends: tuple[Row, Row] | None
    """The best and the worst point, ``None`` without points."""
    heatmaps: tuple[Heatmap, ...]
    """One per metric asked for, or none when there is nothing to map."""
    series: Mapping[str, Sequence[Row]]
    """``"best"``/``"worst"`` → the point's snapshot-bands rows (mean and band per series, per
    minute)."""
    precision: Sequence[Row] = ()
    """The precision preset's rows, one per key metric."""


def gather_report(run: RunAnalytics, heatmap_metrics: Sequence[tuple[str, bool]]) -> ReportData:
    """Everything the run report shows, with a heat map of each of ``heatmap_metrics`` (a key
    metric of point-summary, or ``health_score``, each with whether higher is better)."""
    context = run.sql(CONTEXT_SQL).rows
    ranking = run.preset("health-ranking", {"top_n": MAX_TOP_N}).rows
    ends = best_and_worst(ranking)
    series: dict[str, Sequence[Row]] = {}
    heatmaps: tuple[Heatmap, ...] = ()
    if ends:
        for label, row in (("best", ends[0]), ("worst", ends[1])):
            series[label] = run.preset("snapshot-bands", {"point_index": row["point_index"]}).rows
    if context and ends:
        points = point_rows(run.preset("point-summary").rows, ranking)
        dimensions = swept_dimensions(context[0]["dimensions_json"])
        heatmaps = tuple(
            heatmap(points, metric, dimensions, ends[0], higher_is_better=higher)
            for metric, higher in heatmap_metrics
        )
    return ReportData(
        run_id=run.run_id,
        context=context[0] if context else None,
        coverage=run.preset("shard-coverage").rows[0],
        failures=run.preset("failures").rows,
        profile=run.preset("run-profile").rows,
        ranking=ranking,
        ends=ends,
        heatmaps=heatmaps,
        series=series,
        precision=run.preset("precision").rows if ends else (),
    )
