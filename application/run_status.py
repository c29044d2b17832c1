"""Use case: where a run stands, counted from its shard outcome records (docs/contract.md §1 GET)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from application.run_manifest import read_manifest
from application.submit_sweep import shard_ids_with_outcome
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore

RunState = Literal["running", "succeeded", "failed", "partial"]


@dataclass(frozen=True, slots=True)
class RunStatus:
    run_id: str
    run_date: str
    total_points: int
    shard_count: int
    shards_succeeded: int
    shards_failed: int
    shards_pending: int
    state: RunState
    failed_shard_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body.pop("failed_shard_ids")
        return body


def run_status(run_id: str, *, store: BlobStore, keys: StorageKeys) -> RunStatus:
    manifest = read_manifest(store, keys, run_id)
    run_date = manifest.run_date
    shard_count = manifest.shard_count
    # Only the planned shards count: an outcome a stray message wrote for a shard id outside the
    # plan must not make pending negative or turn a finished run "partial".
    planned = set(range(shard_count))
    succeeded = shard_ids_with_outcome(store, keys, run_date, run_id, "success") & planned
    failed = (shard_ids_with_outcome(store, keys, run_date, run_id, "failure") & planned) - succeeded
    pending = shard_count - len(succeeded) - len(failed)
    return RunStatus(
        run_id=run_id,
        run_date=run_date,
        total_points=manifest.total_points,
        shard_count=shard_count,
        shards_succeeded=len(succeeded),
        shards_failed=len(failed),
        shards_pending=pending,
        state=_state(len(succeeded), len(failed), pending),
        failed_shard_ids=tuple(sorted(failed)),
    )


def _state(succeeded: int, failed: int, pending: int) -> RunState:
    if pending > 0:
        return "running"
    if failed == 0:
        return "succeeded"
    return "failed" if succeeded == 0 else "partial"
