"""One place that decides which boto3 failures a retry may fix, and turns them into TransientError.

botocore's "standard" retry mode has already retried these by the time they reach us; what is left
is handed to the caller as ``ports.errors.TransientError`` (a shard goes back to the queue, an API
call answers 503). Every other client error is a bug or a misconfiguration and propagates as is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from ports.errors import TransientError

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "KMS.ThrottlingException",
        "BandwidthLimitExceeded",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "AWS.SimpleQueueService.ServiceUnavailable",
        "ConditionalRequestConflict",  # S3: a concurrent conditional write on the same key
        "OperationAborted",
    }
)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def http_status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | HTTPClientError):  # timeouts, resets, refused connections
        return True
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = http_status(exc)
        return code in THROTTLING_CODES or code in TRANSIENT_CODES or status == 429 or status >= 500
    return False


@contextmanager
def transient_errors(operation: str) -> Iterator[None]:
    """Re-raise a retryable boto3 failure of ``operation`` as ``TransientError``."""
    try:
        yield
    except (ClientError, ConnectionError, HTTPClientError) as exc:
        if is_transient(exc):
            raise TransientError(f"{operation}: {exc}") from exc
        raise
