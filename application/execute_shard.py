"""Use case: run the simulation for every replicate of every point of one shard and store the
results (docs/contract.md §4).

Idempotent by construction: every object key and every byte of per-point data depends only on the
message, so a retry or a redelivered duplicate rewrites the same objects with the same content.
A message planned under another simulation model is refused, not simulated: a run is never
completed with two models.

A shard too long for one worker invocation is run in parts: before each point the part's budget
(application/work_budget.py) says whether the point would still finish in time and memory; when it
would not, the part writes what it finished and sends a continuation message for the rest of the
range, and the part that reaches the end writes the shard's success outcome, with the number of
parts. The continuation is sent before the message is acknowledged, so a crash in between only
replays the part. In the ``per_shard`` layout each part writes its own objects (``part-<k>``); the
part's ``effective_parameters`` object is written first, with a conditional create, and claims the
part's range, so a replay or a duplicate delivery of the message writes exactly that range again.

A cancelled run's shards stop: the run's cancellation marker is looked for before the message
starts and, at the same decision point as the budget's, at most every ``cancel_check_seconds``
between points (application/cancellation.py). A stopped shard keeps the points it wrote
(``per_point``; a ``per_shard`` part it was holding is dropped), writes nothing more, and records a
failure outcome with ``error_code`` ``cancelled``; no continuation is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError as PydanticValidationError

from application import results_codec as codec
from application.cancellation import DEFAULT_CHECK_SECONDS, CancellationCheck
from application.work_budget import NO_LIMITS, PartBudget, WorkBudget
from application.work_budget import StopReason as BudgetStop
from domain.cancellation import CANCELLED_ERROR_CODE
from domain.contract import ShardMessage, normalise_space
from domain.cost_model import simulation_seconds
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
from ports.errors import TransientError
from ports.queue import ShardQueue

ShardStatus = Literal["succeeded", "failed", "skipped", "continued", "cancelled"]
StopReason = BudgetStop | Literal["cancelled"]
"""Why a part stops before the end of its range (``_stop_before_next_point``)."""
PointCallback = Callable[[int], None]
StartCallback = Callable[[ShardMessage], None]
Simulator = Callable[[Any, int], Any]
"""``simulate(parameters, seed)``: the model itself unless a caller (a benchmark's timer) wraps it."""
CLAIM_DATASET: Dataset = "effective_parameters"
"""The dataset whose ``per_shard`` part object is written first and claims the part's range."""


@dataclass(frozen=True, slots=True)
class ShardResult:
    status: ShardStatus
    run_id: str
    shard_id: int
    points_processed: int
    """Points this message ran (on a shard finished by continuations, each part counts its own)."""
    error_code: str | None = None
    continuation: int | None = None
    """``continued``: the part number of the message sent for the rest of the range (the same
    as this message's when it was handed back without work)."""
    resume_index: int | None = None
    stop_reason: StopReason | None = None


@dataclass(frozen=True, slots=True)
class _PartWritten:
    points: int
    next_index: int
    stop_reason: StopReason | None


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
    queue: ShardQueue,
    budget: WorkBudget | None = None,
    on_point: PointCallback | None = None,
    on_start: StartCallback | None = None,
    simulator: Simulator | None = None,
    cancel_check_seconds: float = DEFAULT_CHECK_SECONDS,
) -> ShardResult:
    """Raises ``MalformedShardMessage`` for a message without a usable run, shard and date, and
    lets ``TransientError`` through for the queue to retry; every other failure is recorded.
    ``budget`` is the invocation's (shared by the messages it runs); none: no limits.
    ``on_start`` is told when the message starts work (not when it is skipped or cancelled)."""
    message = parse_shard_message(body)
    success_key = keys.outcome(message.run_date, message.run_id, "success", message.shard_id)
    if store.exists(success_key):
        return ShardResult("skipped", message.run_id, message.shard_id, 0)
    started = clock.now()
    cancellation = CancellationCheck(store, keys, message.run_id, interval=cancel_check_seconds)
    if cancellation.cancelled(now=True):
        done_before = message.first_index - message.start_index  # by earlier parts
        return _record_cancelled(store, keys, message, attempt, started, clock.now(), done_before)
    if on_start is not None:
        on_start(message)
    part_budget = (budget or WorkBudget(NO_LIMITS, clock)).part()
    try:
        _check_model(message)
        space = _checked_space(message)
        if message.inject_failure:
            raise ShardFailure("injected_failure", "failure injected on purpose for this shard")
        written = _run_part(
            message, space, store, keys, part_budget, cancellation, on_point, simulator or simulate
        )
    except ShardFailure as failure:
        _write_outcome(store, keys, message, "failure", attempt, started, clock.now(), 0, failure)
        return ShardResult("failed", message.run_id, message.shard_id, 0, failure.error_code)
    if written.stop_reason == "cancelled":
        done = written.next_index - message.start_index
        return _record_cancelled(store, keys, message, attempt, started, clock.now(), done)
    if written.next_index < message.end_index_exclusive:
        return _send_continuation(queue, message, written)
    shard_points = message.end_index_exclusive - message.start_index
    _write_outcome(store, keys, message, "success", attempt, started, clock.now(), shard_points, None)
    return ShardResult("succeeded", message.run_id, message.shard_id, written.points)


def _send_continuation(queue: ShardQueue, message: ShardMessage, written: _PartWritten) -> ShardResult:
    """Send the rest of the range on (before the caller acknowledges this message). A message
    that found its invocation spent before its first point goes back as it came."""
    following = message.continued(written.next_index) if written.points else message
    queue.send([following])
    return ShardResult(
        "continued",
        message.run_id,
        message.shard_id,
        written.points,
        continuation=following.part,
        resume_index=following.first_index,
        stop_reason=written.stop_reason,
    )


def _record_cancelled(
    store: BlobStore,
    keys: StorageKeys,
    message: ShardMessage,
    attempt: int,
    started: datetime,
    finished: datetime,
    written: int,
) -> ShardResult:
    """The failure outcome of a shard stopped by its run's cancel (``written``: its points that
    were written), unless the shard already has a failure outcome (an earlier failure stays as it
    was, and a duplicate delivery writes nothing). The shard is first marked as cancelled beside
    the manifest, so a status counts it with a listing: an outcome is never left without the mark."""
    failure = ShardFailure(
        CANCELLED_ERROR_CODE,
        f"the run was cancelled; the shard stopped with {written} of its "
        f"{message.end_index_exclusive - message.start_index} points written",
    )
    failure_key = keys.outcome(message.run_date, message.run_id, "failure", message.shard_id)
    if store.exists(failure_key):
        return ShardResult("skipped", message.run_id, message.shard_id, 0)
    store.create_if_absent(keys.cancelled_shard(message.run_id, message.shard_id), b"")
    record = _outcome_record(keys, message, attempt, started, finished, written, failure)
    store.create_if_absent(failure_key, codec.encode(codec.outcome_table(record)))
    return ShardResult(
        "cancelled", message.run_id, message.shard_id, written, CANCELLED_ERROR_CODE, stop_reason="cancelled"
    )


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
    fingerprint = config_fingerprint(dims, base, message.seed, message.replicates, message.seed_strategy)
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
    if not message.start_index <= message.first_index < message.end_index_exclusive:
        raise ShardFailure(
            "invalid_range",
            f"continuation {message.continuation} resumes at point {message.resume_index}, outside "
            f"its shard's range [{message.start_index}, {message.end_index_exclusive})",
        )
    return space


def _run_part(
    message: ShardMessage,
    space: ParameterSpace,
    store: BlobStore,
    keys: StorageKeys,
    budget: PartBudget,
    cancellation: CancellationCheck,
    on_point: PointCallback | None,
    simulator: Simulator,
) -> _PartWritten:
    """Run points from the message's first until its range ends, its budget says stop or its run
    is cancelled, and write them (a cancelled ``per_shard`` part writes none); returns how far the
    part got."""
    first, end = message.first_index, message.end_index_exclusive
    per_shard = message.output_layout == "per_shard"
    if per_shard:
        claimed_end = _claimed_end(store, keys, message)
        if claimed_end is not None:  # a replay: this part's range is fixed
            if _part_complete(store, keys, message):
                return _PartWritten(claimed_end - first, claimed_end, None)
            budget, end = budget.unbounded(), claimed_end
    held: list[dict[Dataset, Any]] = []
    held_bytes = 0
    index, stop_reason = first, None
    with _BackgroundWriter(store) as writer:
        while index < end:
            stop_reason = _stop_before_next_point(
                message, space, index, budget, cancellation, writer, held_bytes
            )
            if stop_reason is not None:
                break
            tables = point_tables_for(message, space, index, simulator)
            if per_shard:
                held.append(tables)
                held_bytes += sum(table.nbytes for table in tables.values())
            else:
                writer.submit(
                    [
                        (
                            keys.point_object(
                                dataset, message.run_date, message.run_id, message.shard_id, index
                            ),
                            codec.encode(table, statistics=False),
                        )
                        for dataset, table in tables.items()
                    ]
                )
            budget.point_done()
            if on_point is not None:
                on_point(index)
            index += 1
    if stop_reason == "cancelled":
        return (
            _PartWritten(0, first, stop_reason)
            if per_shard
            else _PartWritten(index - first, index, stop_reason)
        )
    if per_shard and held:
        index = _write_part(store, keys, message, held)
    return _PartWritten(index - first, index, stop_reason)


def _stop_before_next_point(
    message: ShardMessage,
    space: ParameterSpace,
    index: int,
    budget: PartBudget,
    cancellation: CancellationCheck,
    writer: _BackgroundWriter,
    held_bytes: int,
) -> StopReason | None:
    """The one decision point: whatever may end a part early answers here, before each point.

    A cancel first: the writes already started land before the store is asked, so once the
    marker is seen nothing more of the shard is written. Then the budget: time and memory."""
    if cancellation.cancelled(before_asking=writer.wait):
        return "cancelled"
    estimate = simulation_seconds({**space.base_parameters, **space.point_at(index)})
    estimate *= message.replicates
    return budget.stop_before(estimate, done=index - message.first_index, held_bytes=held_bytes)


def _part_key(keys: StorageKeys, message: ShardMessage, dataset: Dataset) -> str:
    return keys.shard_object(dataset, message.run_date, message.run_id, message.shard_id, message.part)


def _claimed_end(store: BlobStore, keys: StorageKeys, message: ShardMessage) -> int | None:
    """Where the range claimed by this part's first written object ends; ``None``: unclaimed."""
    data = store.get(_part_key(keys, message, CLAIM_DATASET))
    if data is None:
        return None
    points = codec.decode(data).column("point_index").to_pylist()
    if not points or points[0] != message.first_index or points[-1] >= message.end_index_exclusive:
        raise ShardFailure(
            "invalid_range",
            f"part {message.part} of shard {message.shard_id} already holds points "
            f"{points[0] if points else '-'} to {points[-1] if points else '-'}, not a range from "
            f"{message.first_index} within [{message.start_index}, {message.end_index_exclusive})",
        )
    return int(points[-1]) + 1


def _part_complete(store: BlobStore, keys: StorageKeys, message: ShardMessage) -> bool:
    return all(store.exists(_part_key(keys, message, dataset)) for dataset in POINT_DATASETS)


def _write_part(
    store: BlobStore, keys: StorageKeys, message: ShardMessage, held: list[dict[Dataset, Any]]
) -> int:
    """Write a ``per_shard`` part's objects, its claim first; returns the end of its range.

    When another delivery of the same message claimed the part first, this one writes that range
    if it ran it (the same rows, so the same bytes) and otherwise leaves the part to its claimer,
    asking the queue to bring the message back later (by then the part is complete and replaying
    it costs nothing)."""
    first = message.first_index
    claim = codec.encode(codec.concat([tables[CLAIM_DATASET] for tables in held], CLAIM_DATASET))
    if not store.create_if_absent(_part_key(keys, message, CLAIM_DATASET), claim):
        claimed_end = _claimed_end(store, keys, message)
        if claimed_end is None or claimed_end > first + len(held):
            raise TransientError(
                f"part {message.part} of shard {message.shard_id} of run {message.run_id} is being "
                "written by another delivery of its message"
            )
        held = held[: claimed_end - first]
    store.put_many(
        [
            (
                _part_key(keys, message, dataset),
                codec.encode(codec.concat([tables[dataset] for tables in held], dataset)),
            )
            for dataset in POINT_DATASETS
            if dataset != CLAIM_DATASET
        ]
    )
    return first + len(held)


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
    """The shard's outcome. A success is created once: the part that finishes the range writes it,
    and a duplicate finishing too leaves the first record as it is."""
    record = _outcome_record(keys, message, attempt, started, finished, processed, failure)
    key = keys.outcome(message.run_date, message.run_id, status, message.shard_id)
    data = codec.encode(codec.outcome_table(record))
    if status == "success":
        store.create_if_absent(key, data)
    else:
        store.put(key, data)


def _outcome_record(
    keys: StorageKeys,
    message: ShardMessage,
    attempt: int,
    started: datetime,
    finished: datetime,
    processed: int,
    failure: ShardFailure | None,
) -> dict[str, Any]:
    return {
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
        "parts": message.part + 1,
    }


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

    def wait(self) -> None:
        """Return once every write submitted so far has landed (re-raising a failed one)."""
        while self._pending:
            self._pending.pop(0).result()

    def __enter__(self) -> _BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            for future in self._pending:
                future.result()  # re-raises a failed write (TransientError goes to the queue)
        finally:
            self._pool.shutdown(wait=True)
