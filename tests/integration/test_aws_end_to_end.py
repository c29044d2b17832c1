"""A whole run over the wire: POST through the Lambda handler → SQS → worker → S3 on moto server,
compared object by object with what the local backend writes for the same request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.settings import Settings
from tests.fixtures import EXAMPLE
from tests.harness import Harness, expected_keys
from tests.integration.conftest import AwsStack

pytestmark = pytest.mark.moto

RUN_DATE = "2026-11-28"  # the harness's fixed clock
PER_SHARD = {
    "run_id": "per-shard-run",
    "dimensions": {"num_riders": [30, 45, 60], "commission_rate": [0.1, 0.3]},
    "base_parameters": {"num_drivers": 8},
    "shard_count": 2,
    "seed": 11,
    "output_layout": "per_shard",
}


def local_objects(request: dict[str, Any], results: Path) -> dict[str, bytes]:
    """The same request through the same handler on the local backend, drained in-process."""
    local = Harness(settings=Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results)))
    status, _ = local.post(request)
    assert status == 202
    local.drain()
    return {
        path.relative_to(results).as_posix(): path.read_bytes()
        for path in results.rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize("request_body", [EXAMPLE, PER_SHARD], ids=["per_point", "per_shard"])
def test_a_run_over_sqs_and_s3_writes_the_local_backends_bytes_at_the_contract_keys(
    aws_stack: AwsStack, tmp_path: Path, request_body: dict[str, Any]
) -> None:
    harness = aws_stack.harness()

    status, body = harness.post(request_body)
    report = aws_stack.work(harness, batch_size=10)

    assert status == 202
    assert report.received == body["shard_count"]
    remote = aws_stack.objects()
    assert set(remote) == expected_keys(request_body, RUN_DATE)
    local = local_objects(request_body, tmp_path / "local")
    assert set(local) == set(remote)
    different = sorted(key for key in remote if remote[key] != local[key])
    assert different == []
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0


def test_status_over_the_wire_follows_the_run(aws_stack: AwsStack) -> None:
    harness = aws_stack.harness()
    harness.post(EXAMPLE)

    _, before = harness.get(EXAMPLE["run_id"])
    aws_stack.work(harness)
    _, after = harness.get(EXAMPLE["run_id"])

    assert (before["state"], before["shards_pending"]) == ("running", 4)
    assert (after["state"], after["shards_succeeded"], after["shards_failed"]) == ("partial", 3, 1)


def test_the_status_command_reads_s3_without_a_queue_setting(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = aws_stack.harness()
    harness.post(EXAMPLE)
    monkeypatch.delenv("SHARD_QUEUE_URL")

    result = CliRunner().invoke(app, ["status", EXAMPLE["run_id"], "--backend", "aws"])

    assert result.exit_code == ExitCode.INCOMPLETE, result.output  # not finished: as `run` would exit
    assert '"state": "running"' in result.output
