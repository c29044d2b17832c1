"""Batch matching algorithms on hand-made and generated batches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.simulation.matching import (
    MATCHERS,
    Candidate,
    best_options,
    match_cost_based,
    match_hungarian,
    match_simple,
)

ALGORITHMS = list(MATCHERS)

batches = st.lists(
    st.tuples(
        # Costs go negative when idle time is credited (pickup km − weight × idle hours).
        st.integers(0, 12), st.integers(0, 12), st.floats(-20.0, 50.0, allow_nan=False)
    ),
    max_size=60,
    unique_by=lambda c: (c[0], c[1]),
)


@settings(max_examples=200, deadline=None)
@given(batches)
def test_hungarian_never_makes_fewer_matches_than_cost_based(candidates: list[Candidate]) -> None:
    assert len(MATCHERS["hungarian"](candidates)) >= len(MATCHERS["cost_based"](candidates))


@settings(max_examples=200, deadline=None)
@given(batches, st.sampled_from(ALGORITHMS))
def test_each_driver_and_rider_is_used_at_most_once_and_only_in_feasible_pairs(
    candidates: list[Candidate], algorithm: str
) -> None:
    assignments = MATCHERS[algorithm](candidates)
    feasible = {(rider, driver) for rider, driver, _ in candidates}
    assert set(assignments) <= feasible
    assert len({rider for rider, _ in assignments}) == len(assignments)
    assert len({driver for _, driver in assignments}) == len(assignments)


@settings(max_examples=200, deadline=None)
@given(batches, st.sampled_from(ALGORITHMS))
def test_every_algorithm_leaves_no_feasible_pair_unused(
    candidates: list[Candidate], algorithm: str
) -> None:
    # The engine relies on this: after a batch, no waiting rider has a feasible idle driver.
    assignments = MATCHERS[algorithm](candidates)
    riders = {rider for rider, _ in assignments}
    drivers = {driver for _, driver in assignments}
    assert all(rider in riders or driver in drivers for rider, driver, _ in candidates)


@settings(max_examples=100, deadline=None)
@given(batches)
def test_hungarian_finds_the_cheapest_of_the_largest_matchings(candidates: list[Candidate]) -> None:
    # Given small batches where every matching can be listed
    small = [c for c in candidates if c[0] < 4 and c[1] < 4]
    best = _brute_force_best(small)
    chosen = match_hungarian(small)
    cost = {(r, d): c for r, d, c in small}
    assert len(chosen) == best[0]
    assert sum(cost[pair] for pair in chosen) == pytest.approx(best[1], abs=1e-9)


def _brute_force_best(candidates: list[Candidate]) -> tuple[int, float]:
    best = (0, 0.0)

    def extend(i: int, used_r: frozenset[int], used_d: frozenset[int], n: int, cost: float) -> None:
        nonlocal best
        if (n, -cost) > (best[0], -best[1]):
            best = (n, cost)
        for j in range(i, len(candidates)):
            r, d, c = candidates[j]
            if r not in used_r and d not in used_d:
                extend(j + 1, used_r | {r}, used_d | {d}, n + 1, cost + c)

    extend(0, frozenset(), frozenset(), 0, 0.0)
    return best


def test_simple_gives_each_rider_the_first_free_driver_by_arrival() -> None:
    # Given rider 0 near drivers 5 and 2, rider 1 near driver 2 only
    candidates = [(0, 5, 0.1), (0, 2, 9.0), (1, 2, 1.0)]
    # Then rider 0 takes driver 2 (earlier arrival, though farther) and rider 1 gets nothing
    assert match_simple(candidates) == [(0, 2)]


def test_cost_based_gives_each_rider_in_turn_its_best_free_driver() -> None:
    candidates = [(0, 5, 0.1), (0, 2, 9.0), (1, 5, 1.0), (1, 2, 3.0)]
    assert match_cost_based(candidates) == [(0, 5), (1, 2)]


def test_cost_based_can_strand_a_rider_that_hungarian_serves() -> None:
    # Given rider 0 whose best driver is the only one rider 1 can reach
    candidates = [(0, 1, 1.0), (0, 2, 2.0), (1, 1, 1.5)]
    # Then the greedy order serves one rider and the optimal assignment serves both
    assert match_cost_based(candidates) == [(0, 1)]
    assert match_hungarian(candidates) == [(0, 2), (1, 1)]


def test_hungarian_prefers_the_cheaper_of_two_full_matchings() -> None:
    candidates = [(0, 1, 1.0), (0, 2, 5.0), (1, 1, 5.0), (1, 2, 1.0)]
    assert match_hungarian(candidates) == [(0, 1), (1, 2)]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_empty_batch_matches_nobody(algorithm: str) -> None:
    assert MATCHERS[algorithm]([]) == []


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_ties_go_to_the_earlier_driver(algorithm: str) -> None:
    assert MATCHERS[algorithm]([(0, 7, 1.0), (0, 3, 1.0), (0, 9, 1.0)]) == [(0, 3)]


@settings(max_examples=300, deadline=None)
@given(batches, st.sampled_from(ALGORITHMS))
def test_a_riders_best_options_are_all_a_batch_needs(
    candidates: list[Candidate], algorithm: str
) -> None:
    # Given each rider's options cut to as many as the batch has riders (what the engine does)
    riders = sorted({rider for rider, _, _ in candidates})
    pruned = [
        pair
        for rider in riders
        for pair in best_options([c for c in candidates if c[0] == rider], len(riders), algorithm)
    ]
    full, cut = MATCHERS[algorithm](candidates), MATCHERS[algorithm](pruned)
    # Then the batch serves as many riders, at the same total cost (the same pairs when the
    # algorithm goes rider by rider)
    cost = {(r, d): c for r, d, c in candidates}
    assert len(cut) == len(full)
    assert sum(cost[p] for p in cut) == pytest.approx(sum(cost[p] for p in full), abs=1e-9)
    if algorithm != "hungarian":
        assert cut == full
