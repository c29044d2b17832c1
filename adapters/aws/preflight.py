"""Before a worker takes a message: the bucket and the queues it will use exist and answer.

A missing bucket found mid-shard is a failed delivery SQS retries until the message is
dead-lettered; found here it is one line before anything starts. Unreachable endpoints, missing
credentials or region are left to propagate as boto3 raises them: the CLI explains those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from adapters.aws.errors import error_code, http_status
from ports.errors import ResourceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_DENIED = {"AccessDenied", "AccessDeniedException", "Forbidden"}


def check_resources(
    s3: S3Client,
    sqs: SQSClient,
    *,
    bucket: str | None = None,
    queue_url: str | None = None,
    dlq_url: str | None = None,
) -> None:
    """Raises ``ResourceUnavailable`` for the first of the given resources that is missing or
    refused; the ``None`` ones are not checked."""
    if bucket:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            _raise_unavailable("results bucket", f"s3://{bucket}", exc)
    for kind, url in (("shard queue", queue_url), ("dead-letter queue", dlq_url)):
        if url:
            try:
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            except ClientError as exc:
                _raise_unavailable(kind, url, exc)


def _raise_unavailable(kind: str, name: str, exc: ClientError) -> None:
    code, status = error_code(exc), http_status(exc)
    if code in _MISSING_QUEUE or code in ("NoSuchBucket", "404", "NotFound") or status == 404:
        raise ResourceUnavailable(kind, name, "missing") from exc
    if code in _DENIED or status == 403:
        raise ResourceUnavailable(kind, name, "denied", f"{exc.operation_name}: {code or status}") from exc
    raise exc  # credentials, throttling, 5xx: as boto3 raised it
