"""The DuckDB engine over the local results directory, or over the results bucket on S3.

On S3 the files are read with pyarrow's S3 filesystem aimed where the service's boto3 client is
aimed: its endpoint (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_S3``, a profile's endpoint: boto3
resolved it), its region and the credentials of its session (an SSO profile included).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from adapters.duckdb.run_queries import DuckDbEngine

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def local_engine(results_dir: str | Path) -> DuckDbEngine:
    return DuckDbEngine(pafs.LocalFileSystem(), Path(results_dir).resolve().as_posix())


def s3_engine(client: S3Client, bucket: str, *, session: Any = None) -> DuckDbEngine:
    """``session``: the boto3 session the client came from, whose credentials pyarrow uses too
    (``None``: pyarrow's own default chain)."""
    options: dict[str, Any] = {}
    endpoint = urlsplit(client.meta.endpoint_url)
    if not endpoint.hostname or not endpoint.hostname.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        options.update(endpoint_override=endpoint.netloc, scheme=endpoint.scheme or "https")
    region = client.meta.region_name
    if region and region != "aws-global":
        options["region"] = region
    elif "endpoint_override" not in options:
        options["region"] = pafs.resolve_s3_region(bucket)
    credentials = session.get_credentials() if session is not None else None
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options.update(access_key=frozen.access_key, secret_key=frozen.secret_key, session_token=frozen.token)
    return DuckDbEngine(pafs.S3FileSystem(**options), bucket)
