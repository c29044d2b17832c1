"""What a planned run will write and cost, before anything runs (``ridesweep plan``).

Compute: the cost model's single-core seconds (domain/cost_model.py), scaled to this machine by a
calibration factor the caller measured. Storage: objects and bytes per output layout, from the
sizes this codec's Parquet objects have (fitted on runs from 100 to 3,200 riders, 60 to 600
simulated minutes, 1 to 5 replicates; within about 25 %): a fixed part per object (schema, footer,
the constant key columns) and a part per trip, per simulated minute and per replicate. AWS: the
Lambda GB-seconds, SQS and S3 requests the run makes, priced from the dated table
``application/aws_prices.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from domain.cost_model import CONTINUATION_HEADROOM, SpaceCost, estimate_plan, expected_trips
from domain.parameters import PARAMETERS, Scalar
from domain.planning import SweepPlan
from domain.suggestions import did_you_mean

Layout = Literal["per_point", "per_shard"]
Architecture = Literal["arm64", "x86_64"]

POINT_DATASETS_PER_OBJECT = 4
"""Objects a point (per_point) or a shard part (per_shard) writes: metrics, trips, snapshots,
effective parameters."""
FIXED_OBJECT_BYTES = {
    "shard_metrics": 7_630,
    "trip_data": 4_700,
    "snapshot_counts": 5_600,
    "effective_parameters": 10_300,
}
BYTES_PER_TRIP = 86
BYTES_PER_SIMULATED_MINUTE = 15
BYTES_PER_SIMULATION_ROW = 200
"""A replicate's row of metrics."""
BYTES_PER_POINT_ROW = 400
"""A point's row of effective parameters."""
RUN_OBJECTS = 3
RUN_OBJECTS_BYTES = 8_000
"""The manifest, the run's entry in the index of runs, and the run context."""
OUTCOME_BYTES = 4_400

WORKER_OVERHEAD = 1.15
"""A Lambda's time per simulated second: encoding and writing results beside the simulation
(bench/bench_sweep.py: about 15 % outside the simulation)."""
INVOCATION_SECONDS = 0.3
"""Per invocation: reading the message, checking the outcome, the last writes."""
LARGE_OBJECT_COUNT = 100_000
"""Above this many objects a run is slow to list and query (Athena and DuckDB open every object)."""


@dataclass(frozen=True, slots=True)
class Footprint:
    layout: Layout
    objects: int
    bytes: float


@dataclass(frozen=True, slots=True)
class AwsEstimate:
    region: str
    architecture: Architecture
    memory_mb: int
    prices_as_of: str
    invocations: int
    lambda_seconds: float
    gb_seconds: float
    sqs_requests: int
    s3_puts: int
    s3_gets: int
    stored_gb: float
    lambda_cost: float
    sqs_cost: float
    s3_request_cost: float
    storage_cost_per_month: float

    @property
    def run_cost(self) -> float:
        """Lambda, SQS and S3 requests: what the run itself costs (storage is per month)."""
        return self.lambda_cost + self.sqs_cost + self.s3_request_cost


@dataclass(frozen=True, slots=True)
class PlanCosts:
    simulations: int
    shard_count: int
    reference_cpu_seconds: float
    """Single-core seconds on the cost model's reference machine."""
    exact: bool
    """False when the space was too varied to sum point by point: figures are upper bounds."""
    shard_parts: int
    """Shard messages the run is expected to take (shards, plus continuations of long ones)."""
    footprints: Mapping[Layout, Footprint]

    def footprint(self, layout: Layout) -> Footprint:
        return self.footprints[layout]


class UnknownRegion(ValueError):
    """No prices for this region in the table."""


def point_bytes(values: Mapping[str, Scalar]) -> float:
    """Bytes one replicate of a point adds to its objects beyond their fixed part."""
    minutes = float(values.get("simulation_minutes") or PARAMETERS["simulation_minutes"].default)
    trips = expected_trips(values)
    return BYTES_PER_SIMULATION_ROW + BYTES_PER_TRIP * trips + BYTES_PER_SIMULATED_MINUTE * minutes


def plan_costs(plan: SweepPlan, invocation_seconds: float) -> PlanCosts:
    """Compute and storage of ``plan``; a shard longer than ``invocation_seconds`` (with the cost
    model's headroom) is expected to continue in parts."""
    estimate = estimate_plan(plan)
    budget = invocation_seconds * CONTINUATION_HEADROOM
    parts = sum(max(1, math.ceil(seconds / budget)) for seconds in estimate.shard_seconds)
    variable = SpaceCost(plan.space, per_point=point_bytes).total_seconds * plan.replicates
    variable += BYTES_PER_POINT_ROW * plan.total_points
    fixed_per_set = sum(FIXED_OBJECT_BYTES.values())
    common_objects = RUN_OBJECTS + plan.shard_count
    common_bytes = RUN_OBJECTS_BYTES + OUTCOME_BYTES * plan.shard_count
    footprints: dict[Layout, Footprint] = {
        "per_point": Footprint(
            "per_point",
            common_objects + POINT_DATASETS_PER_OBJECT * plan.total_points,
            common_bytes + fixed_per_set * plan.total_points + variable,
        ),
        "per_shard": Footprint(
            "per_shard",
            common_objects + POINT_DATASETS_PER_OBJECT * parts,
            common_bytes + fixed_per_set * parts + variable,
        ),
    }
    return PlanCosts(
        simulations=plan.total_points * plan.replicates,
        shard_count=plan.shard_count,
        reference_cpu_seconds=estimate.total_seconds,
        exact=estimate.exact,
        shard_parts=parts,
        footprints=footprints,
    )


def load_prices() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.files("application") / "aws_prices.json").read_text(encoding="utf-8")
    )
    return data


def aws_estimate(
    costs: PlanCosts,
    layout: Layout,
    *,
    region: str,
    memory_mb: int,
    architecture: Architecture = "arm64",
    prices: Mapping[str, Any] | None = None,
) -> AwsEstimate:
    """What the run costs on AWS in ``region``; raises ``UnknownRegion`` for a region the price
    table does not list."""
    table = prices or load_prices()
    regions: Mapping[str, Any] = table["regions"]
    if region not in regions:
        raise UnknownRegion(
            f"no prices for region {region!r}{did_you_mean(region, regions)} (the table in "
            f"application/aws_prices.json lists {', '.join(regions)})"
        )
    price = regions[region]
    footprint = costs.footprint(layout)
    invocations = costs.shard_parts
    seconds = costs.reference_cpu_seconds * WORKER_OVERHEAD + INVOCATION_SECONDS * invocations
    gb_seconds = seconds * memory_mb / 1024
    # One SendMessageBatch per 10 shards, and per message a receive and a delete (Lambda's poller
    # also polls an empty queue, which this leaves out); continuations are sent one by one.
    sqs = math.ceil(costs.shard_count / 10) + 2 * invocations + (invocations - costs.shard_count)
    puts = footprint.objects
    gets = invocations + 1  # each message checks its shard's outcome; the submit reads the manifest
    stored_gb = footprint.bytes / 1e9
    return AwsEstimate(
        region=region,
        architecture=architecture,
        memory_mb=memory_mb,
        prices_as_of=str(table["as_of"]),
        invocations=invocations,
        lambda_seconds=seconds,
        gb_seconds=gb_seconds,
        sqs_requests=sqs,
        s3_puts=puts,
        s3_gets=gets,
        stored_gb=stored_gb,
        lambda_cost=(
            gb_seconds * price["lambda_gb_second"][architecture] + invocations * price["lambda_request"]
        ),
        sqs_cost=sqs * price["sqs_request"],
        s3_request_cost=puts * price["s3_put"] + gets * price["s3_get"],
        storage_cost_per_month=stored_gb * price["s3_gb_month"],
    )
