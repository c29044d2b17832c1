"""Use case: cancel a run (docs/contract.md §1 DELETE) by creating its cancellation marker.

The marker is created with a conditional write, so of two racing cancels one creates it and both
answer with its record; a cancel of a cancelled run answers the same. Workers see the marker
before each shard and between points (application/cancellation.py) and record the shards they
did not finish as failures with ``error_code`` ``cancelled``.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.cancellation import find_cancellation
from application.run_manifest import read_manifest
from application.run_status import run_status
from domain.cancellation import CancellationMarker
from domain.errors import RunAlreadyEnded
from domain.manifest import RequestSource
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore
from ports.clock import Clock


@dataclass(frozen=True, slots=True)
class CancelResult:
    marker: CancellationMarker
    created: bool
    """``False``: the run was already cancelled (this call wrote nothing)."""


def cancel_run(
    run_id: str, source: RequestSource, *, store: BlobStore, keys: StorageKeys, clock: Clock
) -> CancelResult:
    """Raises ``RunNotFound`` for an unknown run and ``RunAlreadyEnded`` (nothing written) for a
    run whose every shard already has an outcome."""
    manifest = read_manifest(store, keys, run_id)
    existing = find_cancellation(store, keys, run_id)
    if existing is not None:
        return CancelResult(existing, created=False)
    state = run_status(run_id, store=store, keys=keys).state
    if state != "running":
        raise RunAlreadyEnded(run_id, state)
    marker = CancellationMarker.of(run_id, manifest.run_date, clock.now(), source)
    if store.create_if_absent(keys.cancellation(run_id), marker.to_json_bytes()):
        return CancelResult(marker, created=True)
    winner = find_cancellation(store, keys, run_id)
    assert winner is not None, "a cancellation marker is never removed"
    return CancelResult(winner, created=False)
