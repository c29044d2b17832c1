"""Helpers shared by test modules: import them from here, never from another test module."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.clock import FixedClock
from adapters.memory.queue import InMemoryShardQueue
from application.cancellation import DEFAULT_CHECK_SECONDS
from application.execute_shard import ShardResult, Simulator, execute_shard
from application.submit_sweep import SubmitResult, submit_sweep
from application.work_budget import WorkBudget
from domain.contract import Limits, ShardMessage, parse_sweep_request
from domain.errors import RequestValidationError
from domain.manifest import RequestSource
from domain.planning import plan_sweep
from domain.storage_keys import StorageKeys

EXAMPLE: dict[str, Any] = {  # the request of docs/contract.md §1
    "schema_version": "v1",
    "run_id": "demo-run-001",
    "dimensions": {
        "commission_rate": [0.1, 0.2],
        "num_drivers": [100, 200],
        "num_riders": [500, 800],
    },
    "base_parameters": {"match_radius_km": 3.0},
    "shard_count": 4,
    "seed": 42,
    "failure_injection_shards": [1],
}


def request(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def interruptible_request(run_id: str) -> dict[str, Any]:
    """The run the interrupt tests stop midway and resume: six shards of two points each."""
    return {
        "run_id": run_id,
        "dimensions": {"num_drivers": [30, 45, 60, 75, 90, 105], "commission_rate": [0.1, 0.3]},
        "base_parameters": {"num_riders": 250, "request_window_minutes": 30, "simulation_minutes": 60},
        "shard_count": 6,
        "seed": 21,
    }


def rejection(body: object, limits: Limits | None = None) -> RequestValidationError:
    limits = limits or Limits()
    with pytest.raises(RequestValidationError) as caught:
        plan_sweep(parse_sweep_request(body, limits), limits)
    return caught.value


def locs(error: RequestValidationError) -> list[str]:
    return [d.render().split(":")[0] for d in error.details]


def shard_messages(shards: int, run_id: str = "contract-run") -> list[ShardMessage]:
    limits = Limits(max_shards=1000, max_total_points=1_000_000)
    request = {
        "run_id": run_id,
        "dimensions": {"num_drivers": list(range(1, shards + 1))},
        "shard_count": shards,
        "seed": 3,
    }
    plan = plan_sweep(parse_sweep_request(request, limits), limits)
    return list(plan.shard_messages("2026-01-02"))


SMALL_REQUEST: dict[str, Any] = {
    "run_id": "small-run",
    "dimensions": {"num_drivers": [4, 6, 8]},
    "base_parameters": {"num_riders": 20, "request_window_minutes": 20, "simulation_minutes": 30},
    "shard_count": 3,
    "seed": 5,
}


@dataclass
class FakePorts:
    """The in-memory fakes every use case runs on; tests assert on their state."""

    store: InMemoryBlobStore = field(default_factory=InMemoryBlobStore)
    queue: InMemoryShardQueue = field(default_factory=InMemoryShardQueue)
    clock: FixedClock = field(default_factory=FixedClock)
    keys: StorageKeys = field(default_factory=lambda: StorageKeys("sweeps"))
    limits: Limits = field(default_factory=Limits)

    def submit(self, payload: object, source: RequestSource | None = None) -> SubmitResult:
        return submit_sweep(
            payload,
            source or RequestSource(kind="local"),
            store=self.store,
            queue=self.queue,
            clock=self.clock,
            keys=self.keys,
            limits=self.limits,
        )

    def execute(
        self,
        body: bytes,
        on_point: Callable[[int], None] | None = None,
        *,
        budget: WorkBudget | None = None,
        simulator: Simulator | None = None,
        cancel_check_seconds: float = DEFAULT_CHECK_SECONDS,
    ) -> ShardResult:
        return execute_shard(
            body,
            attempt=1,
            store=self.store,
            keys=self.keys,
            clock=self.clock,
            queue=self.queue,
            budget=budget,
            on_point=on_point,
            simulator=simulator,
            cancel_check_seconds=cancel_check_seconds,
        )

    def run_queued(self) -> list[ShardResult]:
        return [self.execute(body) for body in self.queue.take_all()]


def ticking(clock: FixedClock, seconds: float = 1.0) -> Simulator:
    """The simulation, each run advancing ``clock`` by ``seconds``: a worker's deadline is then
    met at the same point on every machine, without a test sleeping or timing anything."""
    from domain.simulation import simulate

    def simulate_and_tick(parameters: Any, seed: int) -> Any:
        clock.advance(timedelta(seconds=seconds))
        return simulate(parameters, seed)

    return simulate_and_tick
