"""The benchmarks' one timing hook: the time spent inside the simulation while shards run.

The container's ``simulator`` provider is the worker's simulation; overriding it with a timed one
measures the simulation without touching any module's internals.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dependency_injector import providers

from entrypoints.container import Container


@contextmanager
def simulation_seconds(container: Container) -> Iterator[list[float]]:
    """While the block runs, every simulation the container's workers run appends its seconds."""
    from domain.simulation import simulate

    spent: list[float] = []

    def timed(parameters: Any, seed: int) -> Any:
        started = time.perf_counter()
        try:
            return simulate(parameters, seed)
        finally:
            spent.append(time.perf_counter() - started)

    with container.simulator.override(providers.Object(timed)):
        yield spent
