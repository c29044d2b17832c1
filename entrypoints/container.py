"""The composition root: one dependency-injector container, wired from one ``Settings``.

It picks every adapter by ``SWEEP_BACKEND`` and provides the use cases with their ports filled in,
so the handlers, the CLI and the local server ask it for a use case and never name an adapter (an
import-linter contract keeps ``adapters`` out of every other entrypoint module). boto3 clients are
Singletons (built lazily, once per cold start) and passed into the adapters, so tests, moto and a
real account differ only in the endpoint boto3 resolves (``AWS_ENDPOINT_URL``). Heavy modules
(the simulation, pyarrow, DuckDB, the SQS tools) are imported on first use, so the API path's
cold start loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from operator import attrgetter
from typing import Any

from dependency_injector import containers, providers

from adapters.local.file_blob_store import FileBlobStore
from adapters.local.run_log_files import RunLogFiles
from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.queue import InMemoryShardQueue
from adapters.process_memory import ProcessMemoryGauge
from adapters.system_clock import SystemClock
from application.cancel_run import cancel_run
from application.drain_run import drain_run
from application.list_runs import list_runs
from application.redrive import redrive_dead_letters
from application.run_status import run_status
from application.run_story import run_story
from application.submit_sweep import accepted_run, submit_sweep
from application.work_budget import WorkBudget, worker_limits
from entrypoints.settings import Settings


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported on the first call rather than with the container."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module), name)(*args, **kwargs)

    return call


def _aws_session() -> Any:
    import boto3

    return boto3.session.Session()


def _no_log_files() -> Any:
    raise NotImplementedError("the memory backend keeps no log files: use local or aws")


def _no_engine() -> Any:
    raise NotImplementedError("the memory backend keeps no files to query: use local or aws")


def _in_process_or_aws(backend: providers.Provider[Any], in_process: Any, aws: Any) -> Any:
    """The memory and local backends share ``in_process`` (the in-process queue's side of things)."""
    return providers.Selector(backend, memory=in_process, local=in_process, aws=aws)


def _setting(name: str) -> Callable[[Settings], Any]:
    return attrgetter(name)


def _work_budget(
    settings: Settings,
    clock: Any,
    memory: Any,
    *,
    remaining_ms: int | None = None,
    memory_mb: int | None = None,
) -> WorkBudget:
    """One worker invocation's budget: what the runtime gives it (the Lambda context's remaining
    time and memory), bounded by the settings (docs/contract.md §4)."""
    limits = worker_limits(
        clock,
        remaining_ms=remaining_ms,
        part_seconds=settings.shard_deadline_seconds,
        memory_mb=memory_mb,
        memory_mb_setting=settings.worker_memory_mb,
    )
    return WorkBudget(limits, clock, memory)


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)
    backend = providers.Callable(_setting("backend"), settings)
    results_dir = providers.Callable(_setting("results_dir"), settings)
    results_bucket = providers.Callable(_setting("results_bucket"), settings)
    shard_queue_url = providers.Callable(_setting("shard_queue_url"), settings)
    dead_letter_queue_url = providers.Callable(_setting("dead_letter_queue_url"), settings)
    cancel_check_seconds = providers.Callable(_setting("cancel_check_seconds"), settings)

    clock = providers.Singleton(SystemClock)
    memory_gauge = providers.Singleton(ProcessMemoryGauge)
    keys = providers.Singleton(_setting("keys"), settings)
    limits = providers.Singleton(_setting("limits"), settings)

    aws_session = providers.Singleton(_aws_session)
    s3_client = providers.Singleton(_lazy("adapters.aws.clients", "make_client"), "s3", session=aws_session)
    sqs_client = providers.Singleton(_lazy("adapters.aws.clients", "make_client"), "sqs", session=aws_session)
    logs_client = providers.Singleton(
        _lazy("adapters.aws.clients", "make_client"), "logs", session=aws_session
    )

    check_aws_resources = providers.Callable(
        _lazy("adapters.aws.preflight", "check_resources"), s3_client, sqs_client
    )
    """Before a command works the queue: call it with the ``bucket``, ``queue_url``, ``dlq_url`` it
    will use; raises ``ResourceUnavailable`` for a missing or refused one."""

    in_process_queue = providers.Singleton(InMemoryShardQueue)
    blob_store = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryBlobStore),
        local=providers.Singleton(FileBlobStore, results_dir),
        aws=providers.Singleton(
            _lazy("adapters.aws.s3_blob_store", "S3BlobStore"), s3_client, results_bucket
        ),
    )
    shard_queue = _in_process_or_aws(
        backend,
        in_process_queue,
        providers.Singleton(_lazy("adapters.aws.sqs_queue", "SqsShardQueue"), sqs_client, shard_queue_url),
    )
    shard_inbox = in_process_queue
    """Where the local runner and server take shard messages from (memory and local backends)."""
    shard_poller = providers.Factory(
        _lazy("adapters.aws.sqs_poller", "SqsPoller"), sqs_client, shard_queue_url
    )
    dead_letters = _in_process_or_aws(
        backend,
        providers.Singleton(InMemoryDeadLetters, in_process_queue),
        providers.Factory(
            _lazy("adapters.aws.sqs_redrive", "SqsDeadLetters"),
            sqs_client,
            dlq_url=dead_letter_queue_url,
            queue_url=shard_queue_url,
        ),
    )
    query_engine = providers.Selector(
        backend,
        memory=providers.Callable(_no_engine),
        local=providers.Singleton(_lazy("adapters.duckdb.engines", "local_engine"), results_dir),
        aws=providers.Singleton(
            _lazy("adapters.duckdb.engines", "s3_engine"), s3_client, results_bucket, session=aws_session
        ),
    )
    lambda_handler = providers.Singleton(_lazy("entrypoints.handler", "make_handler"), __self__)
    shard_workers = _in_process_or_aws(
        backend,
        providers.Factory(_lazy("entrypoints.local_runner", "InProcessWorkers"), shard_inbox, __self__),
        providers.Factory(_lazy("entrypoints.queue_worker", "SqsWorkers"), shard_poller, lambda_handler),
    )

    # The use cases, their ports filled in: call them with the request's own arguments.
    invocation_seconds = providers.Callable(_setting("invocation_seconds"), settings)
    submit_sweep = providers.Callable(
        submit_sweep,
        store=blob_store,
        queue=shard_queue,
        clock=clock,
        keys=keys,
        limits=limits,
        invocation_seconds=invocation_seconds,
    )
    accepted_run = providers.Callable(accepted_run, store=blob_store, keys=keys)
    """The run a submit of a plan would resume (``None``: its run id is free); raises as a submit."""
    work_budget = providers.Factory(_work_budget, settings, clock, memory_gauge)
    """A worker invocation's budget: call it with the runtime's ``remaining_ms`` and ``memory_mb``."""
    simulator: providers.Object[Any] = providers.Object(None)
    """The worker's simulation: ``None`` is the model itself; a benchmark overrides it with a timer."""
    execute_shard = providers.Callable(
        _lazy("application.execute_shard", "execute_shard"),
        store=blob_store,
        keys=keys,
        clock=clock,
        queue=shard_queue,
        simulator=simulator,
        cancel_check_seconds=cancel_check_seconds,
    )
    run_status = providers.Callable(run_status, store=blob_store, keys=keys)
    cancel_run = providers.Callable(cancel_run, store=blob_store, keys=keys, clock=clock)
    list_runs = providers.Callable(list_runs, store=blob_store, keys=keys)
    run_logs = providers.Selector(
        backend,
        memory=providers.Callable(_no_log_files),
        local=providers.Factory(RunLogFiles, providers.Callable(_setting("run_log_dir"), settings)),
        aws=providers.Factory(
            _lazy("adapters.aws.cloudwatch_run_logs", "CloudWatchRunLogs"),
            logs_client,
            providers.Callable(_setting("runtime_log_group"), settings),
            timeout_seconds=providers.Callable(_setting("logs_query_seconds"), settings),
        ),
    )
    """A run's story: ``<results>/logs`` on the local backend, CloudWatch Logs Insights on aws."""
    log_shipper = providers.Factory(
        _lazy("adapters.aws.cloudwatch_log_shipper", "CloudWatchLogShipper"), logs_client
    )
    """Sends this process's log lines to a CloudWatch log group: call it with the group's name."""
    run_story = providers.Callable(run_story, logs=run_logs, store=blob_store, keys=keys)
    follow_run = providers.Callable(
        _lazy("application.follow_run", "follow_run"), store=blob_store, keys=keys
    )
    drain_run = providers.Callable(drain_run, store=blob_store, keys=keys)
    redrive = providers.Callable(redrive_dead_letters, dead_letters=dead_letters)
    open_run_analytics = providers.Callable(
        _lazy("application.analytics.run_analytics", "open_run_analytics"),
        store=blob_store,
        keys=keys,
        engine=query_engine,
    )


def build_container(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container
