"""Runs every shard of a run in-process, on worker processes, with per-point progress."""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from application.execute_shard import ShardResult
from entrypoints import use_cases
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings

ProgressCallback = Callable[[int], None]

_worker_container: Container | None = None
_worker_progress: Any = None


@dataclass(frozen=True, slots=True)
class DrainReport:
    results: tuple[ShardResult, ...]

    @property
    def failed(self) -> tuple[ShardResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")


def execute_bodies(
    bodies: Sequence[bytes],
    settings: Settings,
    *,
    workers: int = 1,
    container: Container | None = None,
    on_points: ProgressCallback | None = None,
) -> DrainReport:
    """Execute shard messages; ``workers > 1`` spreads them over processes."""
    if workers <= 1 or len(bodies) <= 1:
        container = container or build_container(settings)
        results = []
        for body in bodies:
            results.append(_execute(container, body, on_points))
        return DrainReport(tuple(results))
    return _execute_in_processes(bodies, settings, workers, on_points)


def _execute(container: Container, body: bytes, on_points: ProgressCallback | None) -> ShardResult:
    def one_point(_index: int) -> None:
        if on_points is not None:
            on_points(1)

    return use_cases.execute(container, body, on_point=one_point)


def _init_worker(settings: Settings, progress: Any) -> None:
    global _worker_container, _worker_progress
    _worker_container = build_container(settings)
    _worker_progress = progress


def _execute_in_worker(body: bytes) -> ShardResult:
    assert _worker_container is not None
    progress = _worker_progress
    return _execute(_worker_container, body, progress.put if progress is not None else None)


def _execute_in_processes(
    bodies: Sequence[bytes], settings: Settings, workers: int, on_points: ProgressCallback | None
) -> DrainReport:
    context = mp.get_context("spawn")
    progress = context.Queue()
    results: dict[int, ShardResult] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(settings, progress)
    ) as pool:
        futures: dict[Future[ShardResult], int] = {
            pool.submit(_execute_in_worker, body): i for i, body in enumerate(bodies)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _forward_progress(progress, on_points)
            for future in done:
                results[futures[future]] = future.result()
        _forward_progress(progress, on_points)
    return DrainReport(tuple(results[i] for i in range(len(bodies))))


def _forward_progress(progress: Any, on_points: ProgressCallback | None) -> None:
    count = 0
    while True:
        try:
            count += progress.get_nowait()
        except queue_module.Empty:
            break
    if count and on_points is not None:
        on_points(count)
