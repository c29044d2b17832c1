"""The cost model: estimates of points, ranges and plans, and the continuation advice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.contract import Limits, parse_sweep_request
from domain.cost_model import (
    GRID_LIMIT,
    SpaceCost,
    continuation_advice,
    estimate_plan,
    simulation_seconds,
)
from domain.parameters import PARAMETERS
from domain.planning import ParameterSpace, SweepPlan, plan_sweep

LIMITS = Limits()
LARGE_MARKET = {  # about the large scenario of docs/model.md: seconds per simulation
    "num_riders": 10_000,
    "num_drivers": 7_000,
    "request_window_minutes": 240,
    "simulation_minutes": 300,
}


def plan_of(**body: Any) -> SweepPlan:
    return plan_sweep(parse_sweep_request({"run_id": "cost", "seed": 1, **body}, LIMITS), LIMITS)


def test_defaults_stand_for_absent_parameters() -> None:
    defaults = {name: PARAMETERS[name].default for name in LARGE_MARKET}
    assert simulation_seconds({}) == simulation_seconds(defaults)


def test_a_simulation_costs_more_with_more_riders_drivers_and_minutes() -> None:
    base = simulation_seconds({})
    assert simulation_seconds({"num_riders": 5000}) > base
    assert simulation_seconds({"num_drivers": 1000}) > base
    assert simulation_seconds({"simulation_minutes": 600}) > base
    assert simulation_seconds({"request_window_minutes": 120, "simulation_minutes": 180}) > base
    assert simulation_seconds(LARGE_MARKET) > 20 * base


def test_parameters_outside_the_model_do_not_change_the_estimate() -> None:
    assert simulation_seconds({"commission_rate": 0.4, "surge_enabled": True}) == simulation_seconds({})


names = st.sampled_from(["num_riders", "num_drivers", "simulation_minutes", "commission_rate"])


@st.composite
def spaces(draw: st.DrawFn) -> ParameterSpace:
    chosen = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    dimensions: dict[str, tuple[Any, ...]] = {}
    for name in chosen:
        if name in ("num_riders", "num_drivers"):
            values: list[Any] = draw(st.lists(st.integers(1, 5000), min_size=1, max_size=4, unique=True))
        elif name == "simulation_minutes":
            values = draw(st.lists(st.integers(60, 600), min_size=1, max_size=3, unique=True))
        else:
            shares = st.sampled_from([0.1, 0.2, 0.3, 0.5])
            values = draw(st.lists(shares, min_size=1, max_size=3, unique=True))
        dimensions[name] = tuple(values)
    base = {"num_riders": 3000} if "num_riders" not in dimensions and draw(st.booleans()) else {}
    return ParameterSpace(dimensions, base)


@settings(max_examples=60, deadline=None)
@given(spaces(), st.data())
def test_a_range_costs_the_sum_of_its_points(space: ParameterSpace, data: st.DataObject) -> None:
    cost = SpaceCost(space)
    per_point = [simulation_seconds(space.effective_values(i)) for i in range(space.total_points)]
    start = data.draw(st.integers(0, space.total_points))
    end = data.draw(st.integers(start, space.total_points))
    expected = sum(per_point[start:end])
    assert abs(cost.range_seconds(start, end) - expected) <= 1e-9 * max(1.0, expected)
    assert abs(cost.total_seconds - sum(per_point)) <= 1e-9 * sum(per_point)
    assert cost.max_point_seconds == max(per_point)


def test_a_space_too_varied_to_sum_point_by_point_is_bounded_from_above() -> None:
    side = int(GRID_LIMIT**0.5) + 2
    space = ParameterSpace(
        {"num_riders": tuple(range(1, side + 1)), "num_drivers": tuple(range(1, side + 1))}, {}
    )
    cost = SpaceCost(space)
    assert not cost.exact
    dearest = simulation_seconds({"num_riders": side, "num_drivers": side})
    assert cost.range_seconds(0, 10) == 10 * dearest


def test_a_plan_estimate_counts_replicates_and_covers_every_shard() -> None:
    once = estimate_plan(plan_of(dimensions={"num_riders": [100, 200, 400, 800]}, shard_count=2))
    twice = estimate_plan(
        plan_of(dimensions={"num_riders": [100, 200, 400, 800]}, shard_count=2, replicates=2)
    )
    assert len(once.shard_seconds) == 2
    assert once.shard_seconds[0] < once.shard_seconds[1]  # riders grow along the points
    assert abs(sum(once.shard_seconds) - once.total_seconds) < 1e-12
    assert twice.total_seconds == 2 * once.total_seconds
    assert twice.longest_point_seconds == 2 * once.longest_point_seconds


def test_small_shards_need_no_continuations() -> None:
    plan = plan_of(dimensions={"num_drivers": [10, 20, 30]}, shard_count=3)
    assert continuation_advice(plan, invocation_seconds=300) is None


def test_large_markets_in_long_shards_are_advised_a_shard_size_that_fits() -> None:
    plan = plan_of(
        dimensions={"commission_rate": [i / 100 for i in range(1, 51)], "num_riders": [8_000, 10_000]},
        base_parameters={k: v for k, v in LARGE_MARKET.items() if k != "num_riders"},
        shard_size=100,
    )
    advice = continuation_advice(plan, invocation_seconds=60)
    assert advice is not None
    assert advice.shards_over == plan.shard_count
    assert not advice.point_too_long
    size = advice.suggested_shard_size
    assert size is not None and 1 <= size < 100
    assert "shard_size" in advice.message() and str(size) in advice.message()
    fitting = plan_of(**{**_body(plan), "shard_size": size})
    assert continuation_advice(fitting, invocation_seconds=60) is None
    assert continuation_advice(plan_of(**{**_body(plan), "shard_size": 2 * size}), 60) is not None


def test_a_point_longer_than_an_invocation_is_named_and_no_size_is_suggested() -> None:
    plan = plan_of(
        dimensions={"commission_rate": [0.1, 0.2]}, base_parameters=LARGE_MARKET, shard_count=1,
        replicates=1000,
    )
    advice = continuation_advice(plan, invocation_seconds=300)
    assert advice is not None and advice.point_too_long
    assert advice.suggested_shard_size is None
    assert "no shard size" in advice.message()


def test_no_size_is_suggested_when_the_fitting_one_needs_more_than_max_shards() -> None:
    plan = plan_of(
        dimensions={"commission_rate": [i / 1000 for i in range(1, 201)]},
        base_parameters=LARGE_MARKET, shard_count=2, max_shards=2,
    )
    advice = continuation_advice(plan, invocation_seconds=60)
    assert advice is not None and advice.suggested_shard_size is None
    assert "max_shards" in advice.message()


def _body(plan: SweepPlan) -> dict[str, Any]:
    request = plan.request
    return {
        "dimensions": {k: list(v) for k, v in request.dimensions.items()},
        "base_parameters": dict(request.base_parameters),
        "replicates": request.replicates,
    }
