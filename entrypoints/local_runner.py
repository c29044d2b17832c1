"""Runs queued shards on this machine, with per-point progress: the shard workers of the local and
memory backends.

One worker runs in this process; more run on a pool of worker processes
(entrypoints/worker_pool.py). Either way the dearest shards (by the cost model) go first, so the
cheap ones fill the gaps at the end and no worker idles while another finishes a long shard; a
``stop()`` (Ctrl-C) stops handing out shards and interrupts the running ones at their next point.
While shards of a run execute here, the run is marked as worked on (entrypoints/run_activity.py),
so ``ridesweep status`` can tell a run in progress from one nothing is working on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from entrypoints.run_activity import working_on
from entrypoints.story import execute_logged
from entrypoints.worker_pool import ShardInterrupted, WorkerPool
from ports.queue import ShardInbox
from ports.workers import PointsCallback

if TYPE_CHECKING:
    from application.execute_shard import ShardResult
    from entrypoints.container import Container


@dataclass(frozen=True, slots=True)
class DrainReport:
    results: tuple[ShardResult, ...]
    startup_seconds: tuple[float, ...] = ()
    """How long each worker process took from its start to being ready for a shard."""
    interrupted: int = 0
    """Shards stopped at a point boundary by ``stop()``: they have no outcome yet."""

    @property
    def failed(self) -> tuple[ShardResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")


@dataclass
class StopSignal:
    """Set once to stop a run; shared by the runner, its pools and the point callbacks."""

    event: threading.Event = field(default_factory=threading.Event)
    pools: list[WorkerPool] = field(default_factory=list)
    """The pools now running, for ``kill``."""

    def is_set(self) -> bool:
        return self.event.is_set()

    def kill(self) -> None:
        for pool in list(self.pools):
            pool.kill()


class InProcessWorkers:
    """``ports.workers.ShardWorkers`` over the in-process queue: takes every waiting message and runs
    it on ``processes`` workers (one: in this process, on ``container``)."""

    def __init__(self, inbox: ShardInbox, container: Container, *, processes: int = 1) -> None:
        self._inbox = inbox
        self._container = container
        self._processes = processes
        self._stop = StopSignal()
        self.reports: list[DrainReport] = []

    def work(self, finished: Callable[[], bool], on_points: PointsCallback | None = None) -> None:
        while not finished() and not self._stop.is_set():
            bodies = self._inbox.take_all()
            if not bodies:
                return
            self.reports.append(
                execute_bodies(
                    bodies, self._container, workers=self._processes, on_points=on_points, stop=self._stop
                )
            )

    def stop(self) -> None:
        self._stop.event.set()

    def kill(self) -> None:
        """Kill the worker processes now (after ``stop``, when the user will not wait)."""
        self._stop.kill()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()


def execute_bodies(
    bodies: Sequence[bytes],
    container: Container,
    *,
    workers: int = 1,
    on_points: PointsCallback | None = None,
    stop: StopSignal | None = None,
) -> DrainReport:
    """Execute shard messages, the dearest first; ``workers > 1`` spreads them over processes, each
    wired from the container's settings. In this process, a continuation (docs/contract.md §4)
    goes to the container's queue, for the caller's next take; worker processes hand theirs back
    to the pool, which runs them next."""
    stop = stop or StopSignal()
    ordered = dearest_first(bodies)
    settings = container.settings()
    with working_on(settings, _run_ids(ordered)):
        if workers <= 1 or len(ordered) <= 1:
            return _execute_here(ordered, container, on_points, stop)
        with WorkerPool(settings, min(workers, len(ordered)), stop=stop.event) as pool:
            stop.pools.append(pool)
            try:
                report = pool.run(ordered, on_point=(lambda: on_points(1)) if on_points else None)
            finally:
                stop.pools.remove(pool)
        return DrainReport(
            tuple(report.results[i] for i in sorted(report.results)),
            tuple(report.startup_seconds),
            report.interrupted_tasks,
        )


def _execute_here(
    bodies: Sequence[bytes], container: Container, on_points: PointsCallback | None, stop: StopSignal
) -> DrainReport:
    results: list[ShardResult] = []

    def one_point(_index: int) -> None:
        if on_points is not None:
            on_points(1)
        if stop.is_set():
            raise ShardInterrupted

    for body in bodies:
        if stop.is_set():
            break
        try:
            result: ShardResult = execute_logged(
                container, body, attempt=1, budget=container.work_budget(), on_point=one_point
            )
        except ShardInterrupted:
            return DrainReport(tuple(results), interrupted=1)
        results.append(result)
    return DrainReport(tuple(results))


def dearest_first(bodies: Sequence[bytes]) -> list[bytes]:
    """``bodies`` ordered by their estimated cost, the dearest first (longest processing time
    first: the cheap shards then fill in at the end). A body that does not parse keeps its place
    after them; the worker reports it."""
    from domain.contract import normalise_space
    from domain.cost_model import SpaceCost
    from domain.planning import ParameterSpace

    costs: dict[int, float] = {}
    spaces: dict[str, SpaceCost] = {}
    for i, body in enumerate(bodies):
        try:
            message = json.loads(body)
            key = message["config_fingerprint"]
            if key not in spaces:
                dims, base = normalise_space(message["dimensions"], message["base_parameters"])
                spaces[key] = SpaceCost(ParameterSpace(dims, base))
            first = message.get("resume_index") or message["start_index"]
            costs[i] = spaces[key].range_seconds(first, message["end_index_exclusive"]) * message.get(
                "replicates", 1
            )
        except Exception:  # ordering is advice; a bad body fails where it runs
            costs[i] = -1.0
    return [bodies[i] for i in sorted(range(len(bodies)), key=lambda i: (-costs[i], i))]


def _run_ids(bodies: Sequence[bytes]) -> list[str]:
    ids: set[str] = set()
    for body in bodies:
        try:
            run_id = json.loads(body).get("run_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(run_id, str):
            ids.add(run_id)
    return sorted(ids)
