"""The results store on S3 (``ports.blob_store.BlobStore``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from adapters.aws.clients import S3_WRITE_THREADS
from adapters.aws.errors import error_code, http_status, transient_errors
from ports.errors import TransientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CREATE_ATTEMPTS = 4


class S3BlobStore:
    """Objects in one bucket. ``put_many`` writes on a bounded pool shared by every call, so a shard's
    per-point objects go out in parallel without a thread per object."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        *,
        write_threads: int = S3_WRITE_THREADS,
        list_page_size: int = 1000,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._write_threads = write_threads
        self._list_page_size = list_page_size
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with transient_errors(f"put s3://{self._bucket}/{key}"):
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data)

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        if len(items) <= 1:
            for key, data in items:
                self.put(key, data)
            return
        pool = self._writer_pool()
        futures: list[Future[None]] = [pool.submit(self.put, key, data) for key, data in items]
        wait(futures)  # every write has finished before a failure is reported: none is left running
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            transient = [e for e in errors if isinstance(e, TransientError)]
            raise (transient or errors)[0]  # type: ignore[misc]

    def create_if_absent(self, key: str, data: bytes) -> bool:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                with transient_errors(f"create s3://{self._bucket}/{key}"):
                    self._client.put_object(Bucket=self._bucket, Key=key, Body=data, IfNoneMatch="*")
                return True
            except ClientError as exc:
                if error_code(exc) == "PreconditionFailed" or http_status(exc) == 412:
                    return self._ours_after_retry(exc, key, data)
                raise
            except TransientError as exc:
                # 409 ConditionalRequestConflict: another conditional write on this key is in flight;
                # once it settles, a retry answers 412 (it won) or succeeds (it failed).
                if attempt == CREATE_ATTEMPTS or not _is_conflict(exc):
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _ours_after_retry(self, exc: ClientError, key: str, data: bytes) -> bool:
        """A 412 on a retried call may answer our own first attempt, which S3 wrote before the
        connection dropped: the object then holds exactly our bytes (a manifest carries its request
        id and acceptance time, so another writer's never do)."""
        retried = int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0) > 0
        return retried and self.get(key) == data

    def get(self, key: str) -> bytes | None:
        with transient_errors(f"get s3://{self._bucket}/{key}"):
            try:
                response = self._client.get_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in ("NoSuchKey", "404"):
                    return None
                raise
            return response["Body"].read()

    def exists(self, key: str) -> bool:
        with transient_errors(f"head s3://{self._bucket}/{key}"):
            try:
                self._client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if http_status(exc) == 404 or error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                    return False
                raise
            return True

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self._client.get_paginator("list_objects_v2")
        with transient_errors(f"list s3://{self._bucket}/{prefix}"):
            pages = paginator.paginate(
                Bucket=self._bucket,
                Prefix=prefix,
                PaginationConfig={"PageSize": self._list_page_size},
            )
            for page in pages:
                keys.extend(obj["Key"] for obj in page.get("Contents", ()))
        return sorted(keys)

    def list_page(self, prefix: str, *, start_after: str | None, limit: int) -> list[str]:
        with transient_errors(f"list s3://{self._bucket}/{prefix}"):
            page = self._client.list_objects_v2(
                Bucket=self._bucket,
                Prefix=prefix,
                MaxKeys=min(limit, 1000),
                StartAfter=start_after or "",  # "" starts at the first key
            )
        return sorted(obj["Key"] for obj in page.get("Contents", ()))

    def _writer_pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._write_threads, thread_name_prefix="s3-put"
                )
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def _is_conflict(exc: TransientError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, ClientError) and (
        error_code(cause) == "ConditionalRequestConflict" or http_status(cause) == 409
    )
