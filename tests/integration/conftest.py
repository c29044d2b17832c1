"""An SQS shard queue with a dead-letter queue and an S3 results bucket on moto server, and a
Lambda handler wired to them through the container, with a fixed clock."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.aws.sqs_poller import SqsPoller, WorkerReport
from application.run_status import RunStatus
from entrypoints.settings import Settings
from tests.harness import Harness

MAX_RECEIVE_COUNT = 3


@dataclass
class AwsStack:
    s3: Any
    sqs: Any
    bucket: str
    queue_url: str
    dlq_url: str

    @property
    def settings(self) -> Settings:
        return Settings(
            SWEEP_BACKEND="aws",
            SHARD_QUEUE_URL=self.queue_url,
            SHARD_DLQ_URL=self.dlq_url,
            SWEEP_RESULTS_BUCKET=self.bucket,
            SWEEP_RESULTS_PREFIX="sweeps",
        )

    def harness(self) -> Harness:
        """The handler over the aws backend: the container builds the boto3 clients itself."""
        return Harness(settings=self.settings)

    def work(self, harness: Harness, *, batch_size: int = 1) -> WorkerReport:
        """Run the queue through ``harness``'s handler until it is empty, as `worker --drain` does."""
        poller = SqsPoller(self.sqs, self.queue_url, batch_size=batch_size)
        return poller.run(lambda event: harness.handler(event, harness.context), drain=True)

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, read with plain boto3 calls."""
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            keys.extend(obj["Key"] for obj in page.get("Contents", ()))
        return {k: self.s3.get_object(Bucket=self.bucket, Key=k)["Body"].read() for k in keys}

    def status(self, harness: Harness, run_id: str) -> RunStatus:
        return harness.container.run_status(run_id)  # type: ignore[no-any-return]

    def queue_depth(self, url: str) -> int:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return sum(int(attributes[name]) for name in names)


@pytest.fixture
def visibility_timeout() -> int:
    """Seconds a received message stays hidden; 0 makes a reported failure come straight back."""
    return 0


@pytest.fixture
def aws_stack(
    aws_env: str, moto_s3: Any, moto_sqs: Any, visibility_timeout: int, monkeypatch: pytest.MonkeyPatch
) -> AwsStack:
    name = f"it-{uuid.uuid4().hex[:12]}"
    moto_s3.create_bucket(Bucket=name)
    dlq_url = moto_sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = moto_sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    queue_url = moto_sqs.create_queue(
        QueueName=f"{name}-shards",
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
            ),
        },
    )["QueueUrl"]
    stack = AwsStack(moto_s3, moto_sqs, name, queue_url, dlq_url)
    # What `ridesweep worker` and `ridesweep redrive` read when no flag is given.
    for variable, value in {
        "SWEEP_BACKEND": "aws",
        "SHARD_QUEUE_URL": queue_url,
        "SHARD_DLQ_URL": dlq_url,
        "SWEEP_RESULTS_BUCKET": name,
        "SWEEP_RESULTS_PREFIX": "sweeps",
    }.items():
        monkeypatch.setenv(variable, value)
    return stack
