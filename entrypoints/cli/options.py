"""The options several commands share, typed once, and the one settings loader per backend.

Flags override the environment's settings (docs/contract.md §6); the result is validated as a whole,
so a missing or invalid value is named before anything runs. boto3 finds the endpoint and the
credentials itself (AWS_ENDPOINT_URL, AWS_PROFILE, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import typer

from entrypoints.cli.diagnoses import Where
from entrypoints.cli.exit_codes import UsageError, command_where
from entrypoints.settings import Need, Settings, SettingsError

CliBackend = Literal["local", "aws"]

BackendOption = Annotated[
    CliBackend | None,
    typer.Option(
        "--backend",
        help="local: the results directory, shards run on this machine; "
        "aws: SQS and S3 (at AWS_ENDPOINT_URL if set). Default: SWEEP_BACKEND, else local.",
        show_default=False,
    ),
]
ResultsOption = Annotated[
    Path | None,
    typer.Option("--results", help="Results directory (default: SWEEP_RESULTS_DIR or ./results)."),
]
QueueUrlOption = Annotated[
    str | None, typer.Option("--queue-url", help="Shard queue URL (default: SHARD_QUEUE_URL).")
]
BucketOption = Annotated[
    str | None, typer.Option("--bucket", help="Results bucket (default: SWEEP_RESULTS_BUCKET).")
]
PrefixOption = Annotated[
    str | None, typer.Option("--prefix", help="Results key prefix (default: SWEEP_RESULTS_PREFIX).")
]
LogGroupOption = Annotated[
    str | None,
    typer.Option(
        "--log-group",
        help="Also send the log lines to this CloudWatch log group (the runtime's, as Lambda "
        "does), so `ridesweep logs --backend aws` tells the story of what ran here.",
    ),
]
DlqUrlOption = Annotated[
    str | None, typer.Option("--dlq-url", help="Dead-letter queue URL (default: SHARD_DLQ_URL).")
]
ShardDeadlineOption = Annotated[
    float | None,
    typer.Option(
        "--shard-deadline",
        min=0.001,
        metavar="SECONDS",
        help="Run each shard message at most this long, then write what is finished and continue "
        "the rest in a continuation message (default: SHARD_DEADLINE_SECONDS, else no limit; "
        "docs/contract.md §4).",
    ),
]


def local_settings(
    results: Path | None = None, *, shard_deadline: float | None = None, prefix: str | None = None
) -> Settings:
    """The environment's settings on the local backend, ``--results`` over SWEEP_RESULTS_DIR."""
    return _located(
        Settings.from_env(
            overrides={
                "backend": "local",
                "results_dir": str(results) if results is not None else None,
                "results_prefix": prefix,
                "shard_deadline_seconds": _text(shard_deadline),
            }
        )
    )


def aws_settings(
    needs: Iterable[Need] = ("shard_queue_url", "results_bucket"),
    *,
    queue_url: str | None = None,
    bucket: str | None = None,
    prefix: str | None = None,
    dlq_url: str | None = None,
    shard_deadline: float | None = None,
) -> Settings:
    """The environment's settings on the aws backend, the flags given over them; ``needs`` are the
    settings the command cannot do without (a status read needs the bucket, not the queue)."""
    overrides = {
        "backend": "aws",
        "shard_queue_url": queue_url,
        "results_bucket": bucket,
        "results_prefix": prefix,
        "dead_letter_queue_url": dlq_url,
        "shard_deadline_seconds": _text(shard_deadline),
    }
    return _located(Settings.from_env(overrides=overrides, needs=needs))


def chosen_backend(backend: CliBackend | None) -> CliBackend:
    """``--backend`` if given, else SWEEP_BACKEND (validated), else local. The memory backend keeps
    nothing after the process ends, so the CLI refuses it."""
    if backend is not None:
        return backend
    configured = Settings.from_env(needs=()).backend
    if configured == "memory":
        raise SettingsError(
            "SWEEP_BACKEND=memory keeps results only inside one process (it is for tests); the "
            "command line runs on local or aws"
        )
    return configured


def backend_settings(
    backend: CliBackend | None,
    *,
    results: Path | None = None,
    needs: Iterable[Need] = ("shard_queue_url", "results_bucket"),
    queue_url: str | None = None,
    bucket: str | None = None,
    prefix: str | None = None,
    shard_deadline: float | None = None,
) -> Settings:
    """``local_settings`` or ``aws_settings``, as ``--backend`` (or SWEEP_BACKEND) says."""
    if chosen_backend(backend) == "aws":
        if results is not None:
            raise UsageError("--results is for the local backend; on aws the results are in --bucket")
        return aws_settings(
            needs, queue_url=queue_url, bucket=bucket, prefix=prefix, shard_deadline=shard_deadline
        )
    for flag, value in (("--queue-url", queue_url), ("--bucket", bucket)):
        if value is not None:
            raise UsageError(f"{flag} is for the aws backend: add --backend aws (or SWEEP_BACKEND=aws)")
    return local_settings(results, shard_deadline=shard_deadline, prefix=prefix)


def describe_results(settings: Settings) -> str:
    """Where the results of ``settings`` live, as a user would type it."""
    if settings.backend == "aws":
        return f"s3://{settings.results_bucket}/{settings.keys.prefix}"
    return settings.results_dir


def _text(value: float | None) -> str | None:
    return None if value is None else repr(value)


def _located(settings: Settings) -> Settings:
    command_where.set(
        Where(
            results=settings.results_dir if settings.backend != "aws" else None,
            bucket=settings.results_bucket if settings.backend == "aws" else None,
            queue_url=settings.shard_queue_url,
            dlq_url=settings.dead_letter_queue_url,
        )
    )
    return settings
