"""What a worker invocation may still spend, and whether the next point fits in it (docs/contract.md §4).

A shard part stops before a point that would probably not finish in time, or would take the
process past its memory budget, so that it can write what it finished and send a continuation
instead of being killed with nothing written. The time a point will take is the cost model's
estimate (domain/cost_model.py) scaled by the slowest ratio of observed to estimated time seen in
this invocation, with a safety factor; time comes from the clock port, so tests drive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ports.clock import Clock
from ports.memory_gauge import MemoryGauge

StopReason = Literal["deadline", "memory"]

NEXT_POINT_SAFETY = 1.5
"""A point is started only if this many times its estimated time still fits."""
FINISH_SECONDS = 1.0
"""Kept for the end of a part: the last writes and the continuation message."""
WRITE_BYTES_PER_SECOND = 25 * 2**20
"""Assumed speed of encoding and storing the tables a ``per_shard`` part holds in memory."""
MEMORY_HEADROOM = 0.9
"""Share of the memory budget a part may plan to reach (the rest absorbs the estimate's error)."""
FINISH_MEMORY_FACTOR = 2.0
"""Extra memory a ``per_shard`` part needs to write what it holds (a concatenated copy, then the
Parquet bytes), as a multiple of the tables' size."""


@dataclass(frozen=True, slots=True)
class WorkLimits:
    """The limits of one worker invocation; ``None`` is no limit."""

    deadline: datetime | None = None
    """When the invocation ends (on Lambda: when it started plus the time it was given)."""
    part_seconds: float | None = None
    """The longest one shard message may run (``SHARD_DEADLINE_SECONDS``)."""
    memory_bytes: int | None = None
    """The resident memory the process may reach (the Lambda's memory, or ``WORKER_MEMORY_MB``)."""


NO_LIMITS = WorkLimits()


def worker_limits(
    clock: Clock,
    *,
    remaining_ms: int | None = None,
    part_seconds: float | None = None,
    memory_mb: int | None = None,
    memory_mb_setting: int | None = None,
) -> WorkLimits:
    """An invocation's limits from what the runtime says (the Lambda context's remaining time and
    memory) and the settings; the lower memory figure wins."""
    deadline = clock.now() + timedelta(milliseconds=remaining_ms) if remaining_ms is not None else None
    budgets = [mb for mb in (memory_mb, memory_mb_setting) if mb is not None and mb > 0]
    return WorkLimits(
        deadline=deadline,
        part_seconds=part_seconds,
        memory_bytes=min(budgets) * 2**20 if budgets else None,
    )


class WorkBudget:
    """One invocation's budget, shared by the shard messages it runs: what it learns about this
    machine's speed carries from one message to the next."""

    def __init__(self, limits: WorkLimits, clock: Clock, memory: MemoryGauge | None = None) -> None:
        self.limits = limits
        self._clock = clock
        self._memory = memory if limits.memory_bytes is not None else None
        self.seconds_per_estimated_second = 0.0
        """The slowest ratio of a point's observed time to the cost model's estimate so far."""
        self.points_observed = 0

    def part(self) -> PartBudget:
        """The budget of a shard message starting now."""
        now = self._clock.now()
        deadline = self.limits.deadline
        shared = deadline is not None
        if self.limits.part_seconds is not None:
            own = now + timedelta(seconds=self.limits.part_seconds)
            if deadline is None or own <= deadline:
                deadline, shared = own, False
        return PartBudget(self, deadline, shared=shared)

    def _observe(self, estimated_seconds: float, seconds: float) -> None:
        if estimated_seconds > 0:
            ratio = seconds / estimated_seconds
            self.seconds_per_estimated_second = max(self.seconds_per_estimated_second, ratio)
        self.points_observed += 1


class PartBudget:
    """The budget of one shard message: asked before each point whether to start it."""

    def __init__(self, invocation: WorkBudget, deadline: datetime | None, *, shared: bool) -> None:
        self._invocation = invocation
        self._clock = invocation._clock
        self._memory = invocation._memory
        self.deadline = deadline
        self._shared = shared
        """The deadline is the invocation's, which messages before this one may have used up."""
        self._started: datetime | None = None
        self._estimate = 0.0
        self._resident_before: int | None = None
        self._growth_per_point = 0

    def stop_before(self, estimated_seconds: float, *, done: int, held_bytes: int) -> StopReason | None:
        """Why not to start a point the cost model puts at ``estimated_seconds`` (all its
        replicates), when the part has done ``done`` points and holds ``held_bytes`` of tables to
        write at its end; ``None``: start it (and time it until ``point_done``).

        A part's first point always starts unless the invocation's own deadline, used up by the
        messages before it, leaves too little: so every message makes progress, and one that
        finds the invocation spent is handed back without work.
        """
        now = self._clock.now()
        if (done > 0 or self._shared) and self._out_of_time(now, estimated_seconds, held_bytes):
            return "deadline"
        resident = self._measure_growth()
        if done > 0 and self._out_of_memory(resident, held_bytes):
            return "memory"
        self._started, self._estimate = now, estimated_seconds
        return None

    def unbounded(self) -> PartBudget:
        """A budget that never stops a part: for a replay that must redo a claimed range whole."""
        return WorkBudget(NO_LIMITS, self._clock).part()

    def point_done(self) -> None:
        if self._started is None:
            return
        seconds = (self._clock.now() - self._started).total_seconds()
        self._invocation._observe(self._estimate, seconds)
        self._started = None

    def _measure_growth(self) -> int:
        """The resident memory now; the growth since the last reading (one point) is remembered,
        so one reading per point serves both."""
        if self._memory is None:
            return 0
        resident = self._memory.resident_bytes()
        if self._resident_before is not None:
            self._growth_per_point = max(self._growth_per_point, resident - self._resident_before)
        self._resident_before = resident
        return resident

    def _out_of_time(self, now: datetime, estimated_seconds: float, held_bytes: int) -> bool:
        if self.deadline is None or self._invocation.points_observed == 0:
            return False
        expected = (
            self._invocation.seconds_per_estimated_second * estimated_seconds * NEXT_POINT_SAFETY
            + FINISH_SECONDS
            + held_bytes / WRITE_BYTES_PER_SECOND
        )
        return now + timedelta(seconds=expected) > self.deadline

    def _out_of_memory(self, resident: int, held_bytes: int) -> bool:
        limit = self._invocation.limits.memory_bytes
        if limit is None or self._memory is None:
            return False
        expected = resident + self._growth_per_point + FINISH_MEMORY_FACTOR * held_bytes
        return expected > limit * MEMORY_HEADROOM
