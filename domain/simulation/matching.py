"""Batch matching of waiting riders to idle drivers.

Input is the list of feasible candidate pairs (rider id, driver id, cost), the cost of a pair
being pickup_km − idle_time_weight × the driver's idle hours (it may be negative). Ids grow in
arrival order, so sorting by id is sorting by arrival. Every algorithm returns pairs sorted by
rider id, each rider and each driver at most once: a driver is offered to one rider per batch at
most.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from operator import itemgetter

import numpy as np
from scipy.optimize import linear_sum_assignment

Candidate = tuple[int, int, float]
Assignment = tuple[int, int]


def match_simple(candidates: Iterable[Candidate]) -> list[Assignment]:
    """Riders in arrival order each take the first free feasible driver in arrival order."""
    taken: set[int] = set()
    assignments: list[Assignment] = []
    for rider, options in sorted(_options_by_rider(candidates).items()):
        for driver in sorted(driver for driver, _ in options):
            if driver not in taken:
                taken.add(driver)
                assignments.append((rider, driver))
                break
    return assignments


def match_cost_based(candidates: Iterable[Candidate]) -> list[Assignment]:
    """Riders in arrival order each take the best-scoring driver still free."""
    taken: set[int] = set()
    assignments: list[Assignment] = []
    for rider, options in sorted(_options_by_rider(candidates).items()):
        free = [(cost, driver) for driver, cost in options if driver not in taken]
        if free:
            driver = min(free)[1]
            taken.add(driver)
            assignments.append((rider, driver))
    return assignments


def match_hungarian(candidates: Iterable[Candidate]) -> list[Assignment]:
    """The most feasible pairs the batch allows, at the least total cost among those.

    Riders and drivers fall into independent groups (connected through feasible pairs); each group
    is solved on its own. A group with a single rider or a single driver is solved by taking its
    cheapest pair; larger groups go to scipy's linear_sum_assignment on their small dense matrix,
    where infeasible cells cost more than any set of feasible pairs could, so a solution with more
    feasible pairs always wins.
    """
    pairs = list(candidates)
    if len(pairs) == 1:
        rider, driver, _ = pairs[0]
        return [(rider, driver)]
    drivers = {driver for _, driver, _ in pairs}
    if len(drivers) == len(pairs):
        # No driver is shared between riders: each rider simply takes its cheapest driver.
        return [
            (rider, min((cost, driver) for driver, cost in options)[1])
            for rider, options in sorted(_options_by_rider(pairs).items())
        ]
    riders = {rider for rider, _, _ in pairs}
    if len(riders) <= 1 or len(drivers) <= 1:
        return _solve_one_sided(pairs, riders, drivers)
    assignments: list[Assignment] = []
    for group in _connected_groups(pairs):
        riders = {rider for rider, _, _ in group}
        drivers = {driver for _, driver, _ in group}
        if len(riders) == 1 or len(drivers) == 1:
            assignments.extend(_solve_one_sided(group, riders, drivers))
        else:
            assignments.extend(_solve_dense(group, sorted(riders), sorted(drivers)))
    assignments.sort()
    return assignments


def _solve_one_sided(
    group: list[Candidate], riders: set[int], drivers: set[int]
) -> list[Assignment]:
    """A group with one rider (or one driver): its cheapest pair, ties to the earlier arrival."""
    if not group:
        return []
    if len(riders) == 1:
        _, driver = min((cost, driver) for _, driver, cost in group)
        return [(group[0][0], driver)]
    _, rider = min((cost, rider) for rider, _, cost in group)
    return [(rider, group[0][1])]


def _solve_dense(
    group: list[Candidate], riders: list[int], drivers: list[int]
) -> list[Assignment]:
    row = {rider: i for i, rider in enumerate(riders)}
    column = {driver: j for j, driver in enumerate(drivers)}
    # Costs shifted to start at 0 (the same shift for every pair keeps the order of matchings of
    # equal size), so an infeasible cell costs more than any set of feasible pairs could.
    lowest = min(cost for _, _, cost in group)
    shift = -lowest if lowest < 0.0 else 0.0
    largest = max(cost for _, _, cost in group) + shift
    infeasible = min(len(riders), len(drivers)) * (largest + 1.0) + 1.0
    costs = np.full((len(riders), len(drivers)), infeasible)
    for rider, driver, cost in group:
        costs[row[rider], column[driver]] = cost + shift
    rows, columns = linear_sum_assignment(costs)
    return [
        (riders[i], drivers[j])
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True)
        if costs[i, j] < infeasible
    ]


def best_options(
    options: list[Candidate], riders_in_batch: int, algorithm: str
) -> list[Candidate]:
    """The options of one rider that any algorithm could still pick in a batch of at most
    ``riders_in_batch`` riders: the other riders take at most that many minus one drivers, so
    the rider's choice (the first free driver by arrival for ``simple``, the cheapest free one for
    ``cost_based``, and some optimal assignment for ``hungarian``) is always among its
    ``riders_in_batch`` best. A dense market offers each rider dozens of drivers in reach; the
    batch never needs more than this.
    """
    if len(options) <= riders_in_batch:
        return options
    key = _BY_ARRIVAL if algorithm == "simple" else _BY_COST
    return heapq.nsmallest(riders_in_batch, options, key=key)


_BY_ARRIVAL = itemgetter(1)
_BY_COST = itemgetter(2, 1)


def _options_by_rider(candidates: Iterable[Candidate]) -> dict[int, list[tuple[int, float]]]:
    options: dict[int, list[tuple[int, float]]] = {}
    for rider, driver, cost in candidates:
        options.setdefault(rider, []).append((driver, cost))
    return options


def _connected_groups(pairs: list[Candidate]) -> list[list[Candidate]]:
    """Candidates split by connected component of the rider–driver graph, in first-seen order."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for rider, driver, _ in pairs:
        a = parent.setdefault(rider, rider)
        b = parent.setdefault(~driver, ~driver)
        a, b = root(a), root(b)
        if a != b:
            parent[b] = a
    groups: dict[int, list[Candidate]] = {}
    for pair in pairs:
        groups.setdefault(root(pair[0]), []).append(pair)
    return list(groups.values())


def with_disjoint_shortcut(
    matcher: Callable[[list[Candidate]], list[Assignment]],
) -> Callable[[list[Candidate]], list[Assignment]]:
    """When no rider and no driver appears in two candidates, every algorithm takes them all."""

    def match(candidates: list[Candidate]) -> list[Assignment]:
        if len(candidates) == 1:
            rider, driver, _ = candidates[0]
            return [(rider, driver)]
        riders = {rider for rider, _, _ in candidates}
        if len(riders) == len(candidates):
            drivers = {driver for _, driver, _ in candidates}
            if len(drivers) == len(candidates):
                return sorted((rider, driver) for rider, driver, _ in candidates)
        return matcher(candidates)

    return match


MATCHERS: dict[str, Callable[[list[Candidate]], list[Assignment]]] = {
    "simple": with_disjoint_shortcut(match_simple),
    "cost_based": with_disjoint_shortcut(match_cost_based),
    "hungarian": match_hungarian,  # its own shortcut covers disjoint batches
}
