"""Shards longer than a Lambda invocation, through the Lambda handler in-process (docs/contract.md
§4): every invocation is given a few seconds (the context's remaining time) and every simulation
takes one second of the fake clock, so shards of many points finish by continuations."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from application.results_codec import decode
from entrypoints.settings import Settings
from tests.harness import Harness, expected_keys

RUN_DATE = "2026-11-28"
MANY_POINTS: dict[str, Any] = {
    "run_id": "many-points",
    "dimensions": {"num_drivers": [4, 6, 8, 10, 12], "commission_rate": [0.1, 0.2, 0.3]},
    "base_parameters": {"num_riders": 25, "request_window_minutes": 15, "simulation_minutes": 20},
    "shard_count": 2,
    "seed": 21,
}


def short_lived(harness: Harness, seconds: float = 4.0) -> Harness:
    return harness.give_each_invocation(seconds)


def drain_all(harness: Harness) -> None:
    """Deliver until the queue stays empty, as the event source mapping would."""
    while harness.queued:
        harness.drain()  # asserts no record is reported as failed


def finished(request: dict[str, Any], harness: Harness) -> Harness:
    status, _ = harness.post(request)
    assert status == 202
    drain_all(harness)
    return harness


def point_data(harness: Harness) -> dict[str, bytes]:
    return {k: v for k, v in harness.objects.items() if "dataset=shard_outcomes" not in k}


def outcome_rows(harness: Harness) -> list[dict[str, Any]]:
    return [decode(v).to_pylist()[0] for k, v in harness.objects.items() if "dataset=shard_outcomes" in k]


def test_shards_outgrowing_the_invocation_complete_with_the_uninterrupted_bytes() -> None:
    continued = short_lived(Harness())
    status, _ = continued.post(MANY_POINTS)
    drain_all(continued)

    reference = finished(MANY_POINTS, Harness())
    assert status == 202
    assert point_data(continued) == point_data(reference)
    assert set(continued.objects) == expected_keys(MANY_POINTS, RUN_DATE)
    # 2 shards of 8 and 7 points, 2 points per part
    parts = sorted((r["shard_id"], r["parts"], r["points_processed"]) for r in outcome_rows(continued))
    assert parts == [(0, 4, 8), (1, 4, 7)]
    _, state = continued.get("many-points")
    assert (state["state"], state["shards_succeeded"]) == ("succeeded", 2)


def test_per_shard_outputs_become_one_object_per_part() -> None:
    request = {**MANY_POINTS, "output_layout": "per_shard"}
    continued = finished(request, short_lived(Harness()))

    keys = sorted(k for k in continued.objects if "dataset=trip_data" in k)
    assert [k.split("/")[-2:] for k in keys] == [
        [f"shard_id={s}", f"part-{k}.parquet"] for s in (0, 1) for k in range(4)
    ]
    reference = finished(request, Harness())
    for dataset in ("shard_metrics", "trip_data", "snapshot_counts", "effective_parameters"):
        assert _rows(continued, dataset) == _rows(reference, dataset)


def _rows(harness: Harness, dataset: str) -> list[dict[str, Any]]:
    keys = sorted(k for k in harness.objects if f"dataset={dataset}/" in k)
    return [row for k in keys for row in decode(harness.objects[k]).to_pylist()]


def test_a_batch_shares_the_invocation_and_hands_back_what_it_has_no_time_for() -> None:
    harness = short_lived(Harness())
    harness.post(MANY_POINTS)
    first, second = harness.container.shard_inbox().take_all()

    assert harness.deliver([first, second]) == []  # both done with: nothing for SQS to retry

    queued = [json.loads(body) for body in harness.queued]
    assert [(m["shard_id"], m.get("continuation"), m.get("resume_index")) for m in queued] == [
        (0, 1, 2),  # the first message ran two points and continues
        (1, None, None),  # the second found the invocation spent and went back as it came
    ]
    drain_all(harness)
    assert point_data(harness) == point_data(finished(MANY_POINTS, Harness()))


def test_the_worker_logs_each_continuation() -> None:
    harness = short_lived(Harness())
    harness.post({**MANY_POINTS, "shard_count": 1})

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as events:
        harness.drain()

    [continued] = [e for e in events if e["event"] == "shard_continued"]
    fields = ("run_id", "shard_id", "continuation", "resume_index", "points")
    assert {k: continued.get(k) for k in fields} == {
        "run_id": "many-points", "shard_id": 0, "continuation": 1, "resume_index": 2, "points": 2
    }
    assert continued["reason"] == "deadline"


def test_the_answer_warns_of_shards_estimated_to_need_continuations() -> None:
    harness = Harness(
        settings=Settings(SWEEP_BACKEND="memory", SWEEP_RESULTS_PREFIX="sweeps", WORKER_TIMEOUT_SECONDS=10)
    )
    large = {
        "run_id": "large-markets",
        "dimensions": {"commission_rate": [i / 100 for i in range(1, 41)]},
        "base_parameters": {"num_riders": 10_000, "num_drivers": 7_000, "request_window_minutes": 240,
                            "simulation_minutes": 300},
        "shard_count": 2,
    }

    status, body = harness.post(large)

    assert status == 202
    [warning] = body["warnings"]
    assert warning["code"] == "shards_need_continuations"
    assert warning["shards"] == 2 and warning["invocation_seconds"] == 10
    size = warning["suggested_shard_size"]
    assert isinstance(size, int) and 1 <= size < 20  # shards of 20 points of about a second each
    assert f'"shard_size": {size}' in warning["message"]
    status, again = harness.post(large)
    assert (status, again["warnings"]) == (200, body["warnings"])


@pytest.mark.parametrize("layout", ["per_point", "per_shard"])
def test_redelivering_every_continuation_changes_nothing(layout: str) -> None:
    harness = short_lived(Harness())
    harness.post({**MANY_POINTS, "output_layout": layout})
    delivered: list[bytes] = []
    while harness.queued:
        delivered += harness.drain()
    before = dict(harness.objects)

    assert harness.deliver(delivered) == []  # every shard has its outcome: all skipped

    assert harness.objects == before
    assert harness.queued == []
