"""Use case: accept a sweep request, record it, and enqueue one message per shard (docs/contract.md §1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from domain.contract import (
    DEFAULT_REPLICATES,
    DEFAULT_SEED_STRATEGY,
    PRE_VERSIONING_SIMULATION_MODEL,
    Limits,
    parse_sweep_request,
)
from domain.errors import RunConflict, RunModelChanged
from domain.fingerprints import canonical_json
from domain.planning import ShardRange, SweepPlan, plan_sweep
from domain.storage_keys import OutcomeStatus, StorageKeys
from ports.blob_store import BlobStore
from ports.clock import Clock
from ports.queue import ShardQueue

RequestSourceKind = Literal["api", "cli", "local"]
MANIFEST_SCHEMA = "v1"


@dataclass(frozen=True, slots=True)
class RequestSource:
    """Who asked: recorded in run_context so a run can be traced back to its caller."""

    kind: RequestSourceKind
    source_ip: str | None = None
    user_agent: str | None = None
    api_request_id: str | None = None
    api_stage: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    status: Literal["accepted", "already_accepted"]
    body: dict[str, Any]

    @property
    def http_status(self) -> int:
        return 202 if self.status == "accepted" else 200


def submit_sweep(
    payload: object,
    source: RequestSource,
    *,
    store: BlobStore,
    queue: ShardQueue,
    clock: Clock,
    keys: StorageKeys,
    limits: Limits,
) -> SubmitResult:
    """Validate → plan → create the manifest (conditional) → run_context → enqueue → answer.

    Raises ``RequestValidationError`` (nothing written), ``RunConflict`` (nothing written),
    ``RunModelChanged`` (the run was planned under another simulation model; nothing written or
    enqueued) or ``TransientError`` (the manifest may exist; resending the same request resumes
    the run).
    """
    plan = plan_sweep(parse_sweep_request(payload, limits), limits)
    run_id = plan.request.run_id
    accepted_at = clock.now()
    manifest = _manifest(plan, accepted_at.date().isoformat(), accepted_at.isoformat(), source)
    if store.create_if_absent(keys.manifest(run_id), canonical_json(manifest).encode()):
        _write_run_context(store, keys, manifest)
        shards = plan.shards
        status: Literal["accepted", "already_accepted"] = "accepted"
    else:
        manifest = _existing_manifest(store, keys, run_id)
        if manifest["request_fingerprint"] != plan.request_fingerprint:
            raise RunConflict(run_id, manifest["request_fingerprint"], plan.request_fingerprint)
        if manifest_simulation_model(manifest) != plan.simulation_model:
            raise RunModelChanged(run_id, manifest_simulation_model(manifest), plan.simulation_model)
        _write_run_context(store, keys, manifest)
        done = shard_ids_with_outcome(store, keys, manifest["run_date"], run_id, "success")
        shards = tuple(s for s in plan.shards if s.shard_id not in done)
        status = "already_accepted"
    run_date = manifest["run_date"]
    queue.send([plan.shard_message(shard, run_date) for shard in shards])
    return SubmitResult(status, _answer(status, plan, run_date, shards))


def _manifest(
    plan: SweepPlan, run_date: str, accepted_at: str, source: RequestSource
) -> dict[str, Any]:
    return {
        "manifest_schema": MANIFEST_SCHEMA,
        "run_id": plan.request.run_id,
        "run_date": run_date,
        "accepted_at": accepted_at,
        "request_fingerprint": plan.request_fingerprint,
        "config_fingerprint": plan.config_fingerprint,
        "total_points": plan.total_points,
        "replicates": plan.replicates,
        "seed_strategy": plan.request.seed_strategy,
        "total_simulations": plan.total_simulations,
        "simulation_model": plan.simulation_model,
        "shard_count": plan.shard_count,
        "request": plan.request.canonical_dict(),
        "source": {
            "request_source": source.kind,
            "source_ip": source.source_ip,
            "user_agent": source.user_agent,
            "api_request_id": source.api_request_id,
            "api_stage": source.api_stage,
        },
    }


def manifest_replication(manifest: dict[str, Any]) -> tuple[int, str]:
    """``replicates`` and ``seed_strategy`` of a manifest; one written before they existed has
    the defaults."""
    return (
        int(manifest.get("replicates", DEFAULT_REPLICATES)),
        str(manifest.get("seed_strategy", DEFAULT_SEED_STRATEGY)),
    )


def manifest_simulation_model(manifest: dict[str, Any]) -> int:
    """The model a run was planned under; a manifest written before models were recorded was
    planned under the pre-versioning model."""
    return int(manifest.get("simulation_model", PRE_VERSIONING_SIMULATION_MODEL))


def _existing_manifest(store: BlobStore, keys: StorageKeys, run_id: str) -> dict[str, Any]:
    data = store.get(keys.manifest(run_id))
    if data is None:  # created and removed between our two calls: treat as a conflict to retry
        raise RunConflict(run_id, "(unreadable)", "(this request)")
    manifest: dict[str, Any] = json.loads(data)
    return manifest


def _write_run_context(store: BlobStore, keys: StorageKeys, manifest: dict[str, Any]) -> None:
    """run_context is derived from the manifest alone, so rewriting it gives the same bytes."""
    from application.run_context import encode_run_context  # keeps pyarrow off the import path

    store.put(
        keys.run_context(manifest["run_date"], manifest["run_id"]), encode_run_context(manifest)
    )


def shard_ids_with_outcome(
    store: BlobStore, keys: StorageKeys, run_date: str, run_id: str, status: OutcomeStatus
) -> set[int]:
    prefix = keys.outcomes_prefix(run_date, run_id) + f"status={status}/"
    return {_shard_id_of(key) for key in store.list_keys(prefix)}


def _shard_id_of(key: str) -> int:
    for segment in key.split("/"):
        if segment.startswith("shard_id="):
            return int(segment.removeprefix("shard_id="))
    raise ValueError(f"no shard_id in key {key!r}")


def _answer(
    status: str, plan: SweepPlan, run_date: str, dispatched: tuple[ShardRange, ...]
) -> dict[str, Any]:
    return {
        "status": status,
        "schema_version": plan.request.schema_version,
        "run_id": plan.request.run_id,
        "run_date": run_date,
        "total_points": plan.total_points,
        "replicates": plan.replicates,
        "total_simulations": plan.total_simulations,
        "simulation_model": plan.simulation_model,
        "shard_count": plan.shard_count,
        "shards_dispatched": len(dispatched),
        "config_fingerprint": plan.config_fingerprint,
        "request_fingerprint": plan.request_fingerprint,
        "dispatches": [s.as_dict() for s in dispatched],
    }
