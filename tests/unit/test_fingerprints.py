"""docs/contract.md §2: canonical JSON, the three fingerprints and the point seed."""

from __future__ import annotations

import hashlib

from domain.contract import Limits, parse_sweep_request
from domain.fingerprints import parameter_fingerprint, point_seed
from domain.planning import plan_sweep
from tests.fixtures import request

LIMITS = Limits()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def plan(**changes: object):  # type: ignore[no-untyped-def]
    return plan_sweep(parse_sweep_request(request(**changes), LIMITS), LIMITS)


def test_config_fingerprint_of_the_contract_example_matches_a_hand_written_canonical_json() -> None:
    by_hand = (
        '{"base_parameters":{"match_radius_km":3.0},'
        '"dimensions":{"commission_rate":[0.1,0.2],"num_drivers":[100,200],"num_riders":[500,800]},'
        '"seed":42}'
    )
    assert plan().config_fingerprint == sha(by_hand)


def test_request_fingerprint_of_the_contract_example_matches_a_hand_written_canonical_json() -> None:
    by_hand = (
        '{"base_parameters":{"match_radius_km":3.0},'
        '"dimensions":{"commission_rate":[0.1,0.2],"num_drivers":[100,200],"num_riders":[500,800]},'
        '"failure_injection_shards":[1],"max_shards":1000,"output_layout":"per_point",'
        '"run_id":"demo-run-001","schema_version":"v1","seed":42,"shard_count":4,"shard_size":null}'
    )
    assert plan().request_fingerprint == sha(by_hand)


def test_config_fingerprint_ignores_run_id_sharding_and_failure_injection() -> None:
    base = plan().config_fingerprint
    assert plan(run_id="other").config_fingerprint == base
    assert plan(shard_count=2).config_fingerprint == base
    assert plan(shard_count=None, shard_size=3).config_fingerprint == base
    assert plan(failure_injection_shards=[]).config_fingerprint == base
    assert plan(output_layout="per_shard").config_fingerprint == base


def test_config_fingerprint_changes_with_the_seed() -> None:
    assert plan(seed=43).config_fingerprint != plan().config_fingerprint


def test_request_fingerprint_changes_with_any_field() -> None:
    base = plan().request_fingerprint
    assert plan(run_id="other").request_fingerprint != base
    assert plan(shard_count=2).request_fingerprint != base
    assert plan(failure_injection_shards=[]).request_fingerprint != base


def test_normalisation_makes_int_and_float_spellings_equal() -> None:
    as_float = plan(base_parameters={"match_radius_km": 3.0})
    as_int = plan(base_parameters={"match_radius_km": 3})
    assert as_float.request_fingerprint == as_int.request_fingerprint


def test_point_seed_is_the_first_eight_bytes_big_endian_of_sha256() -> None:
    digest = hashlib.sha256(b"42:7").digest()
    assert point_seed(42, 7) == int.from_bytes(digest[:8], "big")


def test_point_seed_depends_on_run_seed_and_point_only() -> None:
    assert point_seed(42, 7) == point_seed(42, 7)
    assert point_seed(42, 7) != point_seed(42, 8)
    assert point_seed(42, 7) != point_seed(43, 7)


def test_parameter_fingerprint_covers_the_effective_parameters_and_point_seed() -> None:
    p = plan()
    values = p.space.effective_values(3)
    seed = point_seed(42, 3)
    expected = sha(
        '{"effective_parameters":'
        + __import__("json").dumps(values, sort_keys=True, separators=(",", ":"))
        + f',"point_seed":{seed}}}'
    )
    assert parameter_fingerprint(values, seed) == expected
    assert parameter_fingerprint(values, seed + 1) != expected
