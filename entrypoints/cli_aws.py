"""`ridesweep worker` and `ridesweep redrive`: the SQS side of a run against AWS or any endpoint
that speaks its API (moto server on loopback, for one), plus what `run`/`serve --backend aws` need.

The queue URL, bucket and prefix come from flags or from the settings (SHARD_QUEUE_URL,
SHARD_DLQ_URL, SWEEP_RESULTS_BUCKET, SWEEP_RESULTS_PREFIX); boto3 finds the endpoint and the
credentials itself (AWS_ENDPOINT_URL, AWS_PROFILE, ...).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console

from entrypoints.container import Container, build_container
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings, SettingsError

if TYPE_CHECKING:
    from adapters.aws.sqs_poller import SqsPoller, WorkerReport

RedriveMethod = Literal["auto", "move-task", "receive-send"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

console = Console()
err_console = Console(stderr=True)

BackendOption = Annotated[
    Literal["local", "aws"],
    typer.Option(
        "--backend",
        help="local: shards run in this process; aws: SQS and S3 (at AWS_ENDPOINT_URL if set).",
    ),
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
DlqUrlOption = Annotated[
    str | None, typer.Option("--dlq-url", help="Dead-letter queue URL (default: SHARD_DLQ_URL).")
]


def aws_settings(
    *,
    queue_url: str | None = None,
    bucket: str | None = None,
    prefix: str | None = None,
    dlq_url: str | None = None,
    backend: str = "aws",
) -> Settings:
    """Settings for the aws backend: the environment, overridden by whichever flags were given,
    validated as a whole so a missing value is named before anything runs."""
    try:
        return Settings.from_env_with(
            backend=backend,
            shard_queue_url=queue_url,
            results_bucket=bucket,
            results_prefix=prefix,
            dead_letter_queue_url=dlq_url,
        )
    except SettingsError as exc:
        err_console.print(f"[red]error:[/red] {exc} (or pass the matching flag)")
        raise typer.Exit(EXIT_INVALID) from None


def results_location(settings: Settings) -> str:
    if settings.backend == "aws":
        return f"s3://{settings.results_bucket}/{settings.keys.prefix}"
    return settings.results_dir


@dataclass(frozen=True, slots=True)
class _Context:
    """What the Lambda runtime passes as ``context``; the worker gives each batch its own id."""

    aws_request_id: str


def lambda_handler_for(container: Container) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The deployed Lambda handler over ``container``, called as the SQS trigger would call it."""
    from entrypoints.handler import make_handler

    handler = make_handler(container)
    return lambda event: handler(event, _Context(aws_request_id=f"worker-{uuid.uuid4()}"))


def shard_poller(container: Container, settings: Settings, *, batch_size: int = 1) -> SqsPoller:
    from adapters.aws.sqs_poller import SqsPoller

    assert settings.shard_queue_url is not None  # aws settings guarantee it
    return SqsPoller(container.sqs_client(), settings.shard_queue_url, batch_size=batch_size)


def drain_run(
    container: Container,
    settings: Settings,
    run_id: str,
    *,
    on_points: Callable[[int], None] | None = None,
    status_every_seconds: float = 1.0,
) -> WorkerReport:
    """Work the shard queue until ``run_id`` is no longer running, or until the queue holds
    nothing more (its last shards then sit in the dead-letter queue, or with another worker)."""
    from entrypoints import use_cases

    configure_logging("WARNING")  # the progress bar reports each shard; retryable failures still show
    handler = lambda_handler_for(container)
    last_check = float("-inf")

    def counting(event: dict[str, Any]) -> dict[str, Any]:
        answer = handler(event)
        if on_points is not None:
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
            on_points(sum(_points(r["body"]) for r in event["Records"] if r["messageId"] not in failed))
        return answer

    def finished() -> bool:
        nonlocal last_check
        if time.monotonic() - last_check < status_every_seconds:
            return False
        last_check = time.monotonic()
        status = use_cases.status(container, run_id)
        return status.state != "running"

    return shard_poller(container, settings).run(counting, drain=True, until=finished)


def _points(body: str) -> int:
    try:
        message = json.loads(body)
        return int(message["end_index_exclusive"]) - int(message["start_index"])
    except (ValueError, KeyError, TypeError):
        return 0


def worker(
    queue_url: QueueUrlOption = None,
    drain: Annotated[
        bool, typer.Option("--drain", help="Exit once the queue is empty with nothing in flight.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=10, help="Messages per receive (Lambda: 1).")
    ] = 1,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Run shards from the SQS shard queue through the Lambda handler, as the SQS trigger would:
    what succeeded is deleted; what the handler reports as failed comes back after the visibility
    timeout, and goes to the dead-letter queue after maxReceiveCount receives."""
    settings = aws_settings(queue_url=queue_url, bucket=bucket, prefix=prefix)
    configure_logging(settings.log_level)
    container = build_container(settings)
    poller = shard_poller(container, settings, batch_size=batch_size)
    err_console.print(
        f"worker on {poller.queue_url} → {results_location(settings)}"
        + (" (until the queue is empty)" if drain else "; Ctrl-C stops")
    )
    report = poller.run(lambda_handler_for(container), drain=drain)
    console.print(
        f"{report.received} deliveries: {report.succeeded} done, {report.failed} reported as "
        "failed (SQS delivers those again, then moves them to the dead-letter queue)"
    )
    if report.transient_errors:
        err_console.print(f"[yellow]{len(report.transient_errors)} queue call(s) failed and were "
                          f"retried; last: {report.transient_errors[-1]}[/yellow]")


def redrive(
    dlq_url: DlqUrlOption = None,
    queue_url: QueueUrlOption = None,
    method: Annotated[
        RedriveMethod,
        typer.Option(
            "--method",
            help="auto: StartMessageMoveTask on AWS endpoints, else receive → send → delete.",
        ),
    ] = "auto",
) -> None:
    """Move dead-lettered shard messages back to the shard queue and print how many moved."""
    from adapters.aws.sqs_redrive import redrive as move_back

    # A redrive touches only the queues: no bucket is needed, so the settings are not "aws" ones.
    settings = aws_settings(queue_url=queue_url, dlq_url=dlq_url, backend="memory")
    missing = [
        name
        for name, value in (
            ("SHARD_DLQ_URL (or --dlq-url)", settings.dead_letter_queue_url),
            ("SHARD_QUEUE_URL (or --queue-url)", settings.shard_queue_url),
        )
        if not value
    ]
    if missing or settings.dead_letter_queue_url is None or settings.shard_queue_url is None:
        err_console.print(f"[red]error:[/red] a redrive needs {' and '.join(missing)}")
        raise typer.Exit(EXIT_INVALID)
    result = move_back(
        build_container(settings).sqs_client(),
        dlq_url=settings.dead_letter_queue_url,
        queue_url=settings.shard_queue_url,
        method=method,
    )
    console.print(f"moved {result.moved} message(s) to {settings.shard_queue_url} ({result.method})")
    if result.not_moved:
        err_console.print(f"[yellow]{result.not_moved} message(s) could not be sent; run again[/yellow]")
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(worker)
    app.command()(redrive)
