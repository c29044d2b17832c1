"""boto3 clients, built the one way the container and the tools need them.

The endpoint comes from boto3's own resolution (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_S3``, ...),
so the same code talks to moto server on loopback or to a real account.
"""

from __future__ import annotations

from typing import Any, Literal

import boto3
from botocore.config import Config

Service = Literal["s3", "sqs", "logs"]

# The S3 store writes with a pool of S3_WRITE_THREADS threads while the shard's background writer and
# the status reads run beside it: give every one of them a connection of its own.
S3_WRITE_THREADS = 16
SQS_SEND_THREADS = 8
_POOL_SIZE: dict[str, int] = {"s3": S3_WRITE_THREADS + 8, "sqs": SQS_SEND_THREADS + 4, "logs": 2}


def client_config(service: Service) -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=_POOL_SIZE[service],
        connect_timeout=5,
        read_timeout=30,  # above the 20 s SQS long poll
        tcp_keepalive=True,
    )


def make_client(service: Service, *, session: boto3.session.Session | None = None, **overrides: Any) -> Any:
    """A client for ``service`` from ``session`` (default: a new one); ``overrides``
    (``endpoint_url``, ``region_name``, credentials, a ``config`` merged over ours) win over the
    environment, for tests and tools that aim at a particular endpoint."""
    config = client_config(service)
    if "config" in overrides:
        config = config.merge(overrides.pop("config"))
    return (session or boto3.session.Session()).client(service, config=config, **overrides)
