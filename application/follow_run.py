"""Use case: follow a run until it ends, one look every ``interval`` seconds (``ridesweep watch``).

Each look is a status read (three requests whatever the run's size, application/run_status.py);
a shard that failed since the last look has its outcome record read once, for its error code and
message. The run ends when every shard has an outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from application.results_codec import decode
from application.run_status import RunStatus, run_status
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore


@dataclass(frozen=True, slots=True)
class FailedShard:
    shard_id: int
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True, slots=True)
class RunLook:
    status: RunStatus
    new_failures: tuple[FailedShard, ...]
    """Shards whose failure was first seen at this look (cancelled shards are only counted)."""


def follow_run(
    run_id: str,
    *,
    store: BlobStore,
    keys: StorageKeys,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[RunLook]:
    """One ``RunLook`` per look, the last one once the run has ended. Raises ``RunNotFound``."""
    reported: set[int] = set()
    while True:
        status = run_status(run_id, store=store, keys=keys)
        new = [s for s in status.failed_shard_ids if s not in reported]
        reported.update(new)
        yield RunLook(status, tuple(failed_shard(store, keys, status, s) for s in new))
        if status.ended:
            return
        sleep(interval)


def failed_shard(store: BlobStore, keys: StorageKeys, status: RunStatus, shard_id: int) -> FailedShard:
    data = store.get(keys.outcome(status.run_date, status.run_id, "failure", shard_id))
    if data is None:  # a success replaced it since the listing
        return FailedShard(shard_id, None, None)
    row = decode(data).to_pylist()[0]
    return FailedShard(shard_id, row.get("error_code"), row.get("error_message"))
