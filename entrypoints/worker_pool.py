"""Worker processes for local runs: started fast, handed one shard at a time, stoppable at once.

Workers are forked from a multiprocessing *forkserver* that imported the simulation, pyarrow, the
adapters and the use cases once (entrypoints/forkserver.py), so a worker starts in tens of
milliseconds instead of re-importing numpy, scipy and pyarrow for a second or more. Where there is
no forkserver (not POSIX), workers are spawned.

The parent hands a shard message to a worker only when the worker is free, so the last shards go
to whichever worker frees up first; continuations (docs/contract.md §4) a worker sends come back
to the parent and are handed out first. ``stop()`` (first Ctrl-C) stops handing out messages and
sets an event every worker checks after each point: a running shard stops at its next point
boundary, its finished points written, its outcome not (the next run of the request runs it
again, rewriting the same bytes). Workers still busy after ``STOP_GRACE_SECONDS`` are killed.
``kill()`` (second Ctrl-C) kills every worker at once.

Workers ignore SIGINT and SIGTERM: a Ctrl-C at the terminal (or a SIGTERM sent to the process group,
as service managers and CI runners do) reaches every process of the group, and only the parent
decides what it means; it stops workers with SIGKILL. A worker that dies once a stop was asked for
is part of the stop, not a failure of the run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from entrypoints.forkserver import start_context, warm_up
from entrypoints.settings import Settings

if TYPE_CHECKING:
    from application.execute_shard import ShardResult

STOP_GRACE_SECONDS = 2.0
"""After ``stop()``, how long a worker may take to reach its next point boundary before it is killed."""
POLL_SECONDS = 0.1


class ShardInterrupted(Exception):
    """Raised from a shard's point callback once the run is stopping: the shard ends without outcome."""


class WorkerDied(Exception):
    """A worker process ended while running a shard (killed, out of memory)."""


@dataclass
class _Worker:
    process: Any
    connection: Connection
    started: float
    ready_after: float | None = None
    task: int | None = None


@dataclass
class PoolReport:
    """What a pool did: each message's result (by task number), and how long workers took to start."""

    results: dict[int, ShardResult] = field(default_factory=dict)
    startup_seconds: list[float] = field(default_factory=list)
    interrupted_tasks: int = 0
    bodies: list[bytes] = field(default_factory=list)
    """Every message run, in task order: the ones given, then continuations as they came."""


class WorkerPool:
    """``processes`` workers wired from ``settings``; ``run`` executes messages on them."""

    def __init__(self, settings: Settings, processes: int, *, stop: threading.Event | None = None) -> None:
        self._settings = settings
        self._processes = processes
        self.stop_requested = stop or threading.Event()
        self._context = start_context()
        self._stop_flag = self._context.Event()
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        from entrypoints.logs import console_level

        warm_up()  # a no-op when the command already started the forkserver
        for _ in range(self._processes):
            parent, child = self._context.Pipe()
            # Plain values only: a worker ignores SIGINT from its first line, and everything
            # unpickled before that line is a window where a Ctrl-C would print a traceback.
            environment = self._settings.model_dump(by_alias=True, mode="json")
            process = self._context.Process(
                target=worker_main,
                args=(child, environment, self._stop_flag, console_level()),
                daemon=True,
            )
            started = time.monotonic()
            process.start()
            child.close()
            self._workers.append(_Worker(process, parent, started))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def stop(self) -> None:
        self.stop_requested.set()

    def kill(self) -> None:
        """Kill every worker now (a second Ctrl-C)."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.kill()

    def close(self) -> None:
        """Ask idle workers to exit, kill the ones still busy, and reap them all."""
        for worker in self._workers:
            if worker.task is None and worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
        deadline = time.monotonic() + (STOP_GRACE_SECONDS if self._stop_flag.is_set() else 30.0)
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
        self._workers = []

    def run(self, bodies: Sequence[bytes], on_point: Callable[[], None] | None = None) -> PoolReport:
        """Run ``bodies`` in this order (and the continuations they send, first), one per free
        worker, until all are done or ``stop()``; raises the first failure a worker reports."""
        report = PoolReport(bodies=list(bodies))
        waiting: deque[int] = deque(range(len(bodies)))
        stopping_since: float | None = None
        failure: BaseException | None = None
        while True:
            if (self.stop_requested.is_set() or failure is not None) and stopping_since is None:
                stopping_since = time.monotonic()
                self._stop_flag.set()
                waiting.clear()
            busy = [w for w in self._workers if w.task is not None]
            if not waiting and not busy:
                break
            if stopping_since is not None and time.monotonic() - stopping_since > STOP_GRACE_SECONDS:
                self.kill()
                break
            for worker in self._workers:
                if waiting and worker.task is None and worker.ready_after is not None:
                    worker.task = waiting.popleft()
                    with contextlib.suppress(OSError):  # it died: its sentinel tells the rest
                        worker.connection.send((worker.task, report.bodies[worker.task]))
            failure = self._receive(report, waiting, on_point) or failure
        if failure is not None:
            raise failure
        return report

    def _receive(
        self, report: PoolReport, waiting: deque[int], on_point: Callable[[], None] | None
    ) -> BaseException | None:
        by_connection: dict[Any, _Worker] = {w.connection: w for w in self._workers}
        by_sentinel: dict[Any, _Worker] = {w.process.sentinel: w for w in self._workers}
        ready = wait([*by_connection, *by_sentinel], timeout=POLL_SECONDS)
        failure: BaseException | None = None
        for item in ready:
            if item in by_connection:
                worker = by_connection[item]
                try:
                    message = worker.connection.recv()
                except (EOFError, OSError):
                    continue  # the sentinel says why
                failure = self._handle(worker, message, report, waiting, on_point) or failure
        for item in ready:
            dead = by_sentinel.get(item)
            if dead is None or dead.connection.poll() or dead.process.exitcode is None:
                continue
            self._workers.remove(dead)
            stopping = self._stop_flag.is_set() or self.stop_requested.is_set()
            if not stopping and (dead.task is not None or dead.ready_after is None):
                doing = f"running shard message {dead.task}" if dead.task is not None else "starting"
                failure = failure or WorkerDied(
                    f"a worker process (pid {dead.process.pid}) ended with exit code "
                    f"{dead.process.exitcode} while {doing}"
                )
            dead.connection.close()
            dead.process.join()
        return failure

    def _handle(
        self,
        worker: _Worker,
        message: tuple[Any, ...],
        report: PoolReport,
        waiting: deque[int],
        on_point: Callable[[], None] | None,
    ) -> BaseException | None:
        kind = message[0]
        if kind == "ready":
            worker.ready_after = time.monotonic() - worker.started
            report.startup_seconds.append(worker.ready_after)
        elif kind == "point":
            if on_point is not None:
                on_point()
        elif kind == "done":
            _, task, result, continuations = message
            report.results[task] = result
            worker.task = None
            for body in reversed(continuations):  # the rest of a long shard goes out first
                report.bodies.append(body)
                waiting.appendleft(len(report.bodies) - 1)
        elif kind == "interrupted":
            worker.task = None
            report.interrupted_tasks += 1
        elif kind == "error":
            worker.task = None
            error: BaseException = message[2]
            return error
        return None


def worker_main(
    connection: Connection, environment: dict[str, Any], stop: Any, log_level: str = "WARNING"
) -> None:
    """A worker process: runs the shard messages it is sent until it is sent ``None``; its console
    shows the log events at ``log_level`` or above, as the parent's does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from entrypoints.container import build_container
    from entrypoints.logs import configure_logging
    from entrypoints.story import execute_logged

    settings = Settings.model_validate(environment)
    configure_logging(log_level, run_log_dir=settings.run_log_dir)  # the runs' stories go to their files
    container = build_container(settings)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        number, body = task

        def point_done(_index: int, number: int = number) -> None:
            connection.send(("point", number))
            if stop.is_set():
                raise ShardInterrupted

        try:
            result = execute_logged(
                container, body, attempt=1, budget=container.work_budget(), on_point=point_done
            )
        except ShardInterrupted:
            container.shard_inbox().take_all()
            connection.send(("interrupted", number))
            continue
        except Exception as exc:  # reported to the parent, which stops the run and raises it
            connection.send(("error", number, _picklable(exc)))
            continue
        connection.send(("done", number, result, container.shard_inbox().take_all()))


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
