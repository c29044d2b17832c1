"""What the run report shows: the query pack's answers for one run, heat-map axes and grids,
best/worst points.

``gather_report`` asks the run's tables everything the page needs; the rest are pure functions over
the rows (lists of dicts), so the figures stay in the entrypoint and this logic is typed and tested
on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from application.analytics.query_pack import MAX_TOP_N
from application.analytics.run_analytics import RunAnalytics
from domain.parameters import PARAMETERS, Scalar

Row = Mapping[str, Any]
CONTEXT_SQL = """
SELECT accepted_at, total_points, shard_count, seed, dimensions_json, base_parameters_json,
       config_fingerprint, request_source
FROM run_context WHERE run_id = :run_id
"""


@dataclass(frozen=True, slots=True)
class Heatmap:
    metric: str
    x_name: str
    y_name: str | None
    x_values: tuple[Scalar, ...]
    y_values: tuple[Scalar, ...]
    cells: tuple[tuple[float | None, ...], ...]
    """``cells[row][column]``: row ``i`` is ``y_values[i]``, column ``j`` is ``x_values[j]``."""
    fixed: Mapping[str, Scalar]


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
) -> Heatmap:
    """``metric`` over the two widest dimensions, every other dimension at the best point's value.

    ``points`` are rows with ``selected_dimensions_json`` and ``metric``; a combination without a
    point (a failed shard) is a ``None`` cell.
    """
    x_name, y_name = heatmap_axes(dimensions)
    axes = {x_name, y_name} - {None}
    fixed = {k: v for k, v in selected_values(best).items() if k not in axes}
    x_values = tuple(dimensions[x_name])
    y_values = tuple(dimensions[y_name]) if y_name is not None else ("",)
    by_cell: dict[tuple[Scalar, Scalar], float] = {}
    for row in points:
        values = selected_values(row)
        if any(values.get(k) != v for k, v in fixed.items()) or row.get(metric) is None:
            continue
        y_value = values[y_name] if y_name is not None else ""
        by_cell[(values[x_name], y_value)] = float(row[metric])
    cells = tuple(tuple(by_cell.get((x, y)) for x in x_values) for y in y_values)
    return Heatmap(metric, x_name, y_name, x_values, y_values, cells, fixed)


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


@dataclass(frozen=True, slots=True)
class ReportData:
    run_id: str
    context: Row | None
    """The run_context row, ``None`` when the run has none yet."""
    coverage: Row
    failures: Sequence[Row]
    profile: Sequence[Row]
    ranking: Sequence[Row]
    """Every point with results, best health first."""
    ends: tuple[Row, Row] | None
    """The best and the worst point, ``None`` without points."""
    heatmaps: tuple[Heatmap, ...]
    """One per metric asked for, or none when there is nothing to map."""
    series: Mapping[str, Sequence[Row]]
    """``"best"``/``"worst"`` → the point's snapshots joined with its trips, per minute."""


def gather_report(run: RunAnalytics, heatmap_metrics: Sequence[str]) -> ReportData:
    """Everything the run report shows, with a heat map of each of ``heatmap_metrics`` (columns of
    metrics-by-parameter, or ``health_score``)."""
    context = run.sql(CONTEXT_SQL).rows
    ranking = run.preset("health-ranking", {"top_n": MAX_TOP_N}).rows
    ends = best_and_worst(ranking)
    series: dict[str, Sequence[Row]] = {}
    heatmaps: tuple[Heatmap, ...] = ()
    if ends:
        for label, row in (("best", ends[0]), ("worst", ends[1])):
            series[label] = run.preset("trip-snapshots", {"point_index": row["point_index"]}).rows
    if context and ends:
        metrics = run.preset("metrics-by-parameter").rows
        dimensions = swept_dimensions(context[0]["dimensions_json"])
        health = {r["point_index"]: r["health_score"] for r in ranking}
        points = [{**m, "health_score": health.get(m["point_index"])} for m in metrics]
        heatmaps = tuple(heatmap(points, metric, dimensions, ends[0]) for metric in heatmap_metrics)
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
    )
