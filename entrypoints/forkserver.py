"""The server local worker processes are forked from, started as early as a command knows it will
want workers: it imports the simulation, pyarrow, the adapters and the use cases once
(``PRELOAD``), about a second, while the command itself starts up, so each worker then starts in
milliseconds instead of importing them again. This module imports nothing heavy itself: it is the
first thing ``ridesweep run`` loads.
"""

from __future__ import annotations

import multiprocessing as mp
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


def start_context() -> Any:
    """The forkserver context with the heavy modules preloaded, or spawn where there is none."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def warm_up() -> None:
    """Start the forkserver (and its imports) now, in the background of whatever comes next."""
    context = start_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
