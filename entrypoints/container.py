"""The one dependency-injector container: adapters picked by ``SWEEP_BACKEND``.

boto3 clients are Singletons (built lazily, once per cold start) and passed into the adapters, so
tests, moto and a real account differ only in the endpoint boto3 resolves (``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.local.file_blob_store import FileBlobStore
from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.queue import InMemoryShardQueue
from adapters.system_clock import SystemClock
from entrypoints.settings import Settings


def _s3_client() -> Any:
    from adapters.aws.clients import make_client

    return make_client("s3")


def _sqs_client() -> Any:
    from adapters.aws.clients import make_client

    return make_client("sqs")


def _s3_blob_store(client: Any, bucket: str) -> Any:
    from adapters.aws.s3_blob_store import S3BlobStore

    return S3BlobStore(client, bucket)


def _sqs_queue(client: Any, queue_url: str) -> Any:
    from adapters.aws.sqs_queue import SqsShardQueue

    return SqsShardQueue(client, queue_url)


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    keys = providers.Singleton(lambda s: s.keys, settings)
    limits = providers.Singleton(lambda s: s.limits, settings)

    s3_client = providers.Singleton(_s3_client)
    sqs_client = providers.Singleton(_sqs_client)

    in_process_queue = providers.Singleton(InMemoryShardQueue)
    blob_store = providers.Selector(
        config.backend,
        memory=providers.Singleton(InMemoryBlobStore),
        local=providers.Singleton(FileBlobStore, config.results_dir),
        aws=providers.Singleton(_s3_blob_store, s3_client, config.results_bucket),
    )
    shard_queue = providers.Selector(
        config.backend,
        memory=in_process_queue,
        local=in_process_queue,
        aws=providers.Singleton(_sqs_queue, sqs_client, config.shard_queue_url),
    )


def build_container(settings: Settings) -> Container:
    container = Container()
    container.config.from_dict(settings.model_dump())
    container.settings.override(providers.Object(settings))
    return container
