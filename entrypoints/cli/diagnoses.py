"""What went wrong outside the program, and what to do about it: one line for each failure a user
can meet on the machine or on AWS (disk, permissions, network, credentials, region, bucket, queue).

``diagnose`` follows an error's causes (a ``TransientError`` wraps the boto3 error behind it) and
returns the cause and the fix, naming the path, bucket, queue or endpoint the command was using
(``Where``, from the command's settings). ``None``: not a failure of the environment.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from ports.errors import DamagedObject, ResourceUnavailable, TransientError

RERUN = "then run the same command again (finished shards are kept)"
LOGIN = "run `aws sso login` (with AWS_PROFILE set) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"

_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_REJECTED = {
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AuthFailure",
    "InvalidToken",
    "IncompleteSignature",
}
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "Forbidden",
    "KMS.AccessDeniedException",
    "AllAccessDisabled",
}
_NO_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_S3_OPERATIONS = {
    "GetObject",
    "PutObject",
    "HeadObject",
    "HeadBucket",
    "ListObjectsV2",
    "DeleteObject",
    "GetBucketLocation",
}


@dataclass(frozen=True, slots=True)
class Where:
    """What the command was working on, for the message: every field as the user would type it."""

    results: str | None = None
    bucket: str | None = None
    queue_url: str | None = None
    dlq_url: str | None = None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    cause: str
    fix: str

    def line(self) -> str:
        return f"{self.cause}: {self.fix}"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors behind it, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def diagnose(exc: BaseException, where: Where) -> Diagnosis | None:
    for error in causes(exc):
        found = _one(error, where)
        if found is not None:
            return found
    if any(isinstance(e, TransientError) for e in causes(exc)):
        return Diagnosis(f"AWS kept failing after retries ({_first_line(exc)})", f"wait a little, {RERUN}")
    return None


def _one(error: BaseException, where: Where) -> Diagnosis | None:
    if isinstance(error, ResourceUnavailable):
        return _resource(error)
    if isinstance(error, DamagedObject):
        return _damaged(error)
    if isinstance(error, OSError) and not isinstance(error, ConnectionError):
        return _os_error(error)
    if isinstance(error, NoRegionError):
        return Diagnosis(
            "no AWS region is set",
            "export AWS_DEFAULT_REGION (e.g. eu-west-1), or use an AWS_PROFILE that has a region",
        )
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return Diagnosis("no AWS credentials were found", LOGIN)
    if isinstance(error, ProfileNotFound):
        return Diagnosis(str(error), "check AWS_PROFILE against the profiles in ~/.aws/config")
    if isinstance(error, SSOTokenLoadError | UnauthorizedSSOTokenError | TokenRetrievalError | SSOError):
        return Diagnosis("the AWS SSO session has expired or was never started", "run `aws sso login`")
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError):
        endpoint = str(getattr(error, "kwargs", {}).get("endpoint_url", "") or "the AWS endpoint")
        return Diagnosis(
            f"cannot reach {_endpoint_root(endpoint)}",
            "check the network and AWS_ENDPOINT_URL (for moto: is moto_server running on that port?), "
            + RERUN,
        )
    if isinstance(error, ReadTimeoutError):
        return Diagnosis("AWS did not answer in time", f"check the network, {RERUN}")
    if isinstance(error, ParamValidationError):
        return Diagnosis(
            f"AWS refused a parameter: {_first_line(error)}",
            "check SWEEP_RESULTS_BUCKET, SHARD_QUEUE_URL and SHARD_DLQ_URL (or --bucket, --queue-url)",
        )
    if isinstance(error, ClientError):
        return _client_error(error, where)
    if isinstance(error, MemoryError):
        return Diagnosis("the machine ran out of memory", f"use fewer --workers or smaller markets, {RERUN}")
    return _by_name(error)


def _resource(error: ResourceUnavailable) -> Diagnosis:
    flag = {
        "results bucket": "SWEEP_RESULTS_BUCKET or --bucket",
        "shard queue": "SHARD_QUEUE_URL or --queue-url",
        "dead-letter queue": "SHARD_DLQ_URL or --dlq-url",
    }.get(error.kind, "its setting")
    if error.problem == "missing":
        return Diagnosis(
            f"the {error.kind} {error.name} does not exist",
            f"create it (docs/runbook.md, or the README's moto walkthrough step 3) or point {flag} at "
            "one that does",
        )
    if error.problem == "denied":
        return Diagnosis(
            f"access to the {error.kind} {error.name} is denied ({error.detail})",
            f"use credentials allowed to use it (docs/runbook.md: the operator policy) or set {flag}",
        )
    return Diagnosis(f"the {error.kind} {error.name} cannot be used: {error.detail}", f"check {flag}")


def _damaged(error: DamagedObject) -> Diagnosis:
    shard = re.search(r"shard_id=(\d+)", error.key)
    outcome = (
        f" and shard {shard.group(1)}'s success outcome (dataset=shard_outcomes/…/status=success/"
        f"shard_id={shard.group(1)}…)"
        if shard
        else ""
    )
    return Diagnosis(
        f"the results file {error.key} is damaged ({error.detail.rstrip('.')})",
        f"delete it{outcome}, then run the same request again: the shard is recomputed",
    )


def _os_error(error: OSError) -> Diagnosis:
    path = error.filename if error.filename is not None else "a file"
    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return Diagnosis(
            f"no space left on the device of {path}",
            f"free some space or choose another directory (--results, --out), {RERUN}",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "read-only file system" if code == errno.EROFS else "permission denied"
        return Diagnosis(
            f"{reason} on {path}",
            "choose a directory you may write (--results DIR, SWEEP_RESULTS_DIR, report --out DIR) or "
            "fix its permissions",
        )
    if code in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: a directory to create is a file
        return Diagnosis(
            f"{path} is not a directory (a file is in the way)",
            "choose another directory (--results, --out) or move the file",
        )
    if code == errno.ENOENT:
        return Diagnosis(f"{path} does not exist", "check the path")
    if code == errno.EMFILE:
        return Diagnosis("too many open files", f"raise `ulimit -n` or use fewer --workers, {RERUN}")
    if error.strerror:
        return Diagnosis(f"{error.strerror} on {path}", f"fix it, {RERUN}")
    return Diagnosis(str(error) or type(error).__name__, f"fix it, {RERUN}")


def _client_error(error: ClientError, where: Where) -> Diagnosis | None:
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    operation = error.operation_name or "the call"
    service = "s3" if operation in _S3_OPERATIONS else "sqs"
    if code in _EXPIRED:
        return Diagnosis("the AWS credentials have expired", LOGIN)
    if code in _REJECTED:
        return Diagnosis(f"AWS rejected the credentials ({code})", f"check AWS_PROFILE or the keys: {LOGIN}")
    if code == "NoSuchBucket" or (operation == "HeadBucket" and status == 404):
        bucket = str(details.get("BucketName") or where.bucket or "")
        return _resource(ResourceUnavailable("results bucket", f"s3://{bucket}", "missing"))
    if code in _NO_QUEUE:
        queues = " or ".join(q for q in (where.queue_url, where.dlq_url) if q) or "the queue"
        return _resource(ResourceUnavailable("shard queue", queues, "missing"))
    if code in _DENIED or status == 403:
        resource = f"s3://{where.bucket}" if service == "s3" and where.bucket else (where.queue_url or "")
        return Diagnosis(
            f"access denied: {service}:{operation} on {resource or 'the resource'}",
            f"give the credentials {service}:{operation} (docs/runbook.md: the operator policy) or use "
            "other credentials",
        )
    if code in ("InvalidBucketName", "InvalidAddress", "InvalidParameterValue"):
        return Diagnosis(
            f"AWS refused a name ({code}: {details.get('Message', '')})",
            "check SWEEP_RESULTS_BUCKET and SHARD_QUEUE_URL (or --bucket, --queue-url)",
        )
    if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"):
        return Diagnosis(
            f"the bucket {where.bucket or ''} is in another region than the one set",
            "set AWS_DEFAULT_REGION to the bucket's region",
        )
    return None


def _by_name(error: BaseException) -> Diagnosis | None:
    """Errors of libraries imported only by some commands (pyarrow, DuckDB), told by their type."""
    name = type(error).__name__
    module = type(error).__module__
    if module.startswith("pyarrow") and name in ("ArrowInvalid", "ArrowIOError"):
        return Diagnosis(
            f"a results file cannot be read ({_first_line(error)})",
            "it was damaged or written by something else: delete it (its run reruns it) and run again",
        )
    if name in ("BrokenProcessPool", "WorkerDied"):
        return Diagnosis(
            "a worker process died (out of memory, or killed)",
            f"use fewer --workers, {RERUN}",
        )
    return None


def _endpoint_root(url: str) -> str:
    """``http://127.0.0.1:5000/bucket/key`` → ``http://127.0.0.1:5000``."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.split('/', 1)[0]}" if sep else url


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
