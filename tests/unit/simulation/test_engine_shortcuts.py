"""The engine's shortcuts answer as a scan over every rider and driver would, at every step.

A checking engine recomputes, by brute force, what each shortcut decides: the feasible pairs of
waiting riders and repositioning drivers at every batch (whether or not the batch looked at them),
and whether some available driver is within a quoting rider's reach (whenever the rider weighs the
ETA at all). Markets are chosen to reach every path: few and many drivers on the move, long and
short legs, idle-time credit, surge prices that turn riders away.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from domain.parameters import SimulationParameters
from domain.simulation.engine import FEW_MOVING, MarketEngine, leg_passes_near
from domain.simulation.events import SUBJECT_BITS
from domain.simulation.matching import Assignment, Candidate
from domain.simulation.random_streams import RandomStreams
from tests.unit.simulation.markets import small_market


class CheckedEngine(MarketEngine):
    """A market engine that checks its shortcuts against brute force as it runs."""

    def __init__(self, params: SimulationParameters, seed: int) -> None:
        super().__init__(params, RandomStreams.for_point(seed))
        self.checked = {"batches with moving pairs": 0, "quotes in reach": 0, "quotes out": 0,
                        "riders noted through leg cells": 0}
        self.batch_pairs: list[Candidate] = []
        matcher = self.match

        def recording(candidates: list[Candidate]) -> list[Assignment]:
            self.batch_pairs = list(candidates)
            return matcher(candidates)

        self.match = recording

    def position(self, driver: int, now: int) -> tuple[float, float]:
        x, y, started, to_x, to_y, duration = self.moving[driver]
        share = (now - started) / duration
        return x + (to_x - x) * share, y + (to_y - y) * share

    def _on_batch_match(self, _: int, now: int) -> None:
        radius = self.params.match_radius_km
        weight = self.params.idle_time_weight / 3_600_000
        expected = set()
        for driver in self.moving:
            at_x, at_y = self.position(driver, now)
            credit = weight * (self.idle_ms[driver] + now - self.idle_since_ms[driver])
            for rider in self.waiting.members:
                dx = self.riders.x[rider] - at_x
                dy = self.riders.y[rider] - at_y
                squared = dx * dx + dy * dy
                if squared <= radius * radius and rider << SUBJECT_BITS | driver not in self.declined:
                    expected.add((rider, driver, math.sqrt(squared) - credit))
        on_the_move = set(self.moving)
        self.batch_pairs = []
        super()._on_batch_match(_, now)
        found = {pair for pair in self.batch_pairs if pair[1] in on_the_move}
        assert found == expected, f"moving pairs at {now} ms"
        self.checked["batches with moving pairs"] += bool(expected)

    def _note_legs_near_rider(self, rider: int) -> None:
        self.checked["riders noted through leg cells"] += len(self.moving) > FEW_MOVING
        super()._note_legs_near_rider(rider)

    def _on_quote(self, rider: int, now: int) -> None:
        super()._on_quote(rider, now)
        if self.quoted_fare[rider] > self.riders.value[rider]:
            return  # the price turns the rider away: the ETA is never weighed
        reach = self.riders.eta_reach_km[rider] * self.traffic[now // 3_600_000]
        x, y = self.riders.x[rider], self.riders.y[rider]
        positions = [(self.driver_x[d], self.driver_y[d]) for d in self.idle.members]
        positions += [self.position(driver, now) for driver in self.moving]
        in_reach = any((px - x) ** 2 + (py - y) ** 2 <= reach * reach for px, py in positions)
        assert self.quote_eta_acceptable[rider] == in_reach, f"rider {rider} at {now} ms"
        self.checked["quotes in reach" if in_reach else "quotes out"] += 1


MARKETS: dict[str, dict[str, Any]] = {
    "shortage, few on the move": {"num_drivers": 30},
    "many on the move": {"num_riders": 800, "num_drivers": 200, "city_width_km": 20.0,
                         "city_height_km": 16.0, "surge_zone_km": 1.0, "match_radius_km": 0.5,
                         "reposition_after_seconds": 0},
    "long legs, narrow radius": {"num_drivers": 60, "reposition_max_km": 8.0,
                                 "match_radius_km": 0.8, "reposition_after_seconds": 30},
    "short legs, idle credit": {"num_drivers": 60, "reposition_max_km": 0.4,
                                "idle_time_weight": 5.0, "matching_algorithm": "cost_based"},
    "surge turns riders away": {"num_drivers": 25, "surge_enabled": True,
                                "surge_sensitivity": 3.0, "rider_value_base": 4.0},
}


@pytest.mark.parametrize("name", MARKETS)
@pytest.mark.parametrize("seed", [3, 8])
def test_batches_and_quotes_see_what_a_scan_of_every_driver_sees(name: str, seed: int) -> None:
    # Given a market whose batches and quotes are checked against brute force
    engine = CheckedEngine(small_market(**{"num_riders": 300, **MARKETS[name]}), seed)
    # When it runs, every batch and quote agrees with the scan (asserted as it goes)
    engine.run()
    # Then the checks did meet drivers on the move in reach, and quotes both ways
    assert engine.checked["batches with moving pairs"] > 0
    assert engine.checked["quotes in reach"] > 0
    assert engine.checked["quotes out"] > 0


def test_many_on_the_move_are_found_through_the_cells_their_legs_cover() -> None:
    # Given more legs under way than are checked one by one, in a checked engine
    engine = CheckedEngine(small_market(**MARKETS["many on the move"]), 3)
    # When it runs, riders starting to wait find the legs near them through the cells (and every
    # batch still sees the pairs a scan of every driver sees: asserted as it goes)
    engine.run()
    # Then that path was taken, and met drivers on the move in reach
    assert engine.checked["riders noted through leg cells"] > 0
    assert engine.checked["batches with moving pairs"] > 0


@pytest.mark.parametrize("seed", range(5))
def test_a_leg_passes_near_a_point_as_a_fine_walk_along_it_finds(seed: int) -> None:
    # Random legs (a few of no length) and points; the walk's steps bound its error
    rng = random.Random(seed)
    for _ in range(400):
        from_x, from_y = rng.uniform(0, 10), rng.uniform(0, 10)
        to_x, to_y = (from_x, from_y) if rng.random() < 0.05 else (rng.uniform(0, 10), rng.uniform(0, 10))
        x, y, reach = rng.uniform(-2, 12), rng.uniform(-2, 12), rng.uniform(0.1, 4)
        steps = 20_000
        walk = min(
            math.hypot(from_x + (to_x - from_x) * i / steps - x, from_y + (to_y - from_y) * i / steps - y)
            for i in range(steps + 1)
        )
        spacing = math.hypot(to_x - from_x, to_y - from_y) / steps
        answer = leg_passes_near((from_x, from_y, 0, to_x, to_y, 1), x, y, reach)
        if walk <= reach:
            assert answer
        elif walk - spacing > reach:
            assert not answer


def test_a_checked_run_gives_the_same_output_as_a_plain_one() -> None:
    params = small_market(num_drivers=60, reposition_after_seconds=0)
    checked = CheckedEngine(params, 5)
    checked.run()
    plain = MarketEngine(params, RandomStreams.for_point(5))
    plain.run()
    assert checked.output().metrics == plain.output().metrics
