"""What a sweep costs in compute time, estimated before it runs (docs/contract.md §4).

One model, used by ``ridesweep plan`` and the 202 answer (how long the run takes, whether a shard
outgrows one worker invocation) and by the worker (how long its next point will probably take).

A simulation's time grows with its riders, its drivers, the trips they make and the simulated
minutes; every other parameter moves it by far less. ``simulation_seconds`` is a fit of
single-core CPU seconds measured on the reference machine (bench/bench_cost_model.py prints the
measured and estimated times side by side) over markets from 100 riders and 20 drivers to the
large scenario of 10,000 riders and 7,000 drivers: its estimates are within a factor of about 1.6
of the measurements. A worker scales it by what it observes on its own machine, so there only the
relative cost of two points must be right.

Estimates of ranges of points cost the same for 10^2 or 10^6 points: a point's cost depends only
on the few swept parameters the model reads, so the model is evaluated once per combination of
their values, and the cost of any contiguous range of points is read from cumulative sums over
that grid (``SpaceCost.range_seconds``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.parameters import PARAMETERS, Scalar
from domain.planning import ParameterSpace, ShardRange, SweepPlan, planned_shard_count, shard_ranges

COST_PARAMETERS: tuple[str, ...] = (
    "num_drivers",
    "num_riders",
    "request_window_minutes",
    "simulation_minutes",
)
"""The parameters ``simulation_seconds`` reads (sorted)."""

# Seconds per unit of each term of the fit (see the module docstring).
_FIXED = 2.0e-3
_PER_RIDER = 5.04e-6
_PER_DRIVER_HOUR = 6.2e-7  # per driver and simulated hour
_PER_TRIP = 4.54e-5
_PER_RIDER_ROOT_DRIVER = 5.89e-7  # riders × √drivers: a rider's quote and batch look at drivers
_CONVERTING_SHARE = 0.85  # riders who take a trip when drivers are plenty
_TRIPS_PER_DRIVER = 1.6  # ... and a driver's trips: this many plus one per hour of requests

GRID_LIMIT = 50_000
"""Most combinations of swept cost parameters evaluated one by one; a larger space is estimated
from each cost parameter's dearest value (an upper bound)."""

CONTINUATION_HEADROOM = 0.7
"""Share of a worker invocation a shard may be estimated to use before it is expected to need
continuations: the rest covers writing results, the estimate's error and a slower machine."""


def simulation_seconds(values: Mapping[str, Scalar]) -> float:
    """Estimated single-core seconds of one simulation; absent parameters take their defaults."""
    riders = float(_value(values, "num_riders"))
    drivers = float(_value(values, "num_drivers"))
    simulated_hours = float(_value(values, "simulation_minutes")) / 60.0
    trips = expected_trips(values)
    return (
        _FIXED
        + _PER_RIDER * riders
        + _PER_DRIVER_HOUR * drivers * simulated_hours
        + _PER_TRIP * trips
        + _PER_RIDER_ROOT_DRIVER * riders * math.sqrt(drivers)
    )


def expected_trips(values: Mapping[str, Scalar]) -> float:
    """Trips one simulation is expected to complete: most riders when drivers are plenty, else
    what the drivers can carry over the request window (also sizes its trip records)."""
    riders = float(_value(values, "num_riders"))
    drivers = float(_value(values, "num_drivers"))
    window_hours = float(_value(values, "request_window_minutes")) / 60.0
    return min(_CONVERTING_SHARE * riders, drivers * (_TRIPS_PER_DRIVER + window_hours))


def _value(values: Mapping[str, Scalar], name: str) -> Scalar:
    value = values.get(name)
    return PARAMETERS[name].default if value is None else value


PointMeasure = Callable[[Mapping[str, Scalar]], float]
"""A per-point figure that depends only on ``COST_PARAMETERS`` and grows with each of them."""


class SpaceCost:
    """Estimated seconds of one simulation (one replicate) of any point or range of a space; with
    ``per_point``, the sum of another figure of the same parameters (the bytes a point writes)."""

    def __init__(self, space: ParameterSpace, per_point: PointMeasure = simulation_seconds) -> None:
        names = space.names
        self._lengths = [len(space.dimensions[name]) for name in names]
        self._strides = [math.prod(self._lengths[j + 1 :]) for j in range(len(names))]
        self._total_points = space.total_points
        fixed = {n: v for n, v in space.base_parameters.items() if n in COST_PARAMETERS}
        swept = [name for name in names if name in COST_PARAMETERS]
        self.exact = math.prod(len(space.dimensions[name]) for name in swept) <= GRID_LIMIT
        if not self.exact:
            # Every swept cost parameter at its dearest value: the model grows with each of them.
            fixed.update({name: max(space.dimensions[name]) for name in swept})
            swept = []
        self._relevant = [name in swept for name in names]
        self._swept = swept
        self._values = [space.dimensions[name] for name in swept]
        # Row-major over the swept cost parameters, the last varying fastest, as points do.
        cells = [
            per_point({**fixed, **dict(zip(swept, combo, strict=True))})
            for combo in itertools.product(*self._values)
        ]
        self._cumulative = list(itertools.accumulate(cells, initial=0.0))
        self._blocks = [math.prod(len(v) for v in self._values[t:]) for t in range(len(swept) + 1)]
        free = [1 if rel else n for n, rel in zip(self._lengths, self._relevant, strict=True)]
        self._irrelevant_inner = [math.prod(free[j + 1 :]) for j in range(len(names))]
        self.max_point_seconds = max(cells)
        self.total_seconds = self._before(self._total_points)

    def range_seconds(self, start: int, end: int) -> float:
        """Estimated seconds of one replicate of every point of ``[start, end)``."""
        if not 0 <= start <= end <= self._total_points:
            raise IndexError(f"range [{start}, {end}) outside [0, {self._total_points}]")
        return max(0.0, self._before(end) - self._before(start))

    def point_seconds(self, index: int) -> float:
        return self.range_seconds(index, index + 1)

    def _before(self, n: int) -> float:
        """Seconds of the points ``[0, n)``: whole blocks of points, outermost dimension first.

        At dimension j, the points before ``n`` that share its outer digits and have a smaller
        digit at j form one block whose inner dimensions are complete; its cost is the cells of
        the swept cost parameters' grid it covers times the inner dimensions that cost nothing.
        """
        if not self._lengths:
            return 0.0
        total = 0.0
        offset = 0  # the grid cell where the current prefix of swept cost values starts
        depth = 0  # how many swept cost parameters the prefix fixes
        for j, length in enumerate(self._lengths):
            digit = n // self._strides[j] if j == 0 else (n // self._strides[j]) % length
            inner = self._irrelevant_inner[j]
            if self._relevant[j]:
                block = self._blocks[depth + 1]
                total += inner * (self._cumulative[offset + digit * block] - self._cumulative[offset])
                offset += digit * block
                depth += 1
            else:
                span = self._cumulative[offset + self._blocks[depth]] - self._cumulative[offset]
                total += digit * inner * span
            if j == 0 and digit == length:  # n is the whole space
                break
        return total


@dataclass(frozen=True, slots=True)
class PlanEstimate:
    """Estimated single-core compute time of a plan (every replicate of every point)."""

    total_seconds: float
    shard_seconds: tuple[float, ...]
    longest_point_seconds: float
    """The dearest point with all its replicates: a shard never splits a point."""
    exact: bool
    """False when the space is too varied to sum point by point: the figures are upper bounds."""

    @property
    def longest_shard_seconds(self) -> float:
        return max(self.shard_seconds, default=0.0)


def estimate_plan(plan: SweepPlan) -> PlanEstimate:
    cost = SpaceCost(plan.space)
    return _estimate(cost, plan.shards, plan.replicates)


def _estimate(cost: SpaceCost, shards: Sequence[ShardRange], replicates: int) -> PlanEstimate:
    return PlanEstimate(
        total_seconds=cost.total_seconds * replicates,
        shard_seconds=tuple(
            cost.range_seconds(s.start_index, s.end_index_exclusive) * replicates for s in shards
        ),
        longest_point_seconds=cost.max_point_seconds * replicates,
        exact=cost.exact,
    )


@dataclass(frozen=True, slots=True)
class ContinuationAdvice:
    """Shards estimated to outgrow one worker invocation, and how to plan them so none would."""

    shards_over: int
    longest_shard_seconds: float
    invocation_seconds: float
    suggested_shard_size: int | None
    """A ``shard_size`` (close to the largest) whose every shard is estimated to fit, within
    ``max_shards``; ``None`` when none fits (a point alone is too long, or too many shards)."""
    point_too_long: bool
    """One point (all its replicates) is estimated to take longer than an invocation: a shard
    never splits a point, so no shard size helps."""

    def as_warning(self) -> dict[str, Any]:
        """The warning as the 202 answer and ``ridesweep plan`` give it (docs/contract.md §1)."""
        return {
            "code": "shards_need_continuations",
            "message": self.message(),
            "shards": self.shards_over,
            "longest_shard_seconds": round(self.longest_shard_seconds, 1),
            "invocation_seconds": round(self.invocation_seconds, 1),
            "suggested_shard_size": self.suggested_shard_size,
        }

    def message(self) -> str:
        one = self.shards_over == 1
        text = (
            f"{'1 shard is' if one else f'{self.shards_over:,} shards are'} estimated to run longer "
            f"than a worker invocation should (the longest about "
            f"{_duration(self.longest_shard_seconds)}; an invocation has "
            f"{_duration(self.invocation_seconds)}, of which {CONTINUATION_HEADROOM:.0%} is planned "
            f"for): {'it' if one else 'they'} will finish in several parts, by continuation "
            "messages (docs/contract.md §4)"
        )
        if self.point_too_long:
            return (
                f"{text}; but one point with all its replicates is estimated to take longer than "
                "that alone, and no shard size can split a point: lower replicates or the market "
                "sizes, or raise the worker timeout"
            )
        if self.suggested_shard_size is not None:
            return f"{text}; \"shard_size\": {self.suggested_shard_size} would need none"
        return f"{text}; no shard_size within max_shards avoids them: raise max_shards or the worker timeout"


def continuation_advice(
    plan: SweepPlan, invocation_seconds: float, estimate: PlanEstimate | None = None
) -> ContinuationAdvice | None:
    """``None`` when every shard is estimated to fit in ``invocation_seconds`` (with headroom)."""
    estimate = estimate or estimate_plan(plan)
    budget = invocation_seconds * CONTINUATION_HEADROOM
    over = sum(1 for seconds in estimate.shard_seconds if seconds > budget)
    if over == 0:
        return None
    point_too_long = estimate.longest_point_seconds > budget
    return ContinuationAdvice(
        shards_over=over,
        longest_shard_seconds=estimate.longest_shard_seconds,
        invocation_seconds=invocation_seconds,
        suggested_shard_size=None if point_too_long else _fitting_shard_size(plan, estimate, budget),
        point_too_long=point_too_long,
    )


def _fitting_shard_size(plan: SweepPlan, estimate: PlanEstimate, budget: float) -> int | None:
    """A shard size whose shards all fit ``budget``, by bisection between a size that surely fits
    (the dearest point's cost) and one that cannot (the average cost). Shards of a size are cut
    evenly, so fitting is not quite monotone in the size: the result fits, and is near the largest."""
    cost = SpaceCost(plan.space)
    total = plan.total_points
    replicates = plan.replicates

    def fits(size: int) -> bool:
        count = planned_shard_count(total, None, size)
        if count > plan.request.max_shards:
            return False
        shards = shard_ranges(total, count)
        return max(_estimate(cost, shards, replicates).shard_seconds) <= budget

    low = max(1, int(budget // estimate.longest_point_seconds))
    if not fits(low):
        return None
    average = estimate.total_seconds / total
    high = max(low, int(budget // average) + 1)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
