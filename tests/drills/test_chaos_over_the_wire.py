"""The chaos run over the real wire: SQS and S3 on moto server, two workers polling the same queue.

The queue's visibility timeout is 0, so a message one worker is running is received again by the
other: the same shard runs twice at once, over real receipt handles. Both workers' stores fail 20 %
of their calls; what keeps failing goes to the dead-letter queue and is redriven. Afterwards the
bucket holds exactly what a clean in-process run writes (outcome records compared on every column
but started_at, finished_at, duration_ms and attempt).
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from dependency_injector import providers

from adapters.aws.sqs_poller import WorkerReport
from adapters.aws.sqs_redrive import redrive
from tests.drills.chaos import chaos_request, clean_run
from tests.drills.faults import FaultyBlobStore
from tests.drills.figures import compare_with_clean_run
from tests.drills.scale import drill_seed
from tests.harness import Harness, expected_keys
from tests.integration.conftest import AwsStack, aws_stack, visibility_timeout  # noqa: F401  (fixtures)

pytestmark = pytest.mark.moto

REQUEST = {**chaos_request(shards=12, points_per_shard=2), "run_id": "wire-chaos"}
ROUNDS = 20


def faulty_worker(stack: AwsStack, rng: random.Random) -> tuple[Harness, FaultyBlobStore]:
    harness = stack.harness()
    store = FaultyBlobStore(harness.container.blob_store(), rng, failure_rate=0.2)
    harness.container.blob_store.override(providers.Object(store))
    return harness, store


def submit(harness: Harness, request: dict[str, Any]) -> dict[str, Any]:
    for _ in range(100):
        status, body = harness.post(request)
        if status != 503:
            assert status == 202 or (status, body["status"]) == (200, "already_accepted"), body
            return body
    raise AssertionError("the submit never got through")


def test_two_workers_over_sqs_and_s3_under_storage_faults_write_what_a_clean_run_writes(
    aws_stack: AwsStack,  # noqa: F811
) -> None:
    clean = clean_run(REQUEST)
    rng = random.Random(drill_seed())
    workers = [faulty_worker(aws_stack, random.Random(rng.getrandbits(64))) for _ in range(2)]
    run_date = submit(workers[0][0], REQUEST)["run_date"]

    reports: list[WorkerReport] = []
    redriven = 0
    for _ in range(ROUNDS):
        threads = [
            threading.Thread(target=lambda h=h: reports.append(aws_stack.work(h, batch_size=10)))
            for h, _ in workers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if aws_stack.queue_depth(aws_stack.dlq_url) == 0 and aws_stack.queue_depth(aws_stack.queue_url) == 0:
            break
        redriven += redrive(aws_stack.sqs, dlq_url=aws_stack.dlq_url, queue_url=aws_stack.queue_url).moved
    else:
        raise AssertionError(f"not finished after {ROUNDS} rounds")

    received = sum(r.received for r in reports)
    assert received > REQUEST["shard_count"], "no shard was delivered twice: the drill did nothing"
    assert sum(store.counts.injected for _, store in workers) > 0
    comparison = compare_with_clean_run(aws_stack.objects(), clean, expected_keys(REQUEST, run_date))
    assert comparison.missing == () and comparison.unexpected == ()
    assert comparison.differing == ()
    assert aws_stack.status(aws_stack.harness(), REQUEST["run_id"]).state == "succeeded"
