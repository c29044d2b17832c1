"""docs/contract.md §2-§3: the parameter space, the shard plan and the shard messages."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.contract import Limits, NormalisedRequest, ShardMessage, parse_sweep_request
from domain.planning import ParameterSpace, plan_sweep, planned_shard_count, shard_ranges
from domain.simulation import SIMULATION_MODEL
from tests.fixtures import request

LIMITS = Limits()


def normalised(**changes: object) -> NormalisedRequest:
    return parse_sweep_request(request(**changes), LIMITS)


def test_points_follow_sorted_names_with_the_last_name_fastest() -> None:
    space = ParameterSpace({"num_riders": (500, 800), "commission_rate": (0.1, 0.2)}, {})
    assert [space.point_at(i) for i in range(4)] == [
        {"commission_rate": 0.1, "num_riders": 500},
        {"commission_rate": 0.1, "num_riders": 800},
        {"commission_rate": 0.2, "num_riders": 500},
        {"commission_rate": 0.2, "num_riders": 800},
    ]


def test_values_keep_the_order_given() -> None:
    space = ParameterSpace({"num_drivers": (300, 100, 200)}, {})
    assert [space.point_at(i)["num_drivers"] for i in range(3)] == [300, 100, 200]


def test_effective_values_layer_defaults_base_and_point() -> None:
    space = ParameterSpace({"num_drivers": (7,)}, {"match_radius_km": 1.5})
    values = space.effective_values(0)
    assert values["num_drivers"] == 7
    assert values["match_radius_km"] == 1.5
    assert values["num_riders"] == 500


def test_an_index_outside_the_space_is_refused() -> None:
    space = ParameterSpace({"num_drivers": (1, 2)}, {})
    for bad in (-1, 2):
        try:
            space.point_at(bad)
        except IndexError:
            continue
        raise AssertionError(f"index {bad} was accepted")


def test_the_contract_example_plans_four_shards_of_two_points() -> None:
    plan = plan_sweep(normalised(), LIMITS)
    assert plan.total_points == 8
    assert [(s.start_index, s.end_index_exclusive) for s in plan.shards] == [
        (0, 2), (2, 4), (4, 6), (6, 8)
    ]


def test_the_first_shards_hold_the_remainder() -> None:
    assert [s.size for s in shard_ranges(10, 4)] == [3, 3, 2, 2]


def test_shard_count_above_the_points_is_capped_at_the_points() -> None:
    plan = plan_sweep(normalised(shard_count=50), LIMITS)
    assert plan.shard_count == 8


def test_shard_size_rounds_the_shard_count_up() -> None:
    plan = plan_sweep(normalised(shard_count=None, shard_size=3), LIMITS)
    assert plan.shard_count == 3
    assert [s.size for s in plan.shards] == [3, 3, 2]


def test_shard_messages_carry_the_contract_fields() -> None:
    plan = plan_sweep(normalised(), LIMITS)
    messages = list(plan.shard_messages("2026-11-28"))
    body = json.loads(messages[1].to_json_bytes())
    assert set(body) == {
        "schema_version", "run_id", "run_date", "shard_id", "start_index", "end_index_exclusive",
        "total_points", "dimensions", "base_parameters", "seed", "replicates", "seed_strategy",
        "simulation_model", "output_layout", "config_fingerprint", "inject_failure",
    }
    assert body["simulation_model"] == SIMULATION_MODEL
    assert (body["replicates"], body["seed_strategy"]) == (1, "independent")
    assert body["inject_failure"] is True
    assert messages[0].inject_failure is False
    assert ShardMessage.model_validate_json(messages[1].to_json_bytes()) == messages[1]


def test_a_shard_message_round_trips_through_json_with_float_types_kept() -> None:
    plan = plan_sweep(normalised(dimensions={"commission_rate": [0, 0.5]}), LIMITS)
    message = next(plan.shard_messages("2026-11-28"))
    decoded = json.loads(message.to_json_bytes())
    assert decoded["dimensions"]["commission_rate"] == [0.0, 0.5]
    assert isinstance(decoded["dimensions"]["commission_rate"][0], float)


dimension_lengths = st.lists(st.integers(1, 12), min_size=1, max_size=6).filter(
    lambda lengths: _product(lengths) <= 10**6
)


def _product(lengths: list[int]) -> int:
    total = 1
    for n in lengths:
        total *= n
    return total


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 10**6),
    by_count=st.booleans(),
    knob=st.integers(1, 5_000),
    max_shards=st.integers(1, 1000),
)
def test_shards_are_contiguous_cover_everything_once_and_differ_by_at_most_one(
    total: int, by_count: bool, knob: int, max_shards: int
) -> None:
    count = planned_shard_count(total, knob if by_count else None, None if by_count else knob)
    if count > max_shards:
        return  # plan_sweep rejects these; covered by the contract tests
    shards = shard_ranges(total, count)
    assert shards[0].start_index == 0
    assert shards[-1].end_index_exclusive == total
    for left, right in itertools.pairwise(shards):
        assert left.end_index_exclusive == right.start_index
    sizes = {s.size for s in shards}
    assert max(sizes) - min(sizes) <= 1
    assert min(sizes) >= 1
    assert len(shards) <= max_shards


@settings(max_examples=100, deadline=None)
@given(lengths=dimension_lengths, shard_count=st.integers(1, 2000), max_shards=st.integers(1, 1000))
def test_plans_respect_max_shards_or_are_rejected(
    lengths: list[int], shard_count: int, max_shards: int
) -> None:
    from domain.errors import RequestValidationError

    names = ["num_riders", "num_drivers", "start_hour", "batch_interval_seconds", "base_fare",
             "requote_delay_seconds"]
    dims = {names[i]: list(range(1, n + 1)) for i, n in enumerate(lengths)}
    body = request(dimensions=dims, base_parameters={}, shard_count=shard_count,
                   max_shards=max_shards, failure_injection_shards=[])
    try:
        plan = plan_sweep(parse_sweep_request(body, LIMITS), LIMITS)
    except RequestValidationError:
        assert min(shard_count, _product(lengths)) > max_shards
        return
    assert plan.shard_count <= max_shards
    assert plan.total_points == _product(lengths)


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    data=st.data(),
)
def test_point_at_equals_itertools_product(lengths: list[int], data: st.DataObject) -> None:
    names = ["num_riders", "base_fare", "start_day", "num_drivers"][: len(lengths)]
    days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    dims: dict[str, tuple[object, ...]] = {}
    for name, n in zip(names, lengths, strict=True):
        dims[name] = tuple(days[:n]) if name == "start_day" else tuple(range(n, 0, -1))
    space = ParameterSpace(dims, {})  # type: ignore[arg-type]
    expected = list(itertools.product(*(dims[k] for k in sorted(dims))))
    index = data.draw(st.integers(0, len(expected) - 1))
    assert tuple(space.point_at(index).values()) == expected[index]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), shard_count=st.integers(1, 8))
def test_planning_the_same_request_twice_gives_identical_plans(seed: int, shard_count: int) -> None:
    body = request(seed=seed, shard_count=shard_count, failure_injection_shards=[])
    first = plan_sweep(parse_sweep_request(body, LIMITS), LIMITS)
    second = plan_sweep(parse_sweep_request(body, LIMITS), LIMITS)
    assert first == second
    assert list(first.shard_messages("2026-01-01")) == list(second.shard_messages("2026-01-01"))


def test_a_continuation_is_the_same_message_with_its_part_and_where_it_resumes() -> None:
    message = next(plan_sweep(normalised(), LIMITS).shard_messages("2026-11-28"))
    second = message.continued(1).continued(1)
    assert (message.part, message.first_index) == (0, 0)
    assert (second.continuation, second.resume_index, second.part, second.first_index) == (2, 1, 2, 1)
    assert ShardMessage.model_validate_json(second.to_json_bytes()) == second
    assert json.loads(second.to_json_bytes()) == {
        **json.loads(message.to_json_bytes()), "continuation": 2, "resume_index": 1
    }


@pytest.mark.parametrize(
    "fields", [{"continuation": 1}, {"resume_index": 3}, {"continuation": 0, "resume_index": 1}]
)
def test_continuation_fields_come_together_and_count_from_one(fields: dict[str, int]) -> None:
    message = next(plan_sweep(normalised(), LIMITS).shard_messages("2026-11-28"))
    with pytest.raises(ValidationError):
        ShardMessage.model_validate_json(json.dumps({**json.loads(message.to_json_bytes()), **fields}))
