"""The chaos run: one sweep through the Lambda handler while storage and the queue misbehave.

Storage calls fail at 20 % (before or after the write lands), queue sends fail part-way, the queue
delivers out of order and at least once, some visibility timeouts expire mid-shard so a second
worker runs the same shard at the same time, and messages that fail too often go to the
dead-letter queue and are redriven. The client resends its submit while it gets 503. Afterwards
the store must hold exactly the objects a clean run of the same request writes.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dependency_injector import providers

from adapters.memory.blob_store import InMemoryBlobStore
from application.results_codec import decode
from entrypoints.container import build_container
from entrypoints.handler import make_handler
from tests.drills.faults import Delivery, FaultyBlobStore, FaultyShardQueue, SimulatedSqs
from tests.drills.figures import ATTEMPT_COLUMNS, PARTS_COLUMN, DrillFigures, compare_with_clean_run
from tests.drills.hostile import sqs_event
from tests.harness import Harness, expected_keys

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_SHARD_OF_KEY = re.compile(r"/shard_id=(\d+)/")


@dataclass(frozen=True, slots=True)
class ChaosPlan:
    shards: int
    points_per_shard: int
    seed: int
    storage_fault_rate: float = 0.20
    queue_fault_rate: float = 0.50  # the submit sends once: fail it often enough to matter
    duplicate_rate: float = 0.10
    expiry_rate: float = 0.05  # deliveries whose visibility timeout expires mid-shard
    max_receive_count: int = 5  # as infra/terraform/sqs.tf
    latency_rate: float = 0.02
    max_latency_s: float = 0.002
    max_batches: int = 100_000
    invocation_seconds: float | None = None
    """Each invocation's time (every simulation takes one second of the fake clock): a few seconds
    make shards finish by continuations, sent through the same faulty queue."""


def continued_chaos_plan(shards: int, seed: int) -> ChaosPlan:
    """A chaos run whose shards outgrow their invocations: four seconds each, one per simulation,
    so parts of two points whose continuations go through the faulty queue, are duplicated,
    expire mid-part and are dead-lettered like every other message."""
    return ChaosPlan(max(4, shards // 15), 8, seed, queue_fault_rate=0.2, invocation_seconds=4.0)


def chaos_request(shards: int, points_per_shard: int) -> dict[str, Any]:
    """``shards`` shards of ``points_per_shard`` small points (30-45 riders, 5-15 drivers, a 20-minute
    simulation: a few milliseconds each)."""
    total = shards * points_per_shard
    if total % 4:
        raise ValueError("shards × points per shard must be a multiple of 4")
    steps = total // 4
    return {
        "run_id": f"chaos-{shards}x{points_per_shard}",
        "dimensions": {
            "commission_rate": [round(0.05 + 0.9 * i / steps, 6) for i in range(steps)],
            "num_riders": [30, 45],
            "num_drivers": [5, 15],
        },
        "base_parameters": {"request_window_minutes": 10, "simulation_minutes": 20},
        "shard_count": shards,
        "seed": 8,
    }


def clean_run(request: dict[str, Any]) -> dict[str, bytes]:
    """What the same request writes with nothing going wrong: the reference, byte for byte."""
    harness = Harness()
    status, body = harness.post(request)
    assert status == 202, body
    harness.drain()
    return dict(harness.objects)


@dataclass
class _SecondWorker:
    delivery: Delivery
    store: FaultyBlobStore
    thread: threading.Thread
    failed: bool = True


@dataclass
class MidShardExpiry:
    """When a watched shard's first point lands, its visibility timeout "expires": the queue hands
    the message to a second worker, which runs the same shard concurrently with the first."""

    sqs: SimulatedSqs
    spawn: Callable[[Delivery], _SecondWorker]
    _armed: dict[int, Delivery] = field(default_factory=dict)
    _started: list[_SecondWorker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, deliveries: dict[int, Delivery]) -> None:
        with self._lock:
            self._armed = dict(deliveries)

    def on_write(self, key: str) -> None:
        if "/dataset=shard_outcomes/" in key:
            return
        match = _SHARD_OF_KEY.search(key)
        if match is None:
            return
        with self._lock:
            delivery = self._armed.pop(int(match.group(1)), None)
        if delivery is None:
            return
        again = self.sqs.expire(delivery)
        if again is not None:
            self._started.append(self.spawn(again))

    def finish(self) -> list[_SecondWorker]:
        with self._lock:
            self._armed = {}
        started, self._started = self._started, []
        for worker in started:
            worker.thread.join()
        return started


def shard_id_of(delivery: Delivery) -> int | None:
    try:
        shard_id = json.loads(delivery.body)["shard_id"]
    except (ValueError, KeyError, TypeError):
        return None
    return shard_id if isinstance(shard_id, int) else None


def chaos_drill(plan: ChaosPlan, figures: DrillFigures | None = None) -> DrillFigures:
    figures = figures or DrillFigures("chaos run: faults + redelivery")
    started = time.perf_counter()
    request = chaos_request(plan.shards, plan.points_per_shard)
    clean = clean_run(request)

    rng = random.Random(plan.seed)
    harness = Harness()
    if plan.invocation_seconds is not None:
        harness.give_each_invocation(plan.invocation_seconds)
    memory: InMemoryBlobStore = harness.container.blob_store()
    sqs = SimulatedSqs(
        random.Random(rng.getrandbits(64)),
        duplicate_rate=plan.duplicate_rate,
        max_receive_count=plan.max_receive_count,
    )
    second_stores: list[FaultyBlobStore] = []

    def faulty(seed: int, on_write: Callable[[str], None] | None = None) -> FaultyBlobStore:
        return FaultyBlobStore(
            memory,
            random.Random(seed),
            failure_rate=plan.storage_fault_rate,
            latency_rate=plan.latency_rate,
            max_latency_s=plan.max_latency_s,
            on_write=on_write,
        )

    def spawn(delivery: Delivery) -> _SecondWorker:
        """Another worker (its own container and fault stream, the same bucket) takes the message."""
        store = faulty(rng.getrandbits(64))
        second_stores.append(store)
        container = build_container(harness.settings)
        container.clock.override(harness.clock)
        container.blob_store.override(providers.Object(store))
        container.shard_queue.override(providers.Object(queue))  # continuations go to the queue
        container.simulator.override(providers.Object(harness.container.simulator()))
        container.memory_gauge.override(harness.container.memory_gauge())
        handler = make_handler(container)
        worker = _SecondWorker(delivery, store, threading.Thread(target=lambda: None))

        def run() -> None:
            answer = handler(_event([delivery]), harness.context)
            worker.failed = bool(answer["batchItemFailures"])

        worker.thread = threading.Thread(target=run, name="second-worker")
        worker.thread.start()
        return worker

    expiry = MidShardExpiry(sqs, spawn)
    store = faulty(rng.getrandbits(64), on_write=expiry.on_write)
    queue = FaultyShardQueue(sqs, random.Random(rng.getrandbits(64)), failure_rate=plan.queue_fault_rate)
    harness.container.blob_store.override(providers.Object(store))
    harness.container.shard_queue.override(providers.Object(queue))

    answers = _submit_until_answered(harness, request, figures)
    run_date = answers["run_date"]

    deliveries_per_shard: Counter[int] = Counter()
    reported_failures = 0
    batches = 0
    while sqs.remaining:
        batches += 1
        assert batches <= plan.max_batches, "the run does not converge"
        batch = sqs.receive(10)
        if not batch:
            assert sqs.dead, f"{sqs.remaining} messages neither visible nor dead-lettered"
            sqs.redrive()
            continue
        for delivery in batch:
            deliveries_per_shard[shard_id_of(delivery) or -1] += 1
        expiry.arm(
            {
                shard_id: d
                for d in batch
                if rng.random() < plan.expiry_rate and (shard_id := shard_id_of(d)) is not None
            }
        )
        answer = harness.handler(_event(batch), harness.context)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        reported_failures += sum(1 for d in batch if d.message_id in failed)
        for worker in expiry.finish():
            deliveries_per_shard[shard_id_of(worker.delivery) or -1] += 1
            reported_failures += worker.failed
            (sqs.release if worker.failed else sqs.acknowledge)(worker.delivery)
        for delivery in batch:
            (sqs.release if delivery.message_id in failed else sqs.acknowledge)(delivery)

    expected = expected_keys(request, run_date)
    continued = plan.invocation_seconds is not None
    ignored = (*ATTEMPT_COLUMNS, PARTS_COLUMN) if continued else ATTEMPT_COLUMNS
    comparison = compare_with_clean_run(memory.objects, clean, expected, ignored)
    parts = [
        decode(data).column(PARTS_COLUMN)[0].as_py()
        for key, data in memory.objects.items()
        if "/dataset=shard_outcomes/" in key
    ]
    status_code, status = _get_until_answered(harness, request["run_id"])

    counts = sqs.counts
    figures.inputs = counts.deliveries
    figures.rejected = reported_failures
    figures.faults = (
        store.counts.injected + sum(s.counts.injected for s in second_stores) + queue.counts.injected
    )
    resent = counts.sent - plan.shards
    figures.duplicates = counts.duplicated + resent + counts.expired_mid_shard
    figures.retried = sum(1 for n in deliveries_per_shard.values() if n > 1)
    figures.verified = comparison.verified
    figures.lost = comparison.lost
    figures.misplaced = len(comparison.unexpected)
    figures.seconds = time.perf_counter() - started
    figures.notes += [
        f"{plan.shards} shards × {plan.points_per_shard} points; {counts.deliveries} deliveries, "
        f"{reported_failures} reported failed",
        f"faults: storage {store.counts.injected + sum(s.counts.injected for s in second_stores)} of "
        f"{store.counts.calls + sum(s.counts.calls for s in second_stores)} calls, queue "
        f"{queue.counts.injected} of {queue.counts.calls} sends",
        f"duplicates: {counts.duplicated} by the queue, {resent} by submit resends, "
        f"{counts.expired_mid_shard} visibility timeouts expired mid-shard (two workers at once)",
        f"dead-lettered {counts.dead_lettered}, redriven {counts.redriven}; "
        f"stale deletes ignored {counts.stale_acknowledgements}",
        f"outcome records compared on every column but {', '.join(ignored)}",
    ]
    if continued:
        figures.notes.append(f"parts per shard: {min(parts)} to {max(parts)}")
        assert min(parts) > 1, "every shard was to outgrow its invocation"
    assert not comparison.missing, f"lost: {comparison.missing[:5]}"
    assert not comparison.differing, f"differ from the clean run: {comparison.differing[:5]}"
    assert not comparison.unexpected, f"unexpected keys: {comparison.unexpected[:5]}"
    assert status_code == 200 and status["state"] == "succeeded", status
    assert status["shards_succeeded"] == plan.shards
    return figures


def _submit_until_answered(
    harness: Harness, request: dict[str, Any], figures: DrillFigures
) -> dict[str, Any]:
    """A client that resends the same request while the service answers 503 (as it is told to)."""
    for unavailable in range(200):
        status, body = harness.post(request)
        if status in (200, 202):
            figures.notes.append(f"submit answered {status} after {unavailable} answers 503")
            return body
        if status != 503:
            figures.server_errors += status >= 500
            raise AssertionError(f"submit answered {status}: {body}")
    raise AssertionError("submit never got through")


def _get_until_answered(harness: Harness, run_id: str) -> tuple[int, dict[str, Any]]:
    for _ in range(200):
        status, body = harness.get(run_id)
        if status != 503:
            return status, body
    raise AssertionError("status never got through")


def _event(deliveries: list[Delivery]) -> dict[str, Any]:
    event = sqs_event([d.body.decode() for d in deliveries])
    for record, delivery in zip(event["Records"], deliveries, strict=True):
        record["messageId"] = delivery.message_id
        record["attributes"]["ApproximateReceiveCount"] = str(delivery.receive_count)
    return event
