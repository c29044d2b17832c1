"""What SQS and S3 do for the service when things go wrong: transient storage failures are retried
by redelivery, a shard that keeps failing lands in the dead-letter queue and comes back with a
redrive, and a conditional create on S3 settles a race between two submits."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from dependency_injector import providers
from typer.testing import CliRunner

from application.results_codec import decode
from entrypoints.cli import app
from ports.blob_store import BlobStore
from ports.errors import TransientError
from tests.harness import Harness, expected_keys
from tests.integration.conftest import MAX_RECEIVE_COUNT, AwsStack

pytestmark = pytest.mark.moto

RUN_DATE = "2026-11-28"
SMALL = {
    "run_id": "flaky-run",
    "dimensions": {"num_riders": [30, 50], "num_drivers": [6, 9]},
    "shard_count": 2,
    "seed": 5,
}


class FaultyStore:
    """A BlobStore that raises TransientError on the writes ``fails`` picks, and records every
    key it was asked to write (tests assert on that record, not on mock calls)."""

    def __init__(self, inner: BlobStore, fails: Callable[[str], bool]) -> None:
        self.inner = inner
        self.fails = fails
        self.written: list[str] = []
        self._lock = threading.Lock()

    def _check(self, key: str) -> None:
        with self._lock:
            if self.fails(key):
                raise TransientError(f"injected failure writing {key}")
            self.written.append(key)

    def put(self, key: str, data: bytes) -> None:
        self._check(key)
        self.inner.put(key, data)

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        for key, _ in items:
            self._check(key)
        self.inner.put_many(items)

    def create_if_absent(self, key: str, data: bytes) -> bool:
        self._check(key)
        return self.inner.create_if_absent(key, data)

    def get(self, key: str) -> bytes | None:
        return self.inner.get(key)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def list_keys(self, prefix: str) -> list[str]:
        return self.inner.list_keys(prefix)


def first_n(n: int) -> Callable[[str], bool]:
    remaining = [n]

    def fails(_key: str) -> bool:
        remaining[0] -= 1
        return remaining[0] >= 0

    return fails


def install(harness: Harness, fails: Callable[[str], bool]) -> FaultyStore:
    faulty = FaultyStore(harness.container.blob_store(), fails)
    harness.container.blob_store.override(providers.Object(faulty))
    return faulty


def outcome_attempts(stack: AwsStack) -> dict[int, int]:
    outcomes = {k: v for k, v in stack.objects().items() if "dataset=shard_outcomes" in k}
    rows = [decode(data).to_pylist()[0] for data in outcomes.values()]
    return {row["shard_id"]: row["attempt"] for row in rows}


def test_a_shard_whose_first_writes_fail_is_redelivered_and_completes(aws_stack: AwsStack) -> None:
    harness = aws_stack.harness()
    status, _ = harness.post(SMALL)
    # Fewer failing writes than receives allowed: a failed delivery uses up at least one.
    install(harness, first_n(MAX_RECEIVE_COUNT - 1))

    report = aws_stack.work(harness)

    assert status == 202
    assert report.failed >= 1
    assert aws_stack.status(harness, "flaky-run").state == "succeeded"
    assert set(aws_stack.objects()) == expected_keys(SMALL, RUN_DATE)
    # Each outcome records its receive count: every failed delivery shows up as one retry.
    assert sum(attempt - 1 for attempt in outcome_attempts(aws_stack).values()) == report.failed
    assert aws_stack.queue_depth(aws_stack.dlq_url) == 0


def test_a_shard_that_always_fails_lands_in_the_dead_letter_queue_and_a_redrive_completes_it(
    aws_stack: AwsStack,
) -> None:
    harness = aws_stack.harness()
    harness.post(SMALL)
    # Every per-point object is written on each attempt; the success outcome never is.
    faulty = install(harness, lambda key: "dataset=shard_outcomes" in key)

    report = aws_stack.work(harness)

    assert report.received == MAX_RECEIVE_COUNT * SMALL["shard_count"]
    assert report.succeeded == 0
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0
    assert aws_stack.queue_depth(aws_stack.dlq_url) == SMALL["shard_count"]
    assert aws_stack.status(harness, "flaky-run").state == "running"

    # The fault is gone: the CLI builds its own container from the environment.
    runner = CliRunner()
    moved = runner.invoke(app, ["redrive"])
    worked = runner.invoke(app, ["worker", "--drain"])

    assert moved.exit_code == 0, moved.output
    assert "moved 2 message(s)" in moved.output
    assert worked.exit_code == 0, worked.output
    assert aws_stack.queue_depth(aws_stack.dlq_url) == 0
    assert aws_stack.status(harness, "flaky-run").state == "succeeded"
    final = aws_stack.objects()
    assert set(final) == expected_keys(SMALL, RUN_DATE)
    assert set(faulty.written) <= set(final)  # failed attempts wrote only keys the run keeps


def test_two_racing_submits_of_one_run_id_get_one_202_and_one_409(aws_stack: AwsStack) -> None:
    harness = aws_stack.harness()
    barrier = threading.Barrier(2)
    answers: dict[int, tuple[int, dict[str, Any]]] = {}

    def submit(seed: int) -> None:
        barrier.wait()
        answers[seed] = harness.post({**SMALL, "run_id": "racing-run", "seed": seed})

    threads = [threading.Thread(target=submit, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in answers.values()) == [202, 409]
    [winner] = [seed for seed, (status, _) in answers.items() if status == 202]
    [loser_body] = [body for status, body in answers.values() if status == 409]
    assert loser_body["error"] == "run_conflict"
    manifest = aws_stack.objects()["sweeps/runs/run_id=racing-run/manifest.json"]
    assert f'"seed":{winner}' in manifest.decode()
    assert aws_stack.queue_depth(aws_stack.queue_url) == SMALL["shard_count"]


def test_ridesweep_run_with_the_aws_backend_submits_and_works_the_queue_to_the_end(
    aws_stack: AwsStack, tmp_path: Any
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({**SMALL, "run_id": "cli-run"}))

    result = CliRunner().invoke(app, ["run", str(request), "--backend", "aws"])

    assert result.exit_code == 0, result.output
    assert "state succeeded: 2 succeeded" in result.output
    assert f"s3://{aws_stack.bucket}/sweeps" in result.output
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0
