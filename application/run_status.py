"""Use case: where a run stands, counted from its records (docs/contract.md §1 GET).

Counting takes three requests whatever the run's size (a listing page holds 1,000 keys): the
manifest, one listing of the run's own records (the cancellation marker and the shards recorded as
cancelled) and one listing of its outcome records; a cancelled run's marker is read too. No outcome
is read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from application.cancellation import find_cancellation
from application.run_manifest import read_manifest
from domain.manifest import RunManifest
from domain.planning import shard_ranges
from domain.storage_keys import StorageKeys, shard_id_of_key
from ports.blob_store import BlobStore

RunState = Literal["running", "succeeded", "failed", "partial", "cancelled"]


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
    shards_cancelled: int = 0
    """Shards a worker stopped, or never started, because the run was cancelled."""
    cancelled_at: str | None = None
    failed_shard_ids: tuple[int, ...] = ()
    points_succeeded: int = 0
    """Points of the shards that succeeded."""
    replicates: int = 1

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        for internal in ("failed_shard_ids", "points_succeeded", "replicates"):
            body.pop(internal)
        return body

    @property
    def ended(self) -> bool:
        """No shard will change any more: every one has an outcome (a cancelled run counts its
        pending shards as stopped: workers only record them as cancelled)."""
        return self.shards_pending == 0


def run_status(run_id: str, *, store: BlobStore, keys: StorageKeys) -> RunStatus:
    return status_of(read_manifest(store, keys, run_id), store=store, keys=keys)


def status_of(manifest: RunManifest, *, store: BlobStore, keys: StorageKeys) -> RunStatus:
    run_id, run_date, shard_count = manifest.run_id, manifest.run_date, manifest.shard_count
    records = store.list_keys(keys.run_prefix(run_id))
    cancelled_marker = keys.cancellation(run_id) in records
    outcomes = store.list_keys(keys.outcomes_prefix(run_date, run_id))
    # Only the planned shards count: an outcome a stray message wrote for a shard id outside the
    # plan must not make pending negative or turn a finished run "partial".
    planned = set(range(shard_count))
    succeeded = _shard_ids(outcomes, "/status=success/") & planned
    ended_badly = (_shard_ids(outcomes, "/status=failure/") & planned) - succeeded
    cancelled = ended_badly & _cancelled_shard_ids(records, keys.run_prefix(run_id))
    failed = ended_badly - cancelled
    pending = shard_count - len(succeeded) - len(ended_badly)
    ranges = shard_ranges(manifest.total_points, shard_count)
    return RunStatus(
        run_id=run_id,
        run_date=run_date,
        total_points=manifest.total_points,
        shard_count=shard_count,
        shards_succeeded=len(succeeded),
        shards_failed=len(failed),
        shards_pending=pending,
        shards_cancelled=len(cancelled),
        state=_state(len(succeeded), len(failed), pending, shard_count, cancelled_marker),
        cancelled_at=_cancelled_at(store, keys, run_id) if cancelled_marker else None,
        failed_shard_ids=tuple(sorted(failed)),
        points_succeeded=sum(ranges[s].size for s in succeeded),
        replicates=manifest.replicates,
    )


def _shard_ids(keys: list[str], status_segment: str) -> set[int]:
    found = (shard_id_of_key(k) for k in keys if status_segment in k)
    return {s for s in found if s is not None}


def _cancelled_shard_ids(records: list[str], run_prefix: str) -> set[int]:
    found = (shard_id_of_key(k) for k in records if k.startswith(run_prefix + "cancelled_shards/"))
    return {s for s in found if s is not None}


def _cancelled_at(store: BlobStore, keys: StorageKeys, run_id: str) -> str | None:
    marker = find_cancellation(store, keys, run_id)
    return marker.cancelled_at.isoformat() if marker is not None else None


def _state(succeeded: int, failed: int, pending: int, shard_count: int, cancelled: bool) -> RunState:
    if cancelled and succeeded < shard_count:
        return "cancelled"  # a cancel that came after every shard succeeded changed nothing
    if pending > 0:
        return "running"
    if failed == 0:
        return "succeeded"
    return "failed" if succeeded == 0 else "partial"
