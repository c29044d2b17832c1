"""The parameter space, the shard plan and the shard messages of a sweep (docs/contract.md §2, §3).

The space is decoded point by point with a mixed radix, so planning costs the same for 10^4 or
10^6 points. Shards cut points, never a point's replicates: a shard runs every replicate of each
of its points, so a point's replicates land in one object and share its encoding.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from domain.contract import (
    MAX_MESSAGE_BYTES,
    SCHEMA_VERSION,
    Limits,
    NormalisedRequest,
    ShardMessage,
)
from domain.errors import ErrorDetail, RequestValidationError
from domain.fingerprints import config_fingerprint, request_fingerprint
from domain.parameters import PARAMETERS, Scalar, SimulationParameters
from domain.simulation import SIMULATION_MODEL


@dataclass(frozen=True, slots=True)
class ParameterSpace:
    """The cartesian product of the dimensions, names sorted, the last name varying fastest."""

    dimensions: Mapping[str, tuple[Scalar, ...]]
    base_parameters: Mapping[str, Scalar]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.dimensions))

    @property
    def total_points(self) -> int:
        return math.prod(len(v) for v in self.dimensions.values())

    def point_at(self, index: int) -> dict[str, Scalar]:
        """The selected dimension values of point ``index`` (names sorted)."""
        if not 0 <= index < self.total_points:
            raise IndexError(f"point index {index} outside [0, {self.total_points})")
        names = self.names
        selected: list[Scalar] = [0] * len(names)
        for position in range(len(names) - 1, -1, -1):
            values = self.dimensions[names[position]]
            index, digit = divmod(index, len(values))
            selected[position] = values[digit]
        return dict(zip(names, selected, strict=True))

    def effective_values(self, index: int) -> dict[str, Scalar]:
        """Every parameter of point ``index``: defaults, then base parameters, then the point."""
        values: dict[str, Scalar] = {name: spec.default for name, spec in PARAMETERS.items()}
        values.update(self.base_parameters)
        values.update(self.point_at(index))
        return values

    def parameters_at(self, index: int) -> SimulationParameters:
        return SimulationParameters.from_values(self.effective_values(index))


@dataclass(frozen=True, slots=True)
class ShardRange:
    shard_id: int
    start_index: int
    end_index_exclusive: int

    @property
    def size(self) -> int:
        return self.end_index_exclusive - self.start_index

    def as_dict(self) -> dict[str, int]:
        return {
            "shard_id": self.shard_id,
            "start_index": self.start_index,
            "end_index_exclusive": self.end_index_exclusive,
        }


def planned_shard_count(total_points: int, shard_count: int | None, shard_size: int | None) -> int:
    if shard_count is not None:
        return min(shard_count, total_points)
    assert shard_size is not None
    return -(-total_points // shard_size)


def shard_ranges(total_points: int, count: int) -> tuple[ShardRange, ...]:
    """Contiguous ranges covering ``[0, total)``; the first ``total % count`` hold one more."""
    base, extra = divmod(total_points, count)
    return tuple(
        ShardRange(k, k * base + min(k, extra), (k + 1) * base + min(k + 1, extra))
        for k in range(count)
    )


@dataclass(frozen=True, slots=True)
class SweepPlan:
    request: NormalisedRequest
    space: ParameterSpace
    shards: tuple[ShardRange, ...]
    config_fingerprint: str
    request_fingerprint: str

    @property
    def total_points(self) -> int:
        return self.space.total_points

    @property
    def simulation_model(self) -> int:
        """The model this code simulates: every message of the plan asks for it."""
        return SIMULATION_MODEL

    @property
    def replicates(self) -> int:
        return self.request.replicates

    @property
    def total_simulations(self) -> int:
        return self.total_points * self.request.replicates

    @property
    def shard_count(self) -> int:
        return len(self.shards)

    def shard_message(self, shard: ShardRange, run_date: str) -> ShardMessage:
        req = self.request
        return ShardMessage(
            schema_version=SCHEMA_VERSION,
            run_id=req.run_id,
            run_date=run_date,
            shard_id=shard.shard_id,
            start_index=shard.start_index,
            end_index_exclusive=shard.end_index_exclusive,
            total_points=self.total_points,
            dimensions={k: list(v) for k, v in req.dimensions.items()},
            base_parameters=dict(req.base_parameters),
            seed=req.seed,
            replicates=req.replicates,
            seed_strategy=req.seed_strategy,
            simulation_model=self.simulation_model,
            output_layout=req.output_layout,
            config_fingerprint=self.config_fingerprint,
            inject_failure=shard.shard_id in req.failure_injection_shards,
        )

    def shard_messages(self, run_date: str) -> Iterator[ShardMessage]:
        for shard in self.shards:
            yield self.shard_message(shard, run_date)


def plan_sweep(request: NormalisedRequest, limits: Limits) -> SweepPlan:
    """Plan shards for a validated request; raises ``RequestValidationError`` on plan rules."""
    space = ParameterSpace(request.dimensions, request.base_parameters)
    total = space.total_points
    field = request.shard_strategy
    _check_total_simulations(total, request.replicates, limits)
    count = planned_shard_count(total, request.shard_count, request.shard_size)
    errors: list[ErrorDetail] = []
    if count > request.max_shards:
        errors.append(
            ErrorDetail(
                (field,),
                f"plans {count:,} shards for {total:,} points, more than max_shards "
                f"({request.max_shards:,}); raise {'shard_size' if field == 'shard_size' else 'max_shards'}"
                " or lower the number of shards",
            )
        )
    for i, shard_id in enumerate(request.failure_injection_shards):
        if shard_id >= count:
            errors.append(
                ErrorDetail(
                    ("failure_injection_shards", i),
                    f"shard id {shard_id} does not exist: the plan has {count} shards (0 to {count - 1})",
                )
            )
    if errors:
        raise RequestValidationError(errors)
    plan = SweepPlan(
        request=request,
        space=space,
        shards=shard_ranges(total, count),
        config_fingerprint=config_fingerprint(
            request.dimensions,
            request.base_parameters,
            request.seed,
            request.replicates,
            request.seed_strategy,
        ),
        request_fingerprint=request_fingerprint(request.canonical_dict()),
    )
    _check_message_size(plan)
    return plan


def _check_total_simulations(total_points: int, replicates: int, limits: Limits) -> None:
    simulations = total_points * replicates
    if simulations <= limits.max_total_points:
        return
    # Name the factor to lower: the dimensions when the points alone are too many.
    loc = "dimensions" if total_points > limits.max_total_points or replicates == 1 else "replicates"
    raise RequestValidationError(
        [
            ErrorDetail(
                (loc,),
                f"the sweep has {simulations:,} simulations ({total_points:,} points, the product "
                f"of the dimension lengths, × {replicates:,} replicate"
                f"{'' if replicates == 1 else 's'}), more than the limit of "
                f"{limits.max_total_points:,}; list fewer dimension values or fewer replicates",
            )
        ]
    )


def _check_message_size(plan: SweepPlan) -> None:
    # Every message carries the same dimensions; the last shard has the widest numbers, and a
    # continuation (docs/contract.md §4) two fields more.
    last = plan.shards[-1]
    probe = plan.shard_message(last, "9999-12-31").model_copy(
        update={"continuation": last.size, "resume_index": last.end_index_exclusive}
    )
    size = len(probe.to_json_bytes())
    if size > MAX_MESSAGE_BYTES:
        raise RequestValidationError(
            [
                ErrorDetail(
                    ("dimensions",),
                    f"each shard message would be {size:,} bytes, over the queue's limit of "
                    f"{MAX_MESSAGE_BYTES:,} bytes; list fewer dimension values",
                )
            ]
        )
