"""Heat-map axes and grids of the report, from query rows."""

from __future__ import annotations

import json
from typing import Any

from application.analytics.report_data import axis_label, heatmap, heatmap_axes


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
