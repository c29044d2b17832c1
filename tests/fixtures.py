"""Helpers shared by test modules: import them from here, never from another test module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.clock import FixedClock
from adapters.memory.queue import InMemoryShardQueue
from application.execute_shard import ShardResult, execute_shard
from application.submit_sweep import SubmitResult, submit_sweep
from domain.contract import Limits
from domain.manifest import RequestSource
from domain.storage_keys import StorageKeys

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

    def execute(self, body: bytes, on_point: Callable[[int], None] | None = None) -> ShardResult:
        return execute_shard(
            body, attempt=1, store=self.store, keys=self.keys, clock=self.clock, on_point=on_point
        )

    def run_queued(self) -> list[ShardResult]:
        return [self.execute(body) for body in self.queue.take_all()]
