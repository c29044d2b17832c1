"""cancel_run over the in-memory fakes: a cancel marks the run, its workers stop before their next
point, every shard ends with exactly one outcome, and nothing revives the run."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from adapters.memory.blob_store import InMemoryBlobStore
from application.cancel_run import cancel_run
from application.execute_shard import ShardResult
from application.results_codec import decode
from application.run_status import run_status
from application.work_budget import WorkBudget, WorkLimits
from domain.cancellation import CancellationMarker
from domain.contract import ShardMessage
from domain.errors import RunAlreadyEnded, RunCancelled, RunNotFound
from domain.manifest import RequestSource
from domain.simulation import simulate
from domain.storage_keys import shard_id_of_key
from tests.fixtures import SMALL_REQUEST, FakePorts, ticking

CLI = RequestSource(kind="cli")
BIG_RUN = {
    "run_id": "mistake",
    "dimensions": {"num_drivers": list(range(4, 404))},  # 400 points
    "base_parameters": {"num_riders": 12, "request_window_minutes": 10, "simulation_minutes": 15},
    "shard_count": 200,
    "seed": 11,
}


def cancel(ports: FakePorts, run_id: str = "small-run") -> Any:
    return cancel_run(run_id, CLI, store=ports.store, keys=ports.keys, clock=ports.clock)


def test_a_cancel_answers_the_marker_and_a_second_cancel_answers_the_same_and_writes_nothing() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)

    first = cancel(ports)
    objects = dict(ports.store.objects)
    second = cancel(ports)

    assert (first.created, second.created) == (True, False)
    assert first.marker.answer() == second.marker.answer()
    assert first.marker.answer()["status"] == "cancelled"
    assert ports.store.objects == objects


def test_an_unknown_run_cannot_be_cancelled_and_nothing_is_written() -> None:
    ports = FakePorts()

    with pytest.raises(RunNotFound):
        cancel(ports, "nobody")
    assert ports.store.objects == {}


def test_a_run_that_has_ended_is_not_cancelled() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.run_queued()

    with pytest.raises(RunAlreadyEnded) as ended:
        cancel(ports)
    assert ended.value.state == "succeeded"
    assert not ports.store.exists(ports.keys.cancellation("small-run"))


def test_queued_shards_of_a_cancelled_run_are_recorded_as_cancelled_without_simulating() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    cancel(ports)

    results = ports.run_queued()
    status = run_status("small-run", store=ports.store, keys=ports.keys)

    assert {r.status for r in results} == {"cancelled"}
    assert (status.state, status.shards_cancelled, status.shards_failed, status.shards_pending) == (
        "cancelled",
        3,
        0,
        0,
    )
    assert status.cancelled_at == ports.clock.now().isoformat()
    assert not any("dataset=shard_metrics" in key for key in ports.store.objects)


def test_a_shard_stops_between_points_when_the_run_is_cancelled_while_it_runs() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "shard_count": 1})
    body = ports.queue.take_all()[0]

    def cancel_after_the_first_point(point_index: int) -> None:
        if point_index == 0:
            cancel(ports)

    result = execute(ports, body, on_point=cancel_after_the_first_point)

    assert (result.status, result.points_processed, result.error_code) == ("cancelled", 1, "cancelled")
    outcome = decode(ports.store.objects[ports.keys.outcome("2026-11-28", "small-run", "failure", 0)])
    assert outcome.column("points_processed").to_pylist() == [1]
    assert outcome.column("error_code").to_pylist() == ["cancelled"]
    points = {key for key in ports.store.objects if "dataset=shard_metrics" in key}
    assert [key.split("point_index=")[1].split("/")[0] for key in points] == ["0"]


def test_a_per_shard_shard_stopped_by_a_cancel_writes_none_of_its_points() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "shard_count": 1, "output_layout": "per_shard"})
    body = ports.queue.take_all()[0]

    result = execute(ports, body, on_point=lambda index: cancel(ports) if index == 0 else None)

    assert (result.status, result.points_processed) == ("cancelled", 0)
    assert not any("dataset=shard_metrics" in key for key in ports.store.objects)


def test_an_earlier_failure_outcome_stays_when_its_message_comes_back_after_a_cancel() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "failure_injection_shards": [1]})
    bodies = ports.queue.take_all()
    execute(ports, bodies[1])  # injected failure
    cancel(ports)

    again = execute(ports, bodies[1])
    status = run_status("small-run", store=ports.store, keys=ports.keys)

    assert again.status == "skipped"
    outcome = decode(ports.store.objects[ports.keys.outcome("2026-11-28", "small-run", "failure", 1)])
    assert outcome.column("error_code").to_pylist() == ["injected_failure"]
    assert (status.shards_failed, status.shards_cancelled) == (1, 0)


def test_resubmitting_a_cancelled_run_is_refused_and_enqueues_nothing() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.queue.take_all()
    cancel(ports)

    with pytest.raises(RunCancelled) as refused:
        ports.submit(SMALL_REQUEST)

    assert "new run_id" in str(refused.value)
    assert ports.queue.bodies == []


def execute(ports: FakePorts, body: bytes, on_point: Callable[[int], None] | None = None) -> ShardResult:
    """A shard run that looks for the cancellation marker before every point."""
    return ports.execute(body, on_point, cancel_check_seconds=0.0)


class Timeline:
    """One sequence of what every thread did, in the order it happened."""

    def __init__(self) -> None:
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self.events: list[tuple[int, str, int | None]] = []
        self.working_on = threading.local()

    def record(self, kind: str, shard_id: int | None) -> int:
        with self._lock:
            number = next(self._numbers)
            self.events.append((number, kind, shard_id))
            return number

    def of(self, kind: str) -> dict[int | None, list[int]]:
        found: dict[int | None, list[int]] = defaultdict(list)
        for number, what, shard_id in self.events:
            if what == kind:
                found[shard_id].append(number)
        return found


class RecordingStore(InMemoryBlobStore):
    """Records every per-point write, and every read that found the cancellation marker (with
    the shard its worker thread was running)."""

    def __init__(self, timeline: Timeline) -> None:
        super().__init__()
        self.timeline = timeline
        self.successes = 0
        self.three_succeeded = threading.Event()

    def put(self, key: str, data: bytes) -> None:
        super().put(key, data)
        if "/point_index=" in key:
            self.timeline.record("point_written", shard_id_of_key(key))

    def create_if_absent(self, key: str, data: bytes) -> bool:
        created = super().create_if_absent(key, data)
        if created and "dataset=shard_outcomes" in key and "/status=success/" in key:
            self.successes += 1
            if self.successes >= 3:
                self.three_succeeded.set()
        return created

    def exists(self, key: str) -> bool:
        found = super().exists(key)
        if found and key.endswith("/cancelled.json"):
            self.timeline.record("saw_marker", getattr(self.timeline.working_on, "shard", None))
        return found


def run_two_workers(ports: FakePorts, bodies: list[bytes], timeline: Timeline) -> None:
    waiting = list(bodies)
    lock = threading.Lock()

    def simulating(parameters: Any, seed: int) -> Any:
        timeline.record("point_started", getattr(timeline.working_on, "shard", None))
        return simulate(parameters, seed)

    def worker() -> None:
        while True:
            with lock:
                if not waiting:
                    return
                body = waiting.pop(0)
            timeline.working_on.shard = ShardMessage.model_validate_json(body).shard_id
            ports.execute(body, simulator=simulating, cancel_check_seconds=0.0)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_200_shard_run_cancelled_by_two_workers_stops_at_once_and_every_shard_ends_once() -> None:
    timeline = Timeline()
    store = RecordingStore(timeline)
    ports = FakePorts(store=store)
    ports.submit(BIG_RUN)
    bodies = ports.queue.take_all()
    assert len(bodies) == 200

    # Given two workers on the queue, when the run is cancelled once the first shards succeeded
    canceller = threading.Thread(
        target=lambda: (
            store.three_succeeded.wait(60),
            timeline.record("cancel", None),
            cancel(ports, "mistake"),
        )
    )
    canceller.start()
    run_two_workers(ports, bodies, timeline)
    canceller.join()

    # then the run is cancelled, every shard ended with exactly one outcome, and nothing pends
    status = run_status("mistake", store=store, keys=ports.keys)
    assert status.state == "cancelled"
    assert status.shards_pending == 0 and status.shards_failed == 0
    assert status.shards_succeeded >= 3 and status.shards_cancelled >= 150
    assert status.shards_succeeded + status.shards_cancelled == 200
    outcomes = [key for key in store.objects if "dataset=shard_outcomes" in key]
    assert sorted(shard_id_of_key(key) for key in outcomes) == list(range(200))

    # within one point's time: no shard started after the cancel, at most one point per worker
    cancelled_at = timeline.of("cancel")[None][0]
    started_after = [
        n for numbers in timeline.of("point_started").values() for n in numbers if n > cancelled_at
    ]
    assert len(started_after) <= 2

    # no per-point object of a shard was written after that shard saw the marker
    written, seen = timeline.of("point_written"), timeline.of("saw_marker")
    for shard_id, sightings in seen.items():
        assert max(written.get(shard_id, [-1])) < min(sightings), shard_id

    # a shard stopped mid-way wrote exactly the points its outcome reports
    for key in outcomes:
        if "/status=failure/" in key:
            row = decode(store.objects[key]).to_pylist()[0]
            assert row["error_code"] == "cancelled"
            written_points = {
                k
                for k in store.objects
                if "dataset=shard_metrics" in k and f"/shard_id={row['shard_id']}/" in k
            }
            assert len(written_points) == row["points_processed"]

    # a redrive of every message does not revive the run, and writes nothing
    before = dict(store.objects)
    run_two_workers(ports, bodies, Timeline())
    assert store.objects == before
    assert run_status("mistake", store=store, keys=ports.keys).state == "cancelled"
    with pytest.raises(RunCancelled):
        ports.submit(BIG_RUN)


def test_a_cancel_accepted_as_the_last_shard_succeeded_leaves_the_run_succeeded_and_resendable() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.run_queued()
    # the race: the cancel saw the last shard still running, which then finished before it looked
    marker = CancellationMarker.of("small-run", "2026-11-28", ports.clock.now(), CLI)
    ports.store.put(ports.keys.cancellation("small-run"), marker.to_json_bytes())

    status = run_status("small-run", store=ports.store, keys=ports.keys)
    again = ports.submit(SMALL_REQUEST)

    assert (status.state, status.shards_succeeded, status.shards_cancelled) == ("succeeded", 3, 0)
    assert (again.status, again.dispatched) == ("already_accepted", ())


def test_a_continuation_of_a_cancelled_run_records_the_shard_as_cancelled_and_sends_nothing() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "dimensions": {"num_drivers": [4, 6, 8, 10, 12, 14]}, "shard_count": 1})
    (body,) = ports.queue.take_all()
    budget = WorkBudget(WorkLimits(part_seconds=4.0), ports.clock)
    first = ports.execute(body, budget=budget, simulator=ticking(ports.clock))  # 1 s per point
    (continuation,) = ports.queue.take_all()
    cancel(ports)

    result = execute(ports, continuation)

    assert (first.status, first.points_processed) == ("continued", 2)
    assert (result.status, result.points_processed) == ("cancelled", 2)
    assert ports.queue.bodies == []
    status = run_status("small-run", store=ports.store, keys=ports.keys)
    assert (status.state, status.shards_cancelled, status.shards_pending) == ("cancelled", 1, 0)
    written = [k for k in ports.store.objects if "dataset=shard_metrics" in k]
    assert len(written) == 2


def test_a_part_stopped_by_a_cancel_sends_no_continuation() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "dimensions": {"num_drivers": [4, 6, 8, 10, 12, 14]}, "shard_count": 1})
    (body,) = ports.queue.take_all()

    result = ports.execute(
        body,
        lambda index: cancel(ports) if index == 1 else None,
        budget=WorkBudget(WorkLimits(part_seconds=60), ports.clock),
        cancel_check_seconds=0.0,
    )

    assert (result.status, result.points_processed) == ("cancelled", 2)
    assert ports.queue.bodies == []
