"""Heat-map axes, grids, intervals and ties of the report, and its precision projection, from
query rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scipy import stats

from application.analytics.report_data import (
    axis_label,
    heatmap,
    heatmap_axes,
    point_rows,
    projected_half_width,
)


def point(metric: float, **values: Any) -> dict[str, Any]:
    return {"selected_dimensions_json": json.dumps(values, sort_keys=True), "m": metric}


def test_the_two_widest_dimensions_are_the_axes_ties_by_name() -> None:
    assert heatmap_axes({"b": [1, 2], "a": [1, 2], "c": [1, 2, 3]}) == ("c", "a")
    assert heatmap_axes({"only": [1, 2]}) == ("only", None)


def test_other_dimensions_are_fixed_at_the_best_points_values_and_gaps_stay_empty() -> None:
    dimensions = {"algo": ["simple", "hungarian"], "drivers": [10, 20, 30], "rate": [0.1, 0.2]}
    points = [
        point(float(d + r * 100), algo=a, drivers=d, rate=r)
        for a in dimensions["algo"] for d in dimensions["drivers"] for r in dimensions["rate"]
        if not (a == "hungarian" and d == 30 and r == 0.2)  # a failed shard
    ]
    best = point(0.0, algo="hungarian", drivers=10, rate=0.1)

    grid = heatmap(points, "m", dimensions, best)

    assert (grid.x_name, grid.y_name) == ("drivers", "algo")
    assert grid.fixed == {"rate": 0.1}
    assert grid.x_values == (10, 20, 30) and grid.y_values == ("simple", "hungarian")
    assert grid.cells == ((20.0, 30.0, 40.0), (20.0, 30.0, 40.0))
    best_at_gap = point(0.0, algo="hungarian", drivers=10, rate=0.2)
    assert heatmap(points, "m", dimensions, best_at_gap).cells[1] == (30.0, 40.0, None)


def test_axis_labels_carry_the_parameter_unit() -> None:
    assert axis_label("num_drivers") == "num_drivers (drivers)"
    assert axis_label("commission_rate") == "commission_rate (share)"
    assert axis_label("matching_algorithm") == "matching_algorithm"


def interval_point(mean: float, half: float | None, **values: Any) -> dict[str, Any]:
    row = point(mean, **values)
    row["m_low"], row["m_high"] = (None, None) if half is None else (mean - half, mean + half)
    return row


def test_cells_whose_interval_overlaps_the_best_cells_tie_it() -> None:
    dimensions = {"drivers": [10, 20, 30], "rate": [0.1, 0.2]}
    points = [
        interval_point(5.0, 1.0, drivers=10, rate=0.1),  # [4, 6]: overlaps the best's [5.5, 6.5]
        interval_point(6.0, 0.5, drivers=20, rate=0.1),  # the best
        interval_point(3.0, 1.0, drivers=30, rate=0.1),  # [2, 4]: below it
        interval_point(5.4, 0.1, drivers=10, rate=0.2),  # [5.3, 5.5]: touches it
        interval_point(1.0, 0.2, drivers=20, rate=0.2),
    ]
    best_point = points[1]

    grid = heatmap(points, "m", dimensions, best_point)

    assert grid.best == (0, 1)
    assert grid.ties_best == ((True, False, False), (True, False, False))
    assert grid.has_intervals
    assert grid.low[0] == (4.0, 5.5, 2.0) and grid.high[1][2] is None  # (30, 0.2) has no point
    lowest = heatmap(points, "m", dimensions, best_point, higher_is_better=False)
    assert lowest.best == (1, 1)  # 1.0 is the best where lower is better
    assert lowest.ties_best == ((False, False, False), (False, False, False))


def test_without_intervals_nothing_ties_the_best() -> None:
    dimensions = {"drivers": [10, 20]}
    points = [interval_point(1.0, None, drivers=10), interval_point(2.0, None, drivers=20)]

    grid = heatmap(points, "m", dimensions, points[1])

    assert grid.best == (0, 1) and grid.ties_best == ((False, False),)
    assert not grid.has_intervals


def test_point_rows_join_the_summary_and_the_ranking_by_point() -> None:
    selected = json.dumps({"drivers": 10})
    summary = [
        {"point_index": 4, "selected_dimensions_json": selected, "metric": "conversion_rate",
         "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6},
        {"point_index": 4, "selected_dimensions_json": selected, "metric": "platform_revenue",
         "mean": 90.0, "ci_low": None, "ci_high": None},
    ]
    ranking = [{"point_index": 4, "health_score": 0.7, "health_low": 0.6, "health_high": 0.8}]

    (row,) = point_rows(summary, ranking)

    assert row["conversion_rate"] == 0.5 and row["conversion_rate_low"] == 0.4
    assert row["platform_revenue_high"] is None
    assert (row["health_score"], row["health_score_low"], row["health_score_high"]) == (0.7, 0.6, 0.8)


def test_a_half_width_shrinks_as_t_over_the_root_of_the_replicates() -> None:
    now = 0.04
    projected = projected_half_width(now, 10, 40)

    assert projected == pytest.approx(now / 2 * stats.t.ppf(0.975, 39) / stats.t.ppf(0.975, 9), rel=1e-9)
    assert projected_half_width(now, 1, 10) is None  # one replicate measured no spread
