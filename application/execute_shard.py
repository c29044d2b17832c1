"""Use case: run the simulation for every replicate of every point of one shard and store the
results (docs/contract.md §4).

Idempotent by construction: every object key and every byte of per-point data depends only on the
message, so a retry or a redelivered duplicate rewrites the same objects with the same content.
A message planned under another simulation model is refused, not simulated: a run is never
completed with two models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError as PydanticValidationError

from application import results_codec as codec
from domain.contract import ShardMessage, normalise_space
from domain.errors import MalformedShardMessage, RequestValidationError, ShardFailure
from domain.fingerprints import (
    canonical_json,
    config_fingerprint,
    parameter_fingerprint,
    point_seed,
    replicate_seed,
)
from domain.planning import ParameterSpace
from domain.simulation import SIMULATION_MODEL, simulate
from domain.storage_keys import POINT_DATASETS, Dataset, OutcomeStatus, StorageKeys
from ports.blob_store import BlobStore
from ports.clock import Clock

ShardStatus = Literal["succeeded", "failed", "skipped"]
PointCallback = Callable[[int], None]
Simulator = Callable[[Any, int], Any]
"""``simulate(parameters, seed)``: the model itself unless a caller (a benchmark's timer) wraps it."""


@dataclass(frozen=True, slots=True)
class ShardResult:
    status: ShardStatus
    run_id: str
    shard_id: int
    points_processed: int
    error_code: str | None = None


def parse_shard_message(body: bytes | str) -> ShardMessage:
    try:
        message = ShardMessage.model_validate_json(body)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise MalformedShardMessage(f"not a valid v1 shard message: {problems}") from None
    return message


def execute_shard(
    body: bytes | str,
    *,
    attempt: int,
    store: BlobStore,
    keys: StorageKeys,
    clock: Clock,
    on_point: PointCallback | None = None,
    simulator: Simulator | None = None,
) -> ShardResult:
    """Raises ``MalformedShardMessage`` for a message without a usable run, shard and date, and
    lets ``TransientError`` through for the queue to retry; every other failure is recorded."""
    message = parse_shard_message(body)
    success_key = keys.outcome(message.run_date, message.run_id, "success", message.shard_id)
    if store.exists(success_key):
        return ShardResult("skipped", message.run_id, message.shard_id, 0)
    started = clock.now()
    try:
        _check_model(message)
        space = _checked_space(message)
        if message.inject_failure:
            raise ShardFailure("injected_failure", "failure injected on purpose for this shard")
        processed = _run_points(message, space, store, keys, on_point, simulator or simulate)
    except ShardFailure as failure:
        _write_outcome(store, keys, message, "failure", attempt, started, clock.now(), 0, failure)
        return ShardResult("failed", message.run_id, message.shard_id, 0, failure.error_code)
    _write_outcome(store, keys, message, "success", attempt, started, clock.now(), processed, None)
    return ShardResult("succeeded", message.run_id, message.shard_id, processed)


def _check_model(message: ShardMessage) -> None:
    if message.simulation_model != SIMULATION_MODEL:
        raise ShardFailure(
            "model_mismatch",
            f"the run was planned under simulation model {message.simulation_model} and this "
            f"worker runs model {SIMULATION_MODEL}; nothing was simulated, since a run is never "
            "completed with two models. Submit the sweep again under a new run_id to run it with "
            f"model {SIMULATION_MODEL}",
        )


def _checked_space(message: ShardMessage) -> ParameterSpace:
    try:
        dims, base = normalise_space(message.dimensions, message.base_parameters)
    except RequestValidationError as exc:
        raise ShardFailure("invalid_parameters", str(exc)) from None
    fingerprint = config_fingerprint(
        dims, base, message.seed, message.replicates, message.seed_strategy
    )
    if fingerprint != message.config_fingerprint:
        raise ShardFailure(
            "fingerprint_mismatch",
            "the message's dimensions, base parameters, seed, replicates and seed strategy do "
            "not match its config_fingerprint: it was edited or corrupted after the run was planned",
        )
    space = ParameterSpace(dims, base)
    if space.total_points != message.total_points or not (
        message.start_index < message.end_index_exclusive <= message.total_points
    ):
        raise ShardFailure(
            "invalid_range",
            f"range [{message.start_index}, {message.end_index_exclusive}) does not fit a space of "
            f"{space.total_points} points (message says {message.total_points})",
        )
    return space


def _run_points(
    message: ShardMessage,
    space: ParameterSpace,
    store: BlobStore,
    keys: StorageKeys,
    on_point: PointCallback | None,
    simulator: Simulator,
) -> int:
    indexes = range(message.start_index, message.end_index_exclusive)
    per_shard: dict[Dataset, list[Any]] = {d: [] for d in POINT_DATASETS}
    with _BackgroundWriter(store) as writer:
        for point_index in indexes:
            tables = point_tables_for(message, space, point_index, simulator)
            if message.output_layout == "per_shard":
                for dataset, table in tables.items():
                    per_shard[dataset].append(table)
            else:
                writer.submit(
                    [
                        (
                            keys.point_object(
                                dataset, message.run_date, message.run_id, message.shard_id, point_index
                            ),
                            codec.encode(table, statistics=False),
                        )
                        for dataset, table in tables.items()
                    ]
                )
            if on_point is not None:
                on_point(point_index)
        if message.output_layout == "per_shard":
            writer.submit(
                [
                    (
                        keys.shard_object(dataset, message.run_date, message.run_id, message.shard_id),
                        codec.encode(codec.concat(tables, dataset)),
                    )
                    for dataset, tables in per_shard.items()
                ]
            )
    return len(indexes)


def point_tables_for(
    message: ShardMessage, space: ParameterSpace, point_index: int, simulator: Simulator = simulate
) -> dict[Dataset, Any]:
    """Simulate every replicate of one point of the message's space and return the point's four
    tables, each holding all its replicates (rows ordered by replicate)."""
    effective = space.effective_values(point_index)
    selected = space.point_at(point_index)
    parameters = space.parameters_at(point_index)
    seed = point_seed(message.seed, point_index)
    seeds = [
        replicate_seed(message.seed, point_index, replicate, message.seed_strategy)
        for replicate in range(message.replicates)
    ]
    outputs = []
    for replicate, simulation_seed in enumerate(seeds):
        try:
            outputs.append(simulator(parameters, simulation_seed))
        except (ValueError, ArithmeticError) as exc:
            raise ShardFailure(
                "simulation_error",
                f"point {point_index}, replicate {replicate}: {type(exc).__name__}: {exc}",
            ) from exc
    return codec.point_tables(
        shard_id=message.shard_id,
        point_index=point_index,
        outputs=outputs,
        simulation_seeds=seeds,
        effective=effective,
        selected=selected,
        point_seed=seed,
        parameter_fingerprint=parameter_fingerprint(effective, seed),
        effective_json=canonical_json(effective),
        selected_json=canonical_json(selected),
    )


def _write_outcome(
    store: BlobStore,
    keys: StorageKeys,
    message: ShardMessage,
    status: OutcomeStatus,
    attempt: int,
    started: datetime,
    finished: datetime,
    processed: int,
    failure: ShardFailure | None,
) -> None:
    record = {
        "shard_id": message.shard_id,
        "start_index": message.start_index,
        "end_index_exclusive": message.end_index_exclusive,
        "points_processed": processed,
        "error_code": failure.error_code if failure else None,
        "error_message": str(failure) if failure else None,
        "output_prefix": keys.shard_prefix(message.run_date, message.run_id, message.shard_id),
        "attempt": attempt,
        "started_at": started,
        "finished_at": finished,
        "duration_ms": int((finished - started).total_seconds() * 1000),
        "config_fingerprint": message.config_fingerprint,
    }
    key = keys.outcome(message.run_date, message.run_id, status, message.shard_id)
    store.put(key, codec.encode(codec.outcome_table(record)))


class _BackgroundWriter:
    """Writes points' objects while the next points simulate.

    Several batches are in flight at once because a remote store's latency (tens of ms per call)
    exceeds a point's simulation time: with one batch at a time the writes, not the simulation,
    set the pace. The bound keeps memory flat on long shards.
    """

    WRITERS = 4
    MAX_IN_FLIGHT = 8

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=self.WRITERS, thread_name_prefix="shard-writer")
        self._pending: list[Future[None]] = []

    def submit(self, items: Sequence[tuple[str, bytes]]) -> None:
        while len(self._pending) >= self.MAX_IN_FLIGHT:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._store.put_many, items))

    def __enter__(self) -> _BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            for future in self._pending:
                future.result()  # re-raises a failed write (TransientError goes to the queue)
        finally:
            self._pool.shutdown(wait=True)
