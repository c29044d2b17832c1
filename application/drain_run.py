"""Application service: work a run's queued shards until the run is no longer running.

The workers stop on their own once nothing is left to take (a shard still failing then sits in
the dead-letter queue, or with another worker); the run's status, read at most every
``check_every`` seconds from its outcome records, stops them as soon as every shard has ended
(in a cancelled run too: its remaining shards are each recorded as cancelled first).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from application.run_status import RunStatus, run_status
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore
from ports.workers import PointsCallback, ShardWorkers


def drain_run(
    run_id: str,
    *,
    workers: ShardWorkers,
    store: BlobStore,
    keys: StorageKeys,
    on_points: PointsCallback | None = None,
    check_every: float = 1.0,
    monotonic: Callable[[], float] = time.monotonic,
) -> RunStatus:
    last_check = float("-inf")

    def finished() -> bool:
        nonlocal last_check
        if monotonic() - last_check < check_every:
            return False
        last_check = monotonic()
        return run_status(run_id, store=store, keys=keys).ended

    workers.work(finished, on_points)
    return run_status(run_id, store=store, keys=keys)
