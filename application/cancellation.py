"""Reading a run's cancellation marker (docs/contract.md §5), and the worker's cheap question
"was this run cancelled?", asked before each shard and between points.

Asking the store before every point would cost a request per point: on S3 a HEAD takes about as
long as a default point's simulation (tens of milliseconds; ``bench/bench_aws.py`` measures it), so
the worker would spend half its time asking. ``CancellationCheck`` asks at most once per
``interval`` seconds (the ``CANCEL_CHECK_SECONDS`` setting, 1 s by default): a cancel then stops a
running shard within a second plus one point, for one small request per second of work.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from domain.cancellation import CancellationMarker
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore

DEFAULT_CHECK_SECONDS = 1.0


def find_cancellation(store: BlobStore, keys: StorageKeys, run_id: str) -> CancellationMarker | None:
    data = store.get(keys.cancellation(run_id))
    return None if data is None else CancellationMarker.from_json_bytes(data)


class CancellationCheck:
    """Whether one run was cancelled, asked of the store at most every ``interval`` seconds.

    Once the marker is seen the answer stays yes (a marker is never removed). ``before_asking``
    runs just before each question to the store: the worker waits there for the point writes it
    already started, so nothing of the shard is written after it has seen the marker.
    """

    def __init__(
        self,
        store: BlobStore,
        keys: StorageKeys,
        run_id: str,
        *,
        interval: float = DEFAULT_CHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._key = keys.cancellation(run_id)
        self._interval = interval
        self._monotonic = monotonic
        self._last_asked = float("-inf")
        self._seen = False
        self.questions = 0
        """How many times the store was asked (for tests and benchmarks)."""

    def cancelled(self, *, now: bool = False, before_asking: Callable[[], None] | None = None) -> bool:
        """``now``: ask the store whatever the interval says (before a shard starts)."""
        if self._seen:
            return True
        if not now and self._monotonic() - self._last_asked < self._interval:
            return False
        if before_asking is not None:
            before_asking()
        self._last_asked = self._monotonic()
        self.questions += 1
        self._seen = self._store.exists(self._key)
        return self._seen
