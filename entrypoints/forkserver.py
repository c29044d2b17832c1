"""The server local worker processes are forked from, started as early as a command knows it will
want workers: it imports the simulation, pyarrow, the adapters and the use cases once
(``PRELOAD``), about a second, while the command itself starts up, so each worker then starts in
milliseconds instead of importing them again. This module imports nothing heavy itself: it is the
first thing ``ridesweep run`` loads.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

PRELOAD = (
    "entrypoints.container",
    "entrypoints.story",
    "application.execute_shard",
    "application.results_codec",
    "domain.simulation.engine",
    "adapters.local.file_blob_store",
    "pyarrow.parquet",
)
"""What a worker imports before its first shard: the forkserver imports it once for all of them."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), the default number of workers."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def start_context() -> Any:
    """The forkserver context with the heavy modules preloaded, or spawn where there is none."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def warm_up() -> None:
    """Start the forkserver (and its imports) now, in the background of whatever comes next.

    The forkserver is started with SIGINT and SIGTERM blocked, which it keeps through its exec and
    passes on to every worker it forks: a Ctrl-C at the terminal reaches the whole process group,
    and a forkserver still importing its modules (about a second) would otherwise die of it with a
    traceback, failing the run's first workers; only the command decides what a signal means
    (entrypoints/cli/interrupts.py). The forkserver still ends with the command, whose exit closes
    its pipe, and workers are stopped with SIGKILL.
    """
    context = start_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver, resource_tracker

        # The resource tracker first: starting it unblocks SIGINT and SIGTERM when it is done
        # (it holds them back for its own start), which would let them through to the forkserver.
        resource_tracker.ensure_running()
        with _stop_signals_held(), _no_current_directory_on_path():
            forkserver.ensure_running()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _no_current_directory_on_path() -> Iterator[None]:
    """The forkserver is ``python -c ...``, which puts the current directory first on its path,
    and Python 3.11's forkserver does not apply the parent's path: run from a directory holding a
    ``domain/``, ``adapters/`` or ``entrypoints/`` package (another project's, or a checkout of
    another version of this one), the workers would import that code instead of ridesweep's.
    PYTHONSAFEPATH (Python 3.11+) keeps the current directory off its path."""
    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = previous


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM blocked (held back, not lost) for the few milliseconds a fork and exec
    take. The forkserver starts with them blocked, as a process keeps its signal mask through
    exec, and passes that on to the workers it forks; a signal that reaches the command meanwhile
    stays pending and is handled the moment the mask is restored. (Ignoring them instead lost a
    Ctrl-C that landed in that window.)"""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread's mask matters to the command's handlers
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
