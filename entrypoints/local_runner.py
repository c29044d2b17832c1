"""Runs queued shards in-process, on worker processes, with per-point progress: the shard workers
of the local and memory backends."""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from entrypoints.settings import Settings
from ports.queue import ShardInbox
from ports.workers import PointsCallback

if TYPE_CHECKING:
    from application.execute_shard import ShardResult
    from entrypoints.container import Container

_worker_container: Container | None = None
_worker_progress: Any = None


@dataclass(frozen=True, slots=True)
class DrainReport:
    results: tuple[ShardResult, ...]

    @property
    def failed(self) -> tuple[ShardResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")


class InProcessWorkers:
    """``ports.workers.ShardWorkers`` over the in-process queue: takes every waiting message and runs
    it on ``processes`` worker processes (one: in this process, on ``container``)."""

    def __init__(self, inbox: ShardInbox, container: Container, *, processes: int = 1) -> None:
        self._inbox = inbox
        self._container = container
        self._processes = processes

    def work(self, finished: Callable[[], bool], on_points: PointsCallback | None = None) -> None:
        while not finished():
            bodies = self._inbox.take_all()
            if not bodies:
                return
            execute_bodies(bodies, self._container, workers=self._processes, on_points=on_points)


def execute_bodies(
    bodies: Sequence[bytes],
    container: Container,
    *,
    workers: int = 1,
    on_points: PointsCallback | None = None,
) -> DrainReport:
    """Execute shard messages; ``workers > 1`` spreads them over processes, each wired from the
    container's settings. In this process, a continuation (docs/contract.md §4) goes to the
    container's queue, for the caller's next take; worker processes run theirs themselves."""
    if workers <= 1 or len(bodies) <= 1:
        return DrainReport(tuple(_execute(container, body, on_points) for body in bodies))
    return _execute_in_processes(bodies, container.settings(), workers, on_points)


def _execute(container: Container, body: bytes, on_points: PointsCallback | None) -> ShardResult:
    """One shard message, as one worker invocation: its own budget (``SHARD_DEADLINE_SECONDS``,
    ``WORKER_MEMORY_MB``)."""

    def one_point(_index: int) -> None:
        if on_points is not None:
            on_points(1)

    result: ShardResult = container.execute_shard(
        body, attempt=1, budget=container.work_budget(), on_point=one_point
    )
    return result


def _init_worker(settings: Settings, progress: Any) -> None:
    from entrypoints.container import build_container

    global _worker_container, _worker_progress
    _worker_container = build_container(settings)
    _worker_progress = progress


def _execute_in_worker(body: bytes) -> tuple[ShardResult, list[bytes]]:
    """A shard message's result, and the continuation it sent (to this process's own queue)."""
    assert _worker_container is not None
    progress = _worker_progress
    result = _execute(_worker_container, body, progress.put if progress is not None else None)
    return result, _worker_container.shard_inbox().take_all()


def _execute_in_processes(
    bodies: Sequence[bytes], settings: Settings, workers: int, on_points: PointsCallback | None
) -> DrainReport:
    """Results in the order of ``bodies``, each continuation's after them in the order they end."""
    context = mp.get_context("spawn")
    progress = context.Queue()
    results: dict[int, ShardResult] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(settings, progress)
    ) as pool:
        futures: dict[Future[tuple[ShardResult, list[bytes]]], int] = {
            pool.submit(_execute_in_worker, body): i for i, body in enumerate(bodies)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _forward_progress(progress, on_points)
            for future in done:
                result, continuations = future.result()
                results[futures[future]] = result
                for body in continuations:  # straight to a free process, as SQS would deliver it
                    following = pool.submit(_execute_in_worker, body)
                    futures[following] = len(futures)
                    pending.add(following)
        _forward_progress(progress, on_points)
    return DrainReport(tuple(results[i] for i in range(len(futures))))


def _forward_progress(progress: Any, on_points: PointsCallback | None) -> None:
    count = 0
    while True:
        try:
            count += progress.get_nowait()
        except queue_module.Empty:
            break
    if count and on_points is not None:
        on_points(count)
