"""Shards longer than a Lambda invocation over the wire (docs/contract.md §4): two workers poll the
SQS queue on moto server, each invocation given a few seconds of its fake clock; the shards finish
by continuations sent through SQS, with the data of an uninterrupted run and nothing in the
dead-letter queue."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from adapters.aws.sqs_poller import WorkerReport
from application.results_codec import decode
from tests.harness import Harness, expected_keys
from tests.integration.conftest import AwsStack

pytestmark = pytest.mark.moto

RUN_DATE = "2026-11-28"
MANY_POINTS: dict[str, Any] = {
    "run_id": "continued-run",
    "dimensions": {"num_drivers": [4, 6, 8, 10], "commission_rate": [0.1, 0.2, 0.3]},
    "base_parameters": {"num_riders": 25, "request_window_minutes": 15, "simulation_minutes": 20},
    "shard_count": 3,
    "seed": 17,
}


@pytest.fixture
def visibility_timeout() -> int:
    """Long enough that a message being worked on is not handed to the other worker."""
    return 30


def without_outcomes(objects: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in objects.items() if "dataset=shard_outcomes" not in k}


@pytest.mark.parametrize("layout", ["per_point", "per_shard"])
def test_two_workers_finish_long_shards_by_continuations_through_sqs(
    aws_stack: AwsStack, layout: str
) -> None:
    request = {**MANY_POINTS, "output_layout": layout}
    submitter = aws_stack.harness()
    status, _ = submitter.post(request)
    workers = [aws_stack.harness().give_each_invocation(4.0) for _ in range(2)]
    reports: list[WorkerReport] = []

    threads = [
        threading.Thread(target=lambda w=worker: reports.append(aws_stack.work(w))) for worker in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert status == 202
    assert len(reports) == 2 and all(r.failed == 0 and not r.transient_errors for r in reports)
    assert sum(r.received for r in reports) > request["shard_count"]  # continuations came back
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0
    assert aws_stack.queue_depth(aws_stack.dlq_url) == 0
    remote = aws_stack.objects()
    reference = Harness()
    reference.post(request)
    reference.drain()
    if layout == "per_point":
        assert set(remote) == expected_keys(request, RUN_DATE)
        assert without_outcomes(remote) == without_outcomes(reference.objects)
    else:
        assert _rows(remote, "trip_data") == _rows(reference.objects, "trip_data")
        assert _rows(remote, "shard_metrics") == _rows(reference.objects, "shard_metrics")
    outcomes = [decode(v).to_pylist()[0] for k, v in remote.items() if "dataset=shard_outcomes" in k]
    assert sorted((o["shard_id"], o["parts"]) for o in outcomes) == [(0, 2), (1, 2), (2, 2)]
    assert aws_stack.status(submitter, "continued-run").state == "succeeded"


def _rows(objects: dict[str, bytes], dataset: str) -> list[dict[str, Any]]:
    keys = sorted(k for k in objects if f"dataset={dataset}/" in k)
    return [row for key in keys for row in decode(objects[key]).to_pylist()]
