"""Replicates and seed strategy in the request, the fingerprints, the seeds and the plan
(docs/contract.md §1-§3)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from domain.contract import (
    PRE_VERSIONING_SIMULATION_MODEL,
    Limits,
    ShardMessage,
    parse_sweep_request,
)
from domain.errors import RequestValidationError
from domain.fingerprints import config_fingerprint, point_seed, replicate_seed
from domain.planning import SweepPlan, plan_sweep
from domain.simulation import SIMULATION_MODEL
from tests.fixtures import locs, rejection, request

LIMITS = Limits()


def plan(limits: Limits = LIMITS, **changes: Any) -> SweepPlan:
    return plan_sweep(parse_sweep_request(request(**changes), limits), limits)


def first_8_bytes(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


# --- the request -------------------------------------------------------------------------------


def test_replicates_and_seed_strategy_default_to_one_and_independent() -> None:
    req = parse_sweep_request(request(), LIMITS)
    assert (req.replicates, req.seed_strategy) == (1, "independent")


@pytest.mark.parametrize("replicates", [1, 2, 999, 1000])
def test_replicates_from_one_to_a_thousand_are_accepted(replicates: int) -> None:
    assert parse_sweep_request(request(replicates=replicates), LIMITS).replicates == replicates


@pytest.mark.parametrize(
    ("replicates", "shown"),
    [(0, "0"), (-3, "-3"), (1001, "1001"), (True, "true"), (2.0, "2.0"), ("5", "'5'"), (None, "null")],
)
def test_replicates_outside_the_rule_are_rejected_by_name(replicates: object, shown: str) -> None:
    err = rejection(request(replicates=replicates))
    assert str(err) == (
        "replicates: must be an integer 1 ≤ x ≤ 1,000 (how many times each point is simulated), "
        f"got {shown}"
    )


@pytest.mark.parametrize("strategy", ["independent", "common"])
def test_both_seed_strategies_are_accepted(strategy: str) -> None:
    assert parse_sweep_request(request(seed_strategy=strategy), LIMITS).seed_strategy == strategy


@pytest.mark.parametrize("strategy", ["paired", "Common", "", 1, None])
def test_another_seed_strategy_is_rejected_by_name(strategy: object) -> None:
    err = rejection(request(seed_strategy=strategy))
    assert locs(err) == ["seed_strategy"]
    assert "must be 'independent'" in str(err) and "or 'common'" in str(err)


def test_bad_replicates_are_named_beside_other_bad_fields() -> None:
    err = rejection(request(replicates=0, seed_strategy="x", seed=-1))
    assert set(locs(err)) == {"replicates", "seed_strategy", "seed"}


# --- total simulations -------------------------------------------------------------------------


def test_total_simulations_are_points_times_replicates() -> None:
    p = plan(replicates=5)
    assert (p.total_points, p.replicates, p.total_simulations) == (8, 5, 40)


def test_simulations_over_the_limit_are_rejected_naming_both_factors() -> None:
    err = rejection(request(replicates=5), Limits(max_total_points=39))
    assert locs(err) == ["replicates"]
    assert str(err) == (
        "replicates: the sweep has 40 simulations (8 points, the product of the dimension "
        "lengths, × 5 replicates), more than the limit of 39; list fewer dimension values or "
        "fewer replicates"
    )


def test_simulations_at_the_limit_are_accepted() -> None:
    assert plan(Limits(max_total_points=40), replicates=5).total_simulations == 40


def test_too_many_points_alone_are_blamed_on_the_dimensions() -> None:
    err = rejection(request(replicates=5), Limits(max_total_points=7))
    assert locs(err) == ["dimensions"]
    assert "40 simulations (8 points" in str(err)


def test_shards_cut_points_never_replicates() -> None:
    single, replicated = plan(), plan(replicates=50)
    assert replicated.shards == single.shards
    assert plan(replicates=50, shard_count=..., shard_size=3).shard_count == 3


def test_the_message_size_check_still_holds_with_replicates() -> None:
    wide = [1 + i * 0.0123456789123 for i in range(10_000)]
    err = rejection(
        request(
            dimensions={"city_width_km": wide, "city_height_km": wide},
            base_parameters={},
            replicates=1,
            seed_strategy="common",
        ),
        Limits(max_total_points=10**9),
    )
    assert "over the queue's limit" in str(err)


# --- fingerprints ------------------------------------------------------------------------------

# Computed from the contract example before replicates existed: a request without the new fields
# (or with their default values) must keep them, or resubmitting an earlier run would conflict.
EXAMPLE_CONFIG_FINGERPRINT = (
    "39e01a2d365b14cc6a022c0b8d1fb556e35ee3407463021d2be0408d86159796"  # pragma: allowlist secret
)
EXAMPLE_REQUEST_FINGERPRINT = (
    "8a3e8f79ff4f70aa42d9c6c6085ab092a9d48314d02b26fd7e7b3f8b1473b78c"  # pragma: allowlist secret
)
MINIMAL_CONFIG_FINGERPRINT = (
    "f36b20609df83da5d91ff9147d785adeca8b5d58f407ae4e26e3de2d9558a73f"  # pragma: allowlist secret
)
MINIMAL_REQUEST_FINGERPRINT = (
    "289d5c3ca04b19c462602139a7674ee768360954ba2f0518b72aadd2ac8ea8ca"  # pragma: allowlist secret
)


@pytest.mark.parametrize(
    "spelled",
    [
        {},
        {"replicates": 1},
        {"seed_strategy": "independent"},
        {"replicates": 1, "seed_strategy": "independent"},
    ],
)
def test_fingerprints_of_a_request_without_the_new_fields_are_unchanged(spelled: dict[str, Any]) -> None:
    p = plan(**spelled)
    assert (p.config_fingerprint, p.request_fingerprint) == (
        EXAMPLE_CONFIG_FINGERPRINT,
        EXAMPLE_REQUEST_FINGERPRINT,
    )
    minimal = plan(seed=..., failure_injection_shards=..., base_parameters=..., **spelled)
    assert (minimal.config_fingerprint, minimal.request_fingerprint) == (
        MINIMAL_CONFIG_FINGERPRINT,
        MINIMAL_REQUEST_FINGERPRINT,
    )


def test_replicates_and_seed_strategy_enter_both_fingerprints_when_not_default() -> None:
    base = plan()
    for changes in ({"replicates": 2}, {"seed_strategy": "common"}):
        changed = plan(**changes)
        assert changed.config_fingerprint != base.config_fingerprint
        assert changed.request_fingerprint != base.request_fingerprint
    both = plan(replicates=2, seed_strategy="common")
    assert len({both.config_fingerprint, plan(replicates=2).config_fingerprint,
                plan(seed_strategy="common").config_fingerprint}) == 3


def test_config_fingerprint_with_replicates_matches_a_hand_written_canonical_json() -> None:
    by_hand = (
        '{"base_parameters":{"match_radius_km":3.0},'
        '"dimensions":{"commission_rate":[0.1,0.2],"num_drivers":[100,200],"num_riders":[500,800]},'
        '"replicates":20,"seed":42,"seed_strategy":"common"}'
    )
    expected = hashlib.sha256(by_hand.encode()).hexdigest()
    assert plan(replicates=20, seed_strategy="common").config_fingerprint == expected


def test_two_runs_of_the_same_replicated_experiment_share_the_config_fingerprint() -> None:
    one = plan(replicates=10, seed_strategy="common")
    other = plan(replicates=10, seed_strategy="common", run_id="other", shard_count=2)
    assert one.config_fingerprint == other.config_fingerprint
    assert one.request_fingerprint != other.request_fingerprint


def test_config_fingerprint_defaults_equal_the_spelled_out_defaults() -> None:
    dims = {"num_drivers": (1, 2)}
    assert config_fingerprint(dims, {}, 3) == config_fingerprint(dims, {}, 3, 1, "independent")


# --- seeds -------------------------------------------------------------------------------------


def test_independent_replicate_zero_is_the_point_seed() -> None:
    for point in (0, 7, 123_456):
        assert replicate_seed(42, point, 0, "independent") == point_seed(42, point)


def test_independent_later_replicates_hash_seed_point_and_replicate() -> None:
    assert replicate_seed(42, 7, 1, "independent") == first_8_bytes("42:7:1")
    assert replicate_seed(42, 7, 999, "independent") == first_8_bytes("42:7:999")


def test_common_replicates_hash_seed_and_replicate_for_every_point() -> None:
    for point in (0, 1, 7):
        assert replicate_seed(42, point, 0, "common") == first_8_bytes("42:common:0")
        assert replicate_seed(42, point, 3, "common") == first_8_bytes("42:common:3")


def test_every_seed_of_an_independent_run_differs() -> None:
    seeds = {replicate_seed(5, p, r, "independent") for p in range(30) for r in range(30)}
    assert len(seeds) == 900


def test_common_seeds_differ_between_replicates_and_runs() -> None:
    assert len({replicate_seed(5, 0, r, "common") for r in range(100)}) == 100
    assert replicate_seed(5, 0, 0, "common") != replicate_seed(6, 0, 0, "common")


# --- the shard message -------------------------------------------------------------------------


def test_shard_messages_carry_replicates_strategy_and_the_model() -> None:
    message = next(plan(replicates=7, seed_strategy="common").shard_messages("2026-11-28"))
    body = json.loads(message.to_json_bytes())
    assert (body["replicates"], body["seed_strategy"]) == (7, "common")
    assert body["simulation_model"] == SIMULATION_MODEL


def test_a_message_from_an_earlier_producer_reads_as_one_independent_replicate() -> None:
    body = json.loads(next(plan().shard_messages("2026-11-28")).to_json_bytes())
    for name in ("replicates", "seed_strategy", "simulation_model"):
        del body[name]
    message = ShardMessage.model_validate_json(json.dumps(body))
    assert (message.replicates, message.seed_strategy) == (1, "independent")
    assert message.simulation_model == PRE_VERSIONING_SIMULATION_MODEL


@pytest.mark.parametrize(
    ("field", "value"),
    [("replicates", 0), ("replicates", 1001), ("replicates", True), ("seed_strategy", "paired"),
     ("simulation_model", 0), ("simulation_model", "2")],
)
def test_a_message_with_a_bad_replication_field_is_malformed(field: str, value: object) -> None:
    body = json.loads(next(plan().shard_messages("2026-11-28")).to_json_bytes())
    body[field] = value
    with pytest.raises(ValueError):
        ShardMessage.model_validate_json(json.dumps(body))


def test_parse_errors_name_the_field_even_with_every_rule_broken() -> None:
    with pytest.raises(RequestValidationError) as caught:
        parse_sweep_request(request(replicates=[1]), LIMITS)
    assert locs(caught.value) == ["replicates"]


def test_planning_reads_the_model_version_without_loading_the_simulation_engine() -> None:
    """The API path plans sweeps; the engine's numpy and scipy would add a second to its cold start."""
    import subprocess
    import sys

    probe = (
        "import sys, domain.planning, application.submit_sweep; "
        "print(sorted(m for m in ('numpy', 'scipy', 'domain.simulation.engine') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
