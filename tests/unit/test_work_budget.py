"""A worker's budget (docs/contract.md §4): when a part stops before its next point."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.memory_gauge import FixedMemoryGauge
from application.work_budget import (
    FINISH_SECONDS,
    NEXT_POINT_SAFETY,
    NO_LIMITS,
    PartBudget,
    WorkBudget,
    WorkLimits,
    worker_limits,
)


def run_point(part: PartBudget, clock: FixedClock, seconds: float, estimate: float = 0.01) -> None:
    assert part.stop_before(estimate, done=0, held_bytes=0) is None
    clock.advance(timedelta(seconds=seconds))
    part.point_done()


def test_without_limits_a_part_never_stops() -> None:
    clock = FixedClock()
    part = WorkBudget(NO_LIMITS, clock).part()
    for done in range(50):
        assert part.stop_before(1.0, done=done, held_bytes=10**12) is None
        clock.advance(timedelta(hours=1))
        part.point_done()


def test_a_point_starts_only_if_its_scaled_estimate_and_the_finish_still_fit() -> None:
    clock = FixedClock()
    part = WorkBudget(WorkLimits(part_seconds=10), clock).part()
    run_point(part, clock, seconds=2.0, estimate=0.01)  # this machine: 200 s per estimated second
    needed = 2.0 * NEXT_POINT_SAFETY + FINISH_SECONDS  # 4 s for a point like the first
    clock.advance(timedelta(seconds=10 - 2 - needed))  # exactly enough left
    assert part.stop_before(0.01, done=1, held_bytes=0) is None
    clock.advance(timedelta(milliseconds=1))
    assert part.stop_before(0.01, done=1, held_bytes=0) == "deadline"
    assert part.stop_before(0.001, done=1, held_bytes=0) is None  # a point ten times cheaper fits


def test_the_tables_a_part_holds_count_against_its_time() -> None:
    clock = FixedClock()
    part = WorkBudget(WorkLimits(part_seconds=10), clock).part()
    run_point(part, clock, seconds=1.0)
    assert part.stop_before(0.01, done=1, held_bytes=0) is None
    assert part.stop_before(0.01, done=1, held_bytes=200 * 2**20) == "deadline"  # 8 s to write


def test_the_first_point_of_a_part_always_starts_when_the_part_has_its_own_time() -> None:
    clock = FixedClock()
    budget = WorkBudget(WorkLimits(part_seconds=0.001), clock)
    for _ in range(3):
        part = budget.part()
        assert part.stop_before(100.0, done=0, held_bytes=0) is None
        clock.advance(timedelta(seconds=5))
        part.point_done()


def test_a_later_message_of_a_spent_invocation_does_not_start() -> None:
    clock = FixedClock()
    budget = WorkBudget(WorkLimits(deadline=clock.now() + timedelta(seconds=10)), clock)
    first = budget.part()
    run_point(first, clock, seconds=8.0)

    second = budget.part()

    assert second.stop_before(0.01, done=0, held_bytes=0) == "deadline"


def test_the_first_message_of_an_invocation_starts_whatever_is_left() -> None:
    clock = FixedClock()
    budget = WorkBudget(WorkLimits(deadline=clock.now() + timedelta(milliseconds=1)), clock)
    assert budget.part().stop_before(1000.0, done=0, held_bytes=0) is None


def test_a_part_stops_before_memory_would_pass_ninety_percent_of_its_budget() -> None:
    clock, gauge = FixedClock(), FixedMemoryGauge(resident_bytes=500 * 2**20)
    part = WorkBudget(WorkLimits(memory_bytes=1000 * 2**20), clock, gauge).part()
    assert part.stop_before(0.01, done=0, held_bytes=0) is None
    gauge.resident += 100 * 2**20  # the point took 100 MiB
    part.point_done()
    assert part.stop_before(0.01, done=1, held_bytes=0) is None  # 600 + 100 ≤ 900
    assert part.stop_before(0.01, done=1, held_bytes=120 * 2**20) == "memory"  # + 2 × 120 held
    gauge.resident = 850 * 2**20
    assert part.stop_before(0.01, done=1, held_bytes=0) == "memory"


def test_invocation_limits_take_the_lower_memory_and_the_remaining_time() -> None:
    clock = FixedClock()
    limits = worker_limits(clock, remaining_ms=4000, part_seconds=2.5, memory_mb=2048, memory_mb_setting=512)
    assert limits.deadline == clock.now() + timedelta(seconds=4)
    assert (limits.part_seconds, limits.memory_bytes) == (2.5, 512 * 2**20)
    assert worker_limits(clock) == NO_LIMITS
    part = WorkBudget(limits, clock).part()
    assert part.deadline == clock.now() + timedelta(seconds=2.5)  # the earlier of the two
