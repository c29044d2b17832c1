"""Use case: accept a sweep request, record it, and enqueue one message per shard (docs/contract.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from application.cancellation import find_cancellation
from application.run_manifest import find_manifest
from domain.contract import Limits, parse_sweep_request
from domain.cost_model import ContinuationAdvice, continuation_advice
from domain.errors import RunCancelled, RunConflict, RunModelChanged
from domain.manifest import RequestSource, RunManifest
from domain.planning import ShardRange, SweepPlan, plan_sweep
from domain.storage_keys import OutcomeStatus, StorageKeys, shard_id_of_key
from ports.blob_store import BlobStore
from ports.clock import Clock
from ports.queue import ShardQueue

SubmitStatus = Literal["accepted", "already_accepted"]


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """A run accepted now, or accepted before and resumed: its manifest, its plan and the shards
    enqueued by this call (on a resume, those without a success outcome)."""

    status: SubmitStatus
    manifest: RunManifest
    plan: SweepPlan
    dispatched: tuple[ShardRange, ...]
    continuation_advice: ContinuationAdvice | None = None
    """Set when shards are estimated to outgrow one worker invocation (docs/contract.md §4)."""

    @property
    def points_dispatched(self) -> int:
        return sum(shard.size for shard in self.dispatched)

    def answer(self) -> dict[str, Any]:
        """The answer's body (docs/contract.md §1), whichever way it is delivered."""
        plan = self.plan
        return {
            "status": self.status,
            "schema_version": plan.request.schema_version,
            "run_id": plan.request.run_id,
            "run_date": self.manifest.run_date,
            "total_points": plan.total_points,
            "replicates": plan.replicates,
            "total_simulations": plan.total_simulations,
            "simulation_model": plan.simulation_model,
            "shard_count": plan.shard_count,
            "shards_dispatched": len(self.dispatched),
            "config_fingerprint": plan.config_fingerprint,
            "request_fingerprint": plan.request_fingerprint,
            "dispatches": [s.as_dict() for s in self.dispatched],
            "warnings": [self.continuation_advice.as_warning()] if self.continuation_advice else [],
        }


def submit_sweep(
    payload: object,
    source: RequestSource,
    *,
    store: BlobStore,
    queue: ShardQueue,
    clock: Clock,
    keys: StorageKeys,
    limits: Limits,
    invocation_seconds: float | None = None,
) -> SubmitResult:
    """Validate → plan → create the manifest (conditional) → run_context → enqueue → result.

    Raises ``RequestValidationError`` (nothing written), ``RunConflict`` (nothing written),
    ``RunModelChanged`` (the run was planned under another simulation model; nothing written or
    enqueued), ``RunCancelled`` (the run was cancelled; nothing written or enqueued) or
    ``TransientError`` (the manifest may exist; resending the same request resumes the run).
    ``invocation_seconds``: the time a worker invocation has for a shard message, to warn of
    shards estimated to need continuations.
    """
    plan = plan_sweep(parse_sweep_request(payload, limits), limits)
    advice = None if invocation_seconds is None else continuation_advice(plan, invocation_seconds)
    run_id = plan.request.run_id
    manifest = RunManifest.accept(plan, clock.now(), source)
    if store.create_if_absent(keys.manifest(run_id), manifest.to_json_bytes()):
        _index_newest_first(store, keys, manifest)
        _write_run_context(store, keys, manifest)
        shards = plan.shards
        status: SubmitStatus = "accepted"
    else:
        manifest = _existing_manifest(store, keys, run_id)
        check_resend(manifest, plan)
        done = shard_ids_with_outcome(store, keys, manifest.run_date, run_id, "success")
        shards = tuple(s for s in plan.shards if s.shard_id not in done)
        cancelled = find_cancellation(store, keys, run_id) if shards else None
        if cancelled is not None:  # (a cancel that came after every shard succeeded changed nothing)
            raise RunCancelled(run_id, cancelled.cancelled_at.isoformat())
        _index_newest_first(store, keys, manifest)  # in case the first submit stopped before it
        _write_run_context(store, keys, manifest)
        status = "already_accepted"
    queue.send([plan.shard_message(shard, manifest.run_date) for shard in shards])
    return SubmitResult(status, manifest, plan, shards, advice)


def accepted_run(plan: SweepPlan, *, store: BlobStore, keys: StorageKeys) -> RunManifest | None:
    """The run that submitting ``plan`` would resume, or ``None`` when its run id is free; one read
    (the run's manifest), nothing written. Raises ``RunConflict`` or ``RunModelChanged`` as
    ``submit_sweep`` would (a cancelled run is only found by submitting: it takes another read)."""
    manifest = find_manifest(store, keys, plan.request.run_id)
    if manifest is not None:
        check_resend(manifest, plan)
    return manifest


def check_resend(manifest: RunManifest, plan: SweepPlan) -> None:
    """Raises ``RunConflict`` when the run of ``manifest`` was accepted with another request than
    ``plan``'s, and ``RunModelChanged`` when it was planned under another simulation model."""
    run_id = manifest.run_id
    if manifest.request_fingerprint != plan.request_fingerprint:
        raise RunConflict(run_id, manifest.request_fingerprint, plan.request_fingerprint)
    if manifest.simulation_model != plan.simulation_model:
        raise RunModelChanged(run_id, manifest.simulation_model, plan.simulation_model)


def _existing_manifest(store: BlobStore, keys: StorageKeys, run_id: str) -> RunManifest:
    manifest = find_manifest(store, keys, run_id)
    if manifest is None:  # created and removed between our two calls: treat as a conflict to retry
        raise RunConflict(run_id, "(unreadable)", "(this request)")
    return manifest


def _index_newest_first(store: BlobStore, keys: StorageKeys, manifest: RunManifest) -> None:
    """The run's entry in the index that lists runs newest first (application/list_runs.py);
    derived from the manifest alone, so a resubmit rewrites the same key with the same bytes."""
    accepted_ms = int(manifest.accepted_at.timestamp() * 1000)
    store.put(keys.newest_first(accepted_ms, manifest.run_id), manifest.run_id.encode("utf-8"))


def _write_run_context(store: BlobStore, keys: StorageKeys, manifest: RunManifest) -> None:
    """run_context is derived from the manifest alone, so rewriting it gives the same bytes."""
    from application.run_context import encode_run_context  # keeps pyarrow off the import path

    store.put(keys.run_context(manifest.run_date, manifest.run_id), encode_run_context(manifest))


def shard_ids_with_outcome(
    store: BlobStore, keys: StorageKeys, run_date: str, run_id: str, status: OutcomeStatus
) -> set[int]:
    prefix = keys.outcomes_prefix(run_date, run_id) + f"status={status}/"
    found = (shard_id_of_key(key) for key in store.list_keys(prefix))
    return {shard_id for shard_id in found if shard_id is not None}
