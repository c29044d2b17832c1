"""docs/contract.md §1: every rule of the sweep request, one behaviour per test."""

from __future__ import annotations

import pytest

from domain.contract import Limits, parse_sweep_request
from tests.fixtures import locs, rejection, request


def test_the_contract_example_is_accepted() -> None:
    req = parse_sweep_request(request(), Limits())
    assert req.run_id == "demo-run-001"
    assert req.failure_injection_shards == (1,)


def test_schema_version_defaults_to_v1() -> None:
    assert parse_sweep_request(request(schema_version=...), Limits()).schema_version == "v1"


def test_another_schema_version_is_rejected() -> None:
    assert locs(rejection(request(schema_version="v2"))) == ["schema_version"]


def test_a_body_that_is_not_an_object_is_rejected() -> None:
    err = rejection([1, 2])
    assert "must be a JSON object" in str(err)


def test_run_id_is_required() -> None:
    err = rejection(request(run_id=...))
    assert locs(err) == ["run_id"]
    assert "required" in str(err)


@pytest.mark.parametrize(
    "run_id",
    [" demo", "demo ", "a/b", "a=b", "..", ".hidden", "", "x" * 65, "tab\there", "line\n", "é"],
)
def test_run_ids_outside_the_pattern_are_rejected(run_id: str) -> None:
    err = rejection(request(run_id=run_id))
    assert locs(err) == ["run_id"]


@pytest.mark.parametrize("run_id", ["a", "A.b_c-1", "9" * 64, "run..2"])
def test_run_ids_inside_the_pattern_are_accepted(run_id: str) -> None:
    assert parse_sweep_request(request(run_id=run_id), Limits()).run_id == run_id


def test_a_run_id_that_is_not_a_string_is_rejected() -> None:
    assert locs(rejection(request(run_id=12))) == ["run_id"]


def test_dimensions_are_required() -> None:
    assert locs(rejection(request(dimensions=...))) == ["dimensions"]


def test_empty_dimensions_are_rejected() -> None:
    assert locs(rejection(request(dimensions={}))) == ["dimensions"]


def test_more_than_twelve_dimensions_are_rejected() -> None:
    names = [
        "num_riders", "num_drivers", "request_window_minutes", "start_hour", "city_width_km",
        "city_height_km", "match_radius_km", "base_fare", "per_km_rate", "commission_rate",
        "surge_zone_km", "idle_time_weight", "mean_speed_kmh",
    ]
    dims = {name: [1] for name in names}
    err = rejection(request(dimensions=dims, base_parameters={}))
    assert any("1 to 12" in d.msg for d in err.details)


def test_an_unknown_parameter_is_rejected_by_name() -> None:
    err = rejection(request(dimensions={"num_cars": [1]}))
    assert locs(err) == ["dimensions.num_cars"]
    assert "unknown parameter 'num_cars'" in str(err)


def test_an_empty_value_list_is_rejected() -> None:
    assert locs(rejection(request(dimensions={"num_drivers": []}))) == ["dimensions.num_drivers"]


def test_more_than_ten_thousand_values_are_rejected() -> None:
    err = rejection(request(dimensions={"num_riders": list(range(1, 10_002))}))
    assert "at most 10,000 values" in str(err)


def test_a_string_is_not_a_number() -> None:
    err = rejection(request(dimensions={"commission_rate": ["0.1"]}))
    assert locs(err) == ["dimensions.commission_rate[0]"]
    assert "got '0.1'" in str(err)


def test_true_is_not_an_integer() -> None:
    err = rejection(request(dimensions={"num_drivers": [True]}))
    assert locs(err) == ["dimensions.num_drivers[0]"]


def test_a_fraction_is_not_an_integer_and_the_message_says_what_is_expected() -> None:
    err = rejection(request(dimensions={"num_drivers": [100, 100.5]}))
    assert str(err) == (
        "dimensions.num_drivers[1]: must be an integer 1 ≤ x ≤ 200,000, got 100.5"
    )


def test_duplicate_values_are_rejected() -> None:
    err = rejection(request(dimensions={"num_drivers": [100, 100]}))
    assert locs(err) == ["dimensions.num_drivers[1]"]
    assert "duplicate" in str(err)


def test_an_integer_and_its_float_are_duplicates_for_a_float_parameter() -> None:
    err = rejection(request(dimensions={"commission_rate": [0, 0.0]}))
    assert locs(err) == ["dimensions.commission_rate[1]"]


def test_a_value_out_of_range_is_rejected() -> None:
    err = rejection(request(dimensions={"commission_rate": [1.0]}))
    assert locs(err) == ["dimensions.commission_rate[0]"]
    assert "0 ≤ x < 1" in str(err)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_rejected(value: float) -> None:
    err = rejection(request(dimensions={"match_radius_km": [value]}, base_parameters={}))
    assert locs(err) == ["dimensions.match_radius_km[0]"]


def test_an_integer_for_a_float_parameter_is_normalised_to_float() -> None:
    req = parse_sweep_request(request(dimensions={"commission_rate": [0, 1 / 2]}), Limits())
    assert req.dimensions["commission_rate"] == (0.0, 0.5)
    assert isinstance(req.dimensions["commission_rate"][0], float)


def test_an_enum_value_outside_its_choices_is_rejected() -> None:
    err = rejection(request(dimensions={"matching_algorithm": ["greedy"]}))
    assert "one of" in str(err)


def test_a_bool_parameter_takes_only_booleans() -> None:
    err = rejection(request(dimensions={"surge_enabled": [0]}))
    assert locs(err) == ["dimensions.surge_enabled[0]"]


def test_base_parameters_are_validated_like_dimensions() -> None:
    err = rejection(request(base_parameters={"match_radius_km": 0.0}))
    assert locs(err) == ["base_parameters.match_radius_km"]


def test_a_parameter_cannot_be_both_dimension_and_base() -> None:
    err = rejection(request(base_parameters={"num_drivers": 50}))
    assert locs(err) == ["base_parameters.num_drivers"]


def test_absent_base_parameters_normalise_to_empty() -> None:
    assert parse_sweep_request(request(base_parameters=...), Limits()).base_parameters == {}


def test_cross_field_rules_use_the_extremes_of_each_list() -> None:
    body = request(
        dimensions={"min_trip_km": [1.0, 20.0], "max_trip_km": [15.0, 30.0]}, base_parameters={}
    )
    err = rejection(body)
    assert locs(err) == ["dimensions.min_trip_km"]
    assert "largest min_trip_km (20.0) exceeds the smallest max_trip_km (15.0)" in str(err)


def test_cross_field_rules_hold_against_defaults() -> None:
    err = rejection(request(base_parameters={"simulation_minutes": 30}))
    assert locs(err) == ["base_parameters.simulation_minutes"]


def test_a_cross_field_pair_that_always_holds_is_accepted() -> None:
    body = request(dimensions={"min_trip_km": [1.0, 5.0], "max_trip_km": [5.0, 30.0]})
    assert parse_sweep_request(body, Limits()).dimensions["max_trip_km"] == (5.0, 30.0)


def test_neither_shard_count_nor_shard_size_is_rejected() -> None:
    assert locs(rejection(request(shard_count=...))) == ["shard_count"]


def test_both_shard_count_and_shard_size_are_rejected() -> None:
    assert locs(rejection(request(shard_size=2))) == ["shard_count"]


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "4"])
def test_shard_count_must_be_a_positive_integer(value: object) -> None:
    assert locs(rejection(request(shard_count=value))) == ["shard_count"]


def test_max_shards_above_the_deployment_cap_is_rejected() -> None:
    err = rejection(request(max_shards=5), Limits(max_shards=4))
    assert locs(err) == ["max_shards"]


def test_a_plan_with_more_shards_than_max_shards_is_rejected() -> None:
    err = rejection(request(shard_count=..., shard_size=1, max_shards=4))
    assert locs(err) == ["shard_size"]
    assert "plans 8 shards" in str(err)


def test_too_many_points_are_rejected() -> None:
    err = rejection(request(), Limits(max_total_points=7))
    assert "8 points" in str(err)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, True, "1"])
def test_seed_must_be_an_integer_in_range(seed: object) -> None:
    assert locs(rejection(request(seed=seed))) == ["seed"]


def test_seed_defaults_to_zero() -> None:
    assert parse_sweep_request(request(seed=...), Limits()).seed == 0


def test_an_unknown_output_layout_is_rejected() -> None:
    assert locs(rejection(request(output_layout="per_run"))) == ["output_layout"]


def test_failure_injection_ids_must_exist_in_the_plan() -> None:
    err = rejection(request(failure_injection_shards=[4]))
    assert locs(err) == ["failure_injection_shards[0]"]


def test_failure_injection_ids_must_be_distinct() -> None:
    err = rejection(request(failure_injection_shards=[1, 1]))
    assert locs(err) == ["failure_injection_shards[1]"]


def test_failure_injection_is_refused_when_the_deployment_disallows_it() -> None:
    err = rejection(request(), Limits(allow_failure_injection=False))
    assert "disabled" in str(err)


def test_unknown_fields_are_rejected() -> None:
    err = rejection(request(priority="high"))
    assert locs(err) == ["priority"]
    assert "unknown field" in str(err)


def test_every_offending_field_is_named_in_one_answer() -> None:
    err = rejection(request(seed=-1, run_id="a/b", shard_count=0))
    assert set(locs(err)) == {"seed", "run_id", "shard_count"}


def test_a_shard_message_over_the_queue_limit_is_rejected_at_submission() -> None:
    wide = [1 + i * 0.0123456789123 for i in range(10_000)]
    err = rejection(
        request(dimensions={"city_width_km": wide, "city_height_km": wide}, base_parameters={}),
        Limits(max_total_points=10**9),
    )
    assert "over the queue's limit" in str(err)
