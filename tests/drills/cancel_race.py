"""The cancel race: a run cancelled through the API while two workers run its shards, under storage
faults (the cancel itself, the marker reads and the cancelled outcomes fail too), duplicate and
out-of-order deliveries, dead letters and a redrive.

Afterwards: every shard has exactly one final outcome (a success, or a failure recorded as
cancelled); every object the run wrote is byte for byte the clean run's, or one of the cancel's own
records; no worker simulated a point after it had seen the marker; and redelivering every message
once more changes nothing.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dependency_injector import providers

from adapters.memory.blob_store import InMemoryBlobStore
from application.results_codec import decode
from domain.simulation import simulate
from tests.drills.chaos import (
    _event,
    _get_until_answered,
    _submit_until_answered,
    chaos_request,
    clean_run,
)
from tests.drills.faults import FaultyBlobStore, SimulatedSqs
from tests.drills.figures import DrillFigures
from tests.harness import Harness, load_event


@dataclass(frozen=True, slots=True)
class CancelRacePlan:
    shards: int
    points_per_shard: int
    seed: int
    cancel_after_successes: int = 3
    storage_fault_rate: float = 0.10
    duplicate_rate: float = 0.10
    max_receive_count: int = 5
    workers: int = 2


class Sightings:
    """What each worker thread did, in one global order: points it started, and the moments it
    found the cancellation marker."""

    def __init__(self) -> None:
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self.by_thread: dict[int, list[tuple[int, str]]] = defaultdict(list)

    def record(self, what: str) -> None:
        with self._lock:
            self.by_thread[threading.get_ident()].append((next(self._numbers), what))

    def simulated_after_seeing_the_marker(self) -> int:
        late = 0
        for events in self.by_thread.values():
            seen = [n for n, what in events if what == "saw_marker"]
            if seen:
                late += sum(1 for n, what in events if what == "point" and n > seen[0])
        return late


class ObservedStore(FaultyBlobStore):
    """The faulty store, also telling ``Sightings`` when a read finds the marker and ``on_success``
    when a shard's success outcome lands."""

    sightings: Sightings
    on_success: Callable[[], None]

    def exists(self, key: str) -> bool:
        found = super().exists(key)
        if found and key.endswith("/cancelled.json"):
            self.sightings.record("saw_marker")
        return found

    def create_if_absent(self, key: str, data: bytes) -> bool:
        created = super().create_if_absent(key, data)
        if created and "/dataset=shard_outcomes/" in key and "/status=success/" in key:
            self.on_success()
        return created


def cancel_race_drill(plan: CancelRacePlan, figures: DrillFigures | None = None) -> DrillFigures:
    figures = figures or DrillFigures("cancel race: faults + 2 workers")
    started = time.perf_counter()
    request = chaos_request(plan.shards, plan.points_per_shard)
    run_id = request["run_id"]
    clean = clean_run(request)
    rng = random.Random(plan.seed)

    harness = Harness()
    harness.container.cancel_check_seconds.override(providers.Object(0.0))
    memory: InMemoryBlobStore = harness.container.blob_store()
    sightings = Sightings()
    successes = itertools.count(1)
    enough = threading.Event()
    store = ObservedStore(memory, random.Random(rng.getrandbits(64)), failure_rate=plan.storage_fault_rate)
    store.sightings = sightings
    store.on_success = lambda: enough.set() if next(successes) >= plan.cancel_after_successes else None
    sqs = SimulatedSqs(
        random.Random(rng.getrandbits(64)),
        duplicate_rate=plan.duplicate_rate,
        max_receive_count=plan.max_receive_count,
    )
    harness.container.blob_store.override(providers.Object(store))
    harness.container.shard_queue.override(providers.Object(sqs))
    harness.container.simulator.override(providers.Object(_observed(sightings)))

    _submit_until_answered(harness, request, figures)
    sent_bodies = [m.body for m in list(sqs._messages.values())]
    cancel_answer: dict[str, Any] = {}
    canceller = threading.Thread(
        target=lambda: (enough.wait(120), cancel_answer.update(_cancel(harness, run_id, figures)))
    )
    canceller.start()
    _work(harness, sqs, plan.workers)
    canceller.join()
    _work(harness, sqs, plan.workers)  # what arrived after the cancel was answered

    snapshot = dict(memory.objects)
    for body in sent_bodies:  # a redrive of every message of the run, once the run is over
        sqs._add(body)
    _work(harness, sqs, plan.workers)
    revived = {k for k in memory.objects if memory.objects[k] != snapshot.get(k)}

    status_code, status = _get_until_answered(harness, run_id)
    resubmit_code, resubmit = _until_answered(lambda: harness.post(request))
    _check(plan, clean, memory.objects, status, cancel_answer, figures)
    figures.inputs = sqs.counts.deliveries
    figures.faults = store.counts.injected
    figures.duplicates = sqs.counts.duplicated + len(sent_bodies)
    figures.seconds = time.perf_counter() - started
    late = sightings.simulated_after_seeing_the_marker()
    figures.notes += [
        f"{plan.shards} shards × {plan.points_per_shard} points, cancelled after "
        f"{plan.cancel_after_successes} successes: {status['shards_succeeded']} succeeded, "
        f"{status['shards_cancelled']} cancelled; {late} points simulated after a worker saw the marker",
    ]
    assert status_code == 200 and status["state"] == "cancelled", status
    assert status["shards_pending"] == 0 and status["shards_failed"] == 0, status
    assert late == 0, f"{late} points were simulated after their worker had seen the marker"
    assert not revived, f"a redrive after the cancel changed {sorted(revived)[:5]}"
    assert (resubmit_code, resubmit.get("error")) == (409, "run_cancelled"), resubmit
    return figures


def _until_answered(call: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    for _ in range(200):
        status, body = call()
        if status != 503:
            return status, body
    raise AssertionError("never answered but 503")


def _observed(sightings: Sightings) -> Callable[[Any, int], Any]:
    def simulating(parameters: Any, seed: int) -> Any:
        sightings.record("point")
        return simulate(parameters, seed)

    return simulating


def _cancel(harness: Harness, run_id: str, figures: DrillFigures) -> dict[str, Any]:
    """DELETE /sweep-run/{run_id}, resent while it answers 503, as a client is told to."""
    event = load_event("api_rest_delete_sweep_run_named_sweep_run.json")
    event["path"], event["pathParameters"] = f"/sweep-run/{run_id}", {"run_id": run_id}
    for _ in range(200):
        status, body = harness.send(event)
        if status != 503:
            figures.server_errors += status >= 500
            assert status == 200, body
            return body
    raise AssertionError("the cancel never got through")


def _work(harness: Harness, sqs: SimulatedSqs, workers: int) -> None:
    """``workers`` threads take one message at a time until the queue is empty; dead letters are
    redriven when nothing else is left."""
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not sqs.remaining:
                    return
                batch = sqs.receive(1)
                if not batch and not sqs.in_flight and sqs.dead:
                    sqs.redrive()
            if not batch:
                time.sleep(0.001)
                continue
            answer = harness.handler(_event(batch), harness.context)
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            with lock:
                for delivery in batch:
                    (sqs.release if delivery.message_id in failed else sqs.acknowledge)(delivery)

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _check(
    plan: CancelRacePlan,
    clean: dict[str, bytes],
    actual: dict[str, bytes],
    status: dict[str, Any],
    cancel_answer: dict[str, Any],
    figures: DrillFigures,
) -> None:
    """Exactly one final outcome per shard; every object is the clean run's or the cancel's own."""
    assert cancel_answer.get("status") == "cancelled", cancel_answer
    outcomes = {k for k in actual if "/dataset=shard_outcomes/" in k}
    succeeded = {k.split("/shard_id=")[1].split("/")[0] for k in outcomes if "/status=success/" in k}
    failed = {k.split("/shard_id=")[1].split("/")[0] for k in outcomes if "/status=failure/" in k}
    assert succeeded.isdisjoint(failed), sorted(succeeded & failed)[:5]
    assert len(succeeded | failed) == plan.shards
    for key in outcomes - set(clean):
        assert decode(actual[key]).column("error_code").to_pylist() == ["cancelled"], key
    cancel_records = {k for k in actual if "/runs/run_id=" in k and ("cancelled" in k)}
    for key, data in actual.items():
        if key in clean and "/dataset=shard_outcomes/" not in key and "/dataset=run_context/" not in key:
            assert data == clean[key], f"differs from the clean run: {key}"
            figures.verified += 1
        elif key not in clean:
            assert key in cancel_records or key in outcomes, f"unexpected key {key}"
    figures.misplaced = 0
    figures.lost = sum(
        1
        for key in clean
        if "/status=success/" in key
        and "/dataset=shard_outcomes/" not in key
        and key.split("/shard_id=")[1].split("/")[0] in succeeded
        and key not in actual
    )
    assert figures.lost == 0, "a succeeded shard is missing objects"
    assert status["shards_succeeded"] == len(succeeded)
