"""Shards longer than a worker invocation, over the in-memory fakes (docs/contract.md §4, §5): a
part stops before a point it could not finish, writes what it finished and sends a continuation;
the part that reaches the end writes the success outcome with the number of parts; the data is the
data of an uninterrupted run; replays and duplicates change nothing.

Time is the fake clock's: every simulation advances it by one second, so a part's deadline falls
at the same point on every machine and no test sleeps."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest

from adapters.memory.memory_gauge import FixedMemoryGauge
from application.execute_shard import ShardResult
from application.results_codec import decode
from application.work_budget import WorkBudget, WorkLimits
from domain.contract import ShardMessage
from domain.storage_keys import POINT_DATASETS
from ports.errors import TransientError
from tests.fixtures import FakePorts, ticking

RUN_DATE = "2026-11-28"
LONG_SHARDS: dict[str, Any] = {
    "run_id": "long-shards",
    "dimensions": {"num_drivers": [4, 6, 8, 10], "commission_rate": [0.1, 0.2, 0.3]},
    "base_parameters": {"num_riders": 25, "request_window_minutes": 15, "simulation_minutes": 20},
    "shard_count": 2,
    "seed": 13,
}
PART_SECONDS = 4.0  # with 1 s per simulation: two points per part


def budget(ports: FakePorts, **limits: Any) -> WorkBudget:
    return WorkBudget(WorkLimits(**{"part_seconds": PART_SECONDS, **limits}), ports.clock)


def part(ports: FakePorts, body: bytes, **limits: Any) -> ShardResult:
    """Run ``body`` as one worker invocation with a part deadline, every simulation taking 1 s."""
    return ports.execute(body, budget=budget(ports, **limits), simulator=ticking(ports.clock))


def run_to_the_end(ports: FakePorts, **limits: Any) -> list[tuple[ShardMessage, ShardResult]]:
    """Work the queue until it is empty, each message as its own invocation."""
    ran = []
    while bodies := ports.queue.take_all():
        for body in bodies:
            ran.append((ShardMessage.model_validate_json(body), part(ports, body, **limits)))
    return ran


def uninterrupted(request: dict[str, Any]) -> FakePorts:
    ports = FakePorts()
    ports.submit(request)
    for body in ports.queue.take_all():
        assert ports.execute(body).status == "succeeded"
    return ports


def data(ports: FakePorts) -> dict[str, bytes]:
    return {k: v for k, v in ports.store.objects.items() if "dataset=shard_outcomes" not in k}


def outcomes(ports: FakePorts) -> dict[int, dict[str, Any]]:
    rows = [decode(v).to_pylist()[0] for k, v in ports.store.objects.items() if "dataset=shard_outcomes" in k]
    return {row["shard_id"]: row for row in rows}


def rows(ports: FakePorts, dataset: str) -> pa.Table:
    keys = sorted(k for k in ports.store.objects if f"dataset={dataset}/" in k)
    return pa.concat_tables([decode(ports.store.objects[k]) for k in keys])


def test_long_shards_finish_in_parts_with_the_data_of_an_uninterrupted_run() -> None:
    ports = FakePorts()
    ports.submit(LONG_SHARDS)

    ran = run_to_the_end(ports)

    assert data(ports) == data(uninterrupted(LONG_SHARDS))  # byte for byte, key for key
    parts = [(m.shard_id, m.part, m.first_index, r.status, r.points_processed) for m, r in ran]
    assert sorted(parts) == [
        (0, 0, 0, "continued", 2), (0, 1, 2, "continued", 2), (0, 2, 4, "succeeded", 2),
        (1, 0, 6, "continued", 2), (1, 1, 8, "continued", 2), (1, 2, 10, "succeeded", 2),
    ]
    for outcome in outcomes(ports).values():
        assert outcome["parts"] == 3
        assert outcome["points_processed"] == 6  # the shard's, whichever part wrote it
        assert outcome["error_code"] is None
    assert not [k for k in ports.store.objects if "status=failure" in k]


def test_a_continuation_is_the_same_message_with_its_part_and_resume_index() -> None:
    ports = FakePorts()
    ports.submit(LONG_SHARDS)
    first = ports.queue.take_all()[0]

    result = part(ports, first)

    [sent] = ports.queue.take_all()
    original, continuation = json.loads(first), json.loads(sent)
    assert "continuation" not in original and "resume_index" not in original
    assert (continuation.pop("continuation"), continuation.pop("resume_index")) == (1, 2)
    assert continuation == original
    assert (result.status, result.continuation, result.resume_index, result.stop_reason) == (
        "continued", 1, 2, "deadline"
    )


def test_per_shard_parts_are_one_object_each_and_hold_the_uninterrupted_rows() -> None:
    request = {**LONG_SHARDS, "output_layout": "per_shard"}
    ports = FakePorts()
    ports.submit(request)

    run_to_the_end(ports)

    reference = uninterrupted(request)
    for dataset in POINT_DATASETS:
        keys = sorted(k for k in ports.store.objects if f"dataset={dataset}/" in k)
        assert [k.rsplit("/", 2)[-2:] for k in keys] == [
            [f"shard_id={s}", f"part-{k}.parquet"] for s in (0, 1) for k in range(3)
        ]
        assert rows(ports, dataset).equals(rows(reference, dataset))
    assert {o["parts"] for o in outcomes(ports).values()} == {3}


@pytest.mark.parametrize("layout", ["per_point", "per_shard"])
def test_a_replayed_continuation_writes_the_same_keys_with_the_same_content(layout: str) -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "output_layout": layout, "shard_count": 1})
    first = ports.queue.take_all()[0]
    part(ports, first)
    [continuation] = ports.queue.take_all()
    part(ports, continuation)
    before, sent = dict(ports.store.objects), ports.queue.take_all()

    # Delivered again (its acknowledgement was lost): the same writes, the same message sent on.
    replay = part(ports, continuation)

    assert ports.store.objects == before
    assert ports.queue.take_all() == sent
    assert replay.status == "continued"


def test_a_per_shard_replay_with_more_time_keeps_the_range_its_part_claimed() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "output_layout": "per_shard", "shard_count": 1})
    first = ports.queue.take_all()[0]
    part(ports, first)
    before, sent = dict(ports.store.objects), ports.queue.take_all()
    for key in [k for k in ports.store.objects if "dataset=trip_data" in k]:  # lost with a crash
        del ports.store.objects[key]

    replay = part(ports, first, part_seconds=600)

    assert ports.store.objects == before
    assert ports.queue.take_all() == sent  # the same continuation: the part's range did not grow
    assert (replay.status, replay.resume_index) == ("continued", 2)


def test_a_per_point_replay_with_more_time_only_writes_the_same_points_again() -> None:
    request = {**LONG_SHARDS, "shard_count": 1}
    ports = FakePorts()
    ports.submit(request)
    first = ports.queue.take_all()[0]
    part(ports, first)

    # The first delivery's continuation was sent but its acknowledgement lost; the replay has more
    # time and finishes the range, so the continuation then finds the shard done.
    replay = part(ports, first, part_seconds=600)
    late = run_to_the_end(ports)

    assert replay.status == "succeeded"
    assert [r.status for _, r in late] == ["skipped"]
    assert data(ports) == data(uninterrupted(request))


def test_a_continuation_of_a_shard_that_already_succeeded_is_acknowledged_without_work() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "shard_count": 1})
    run_to_the_end(ports)
    before = dict(ports.store.objects)
    stale = ShardMessage.model_validate_json(
        json.dumps({**json.loads(_first_message(ports)), "continuation": 1, "resume_index": 2})
    ).to_json_bytes()

    result = part(ports, stale)

    assert (result.status, result.points_processed) == ("skipped", 0)
    assert ports.store.objects == before
    assert ports.queue.take_all() == []


def test_two_deliveries_finishing_the_same_shard_leave_the_first_success_outcome() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "shard_count": 1})
    first = ports.queue.take_all()[0]
    part(ports, first)
    continuation = ports.queue.take_all()[0]
    part(ports, continuation, part_seconds=600)
    [key] = [k for k in ports.store.objects if "dataset=shard_outcomes" in k]
    written = ports.store.objects[key]
    ports.clock.advance(timedelta(minutes=5))  # a later outcome would record other times
    _hide_once(ports, key)  # a duplicate that checked for the outcome before it was written

    again = part(ports, continuation, part_seconds=600)

    assert again.status == "succeeded"
    assert ports.store.objects[key] == written


def _hide_once(ports: FakePorts, key: str) -> None:
    store, original = ports.store, ports.store.exists
    hidden = [True]

    def exists(requested: str) -> bool:
        if requested == key and hidden[0]:
            hidden[0] = False
            return False
        return original(requested)

    store.exists = exists  # type: ignore[method-assign]


def test_a_part_stops_before_a_point_that_would_exceed_the_memory_budget() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "shard_count": 1, "output_layout": "per_shard"})
    gauge = FixedMemoryGauge(resident_bytes=100 * 2**20)
    growing = ticking(ports.clock)

    def simulate_and_grow(parameters: Any, seed: int) -> Any:
        gauge.resident += 60 * 2**20  # each point leaves 60 MiB more resident
        return growing(parameters, seed)

    limits = WorkLimits(memory_bytes=300 * 2**20)
    body = ports.queue.take_all()[0]
    result = ports.execute(body, budget=WorkBudget(limits, ports.clock, gauge), simulator=simulate_and_grow)

    # 100 MiB, then 160 and 220: a third point would reach 280 MiB, over 90 % of 300.
    assert (result.status, result.stop_reason, result.points_processed) == ("continued", "memory", 2)
    assert ports.queue.take_all()[0] == ShardMessage.model_validate_json(body).continued(2).to_json_bytes()


def test_a_message_that_finds_its_invocation_spent_goes_back_as_it_came() -> None:
    ports = FakePorts()
    ports.submit(LONG_SHARDS)
    first, second = ports.queue.take_all()
    shared = WorkBudget(WorkLimits(deadline=ports.clock.now() + timedelta(seconds=3)), ports.clock)
    ports.execute(first, budget=shared, simulator=ticking(ports.clock))
    ports.queue.take_all()
    before = dict(ports.store.objects)

    result = ports.execute(second, budget=shared, simulator=ticking(ports.clock))

    assert (result.status, result.points_processed, result.continuation) == ("continued", 0, 0)
    assert ports.queue.take_all() == [second]
    assert ports.store.objects == before


def test_every_part_runs_at_least_one_point_however_short_its_deadline() -> None:
    ports = FakePorts()
    ports.submit(LONG_SHARDS)

    ran = run_to_the_end(ports, part_seconds=0.001)

    assert all(r.points_processed == 1 for _, r in ran)
    assert {o["parts"] for o in outcomes(ports).values()} == {6}
    assert data(ports) == data(uninterrupted(LONG_SHARDS))


def test_a_continuation_resuming_outside_its_range_is_recorded_as_a_failure() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "shard_count": 1})
    body = json.loads(ports.queue.take_all()[0])

    result = ports.execute(json.dumps({**body, "continuation": 1, "resume_index": 99}).encode())

    assert (result.status, result.error_code) == ("failed", "invalid_range")
    assert outcomes(ports)[0]["parts"] == 2


def test_a_per_shard_duplicate_that_ran_less_than_the_claimed_part_is_retried_later() -> None:
    ports = FakePorts()
    ports.submit({**LONG_SHARDS, "output_layout": "per_shard", "shard_count": 1})
    body = ports.queue.take_all()[0]
    part(ports, body, part_seconds=600)
    claim = next(k for k in ports.store.objects if "dataset=effective_parameters" in k)
    claimed = ports.store.objects[claim]
    ports.store.objects.clear()
    racing = _ClaimOnFirstCheck(ports, claim, claimed)

    with pytest.raises(TransientError, match="another delivery"):
        part(ports, body)
    assert racing.claimed


class _ClaimOnFirstCheck:
    """Makes the claim appear just after this delivery looked for it: another delivery of the
    same message, with more time, claimed the part while this one ran."""

    def __init__(self, ports: FakePorts, key: str, data: bytes) -> None:
        self.claimed = False
        store, original = ports.store, ports.store.get

        def get(requested: str) -> bytes | None:
            found = original(requested)
            if requested == key and not self.claimed:
                self.claimed = True
                store.objects[key] = data
            return found

        store.get = get  # type: ignore[method-assign]


def _first_message(ports: FakePorts) -> bytes:
    from domain.contract import Limits, parse_sweep_request
    from domain.planning import plan_sweep

    plan = plan_sweep(parse_sweep_request({**LONG_SHARDS, "shard_count": 1}, Limits()), Limits())
    return next(plan.shard_messages(RUN_DATE)).to_json_bytes()
