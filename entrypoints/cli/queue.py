"""`ridesweep worker` and `ridesweep redrive`: the SQS side of a run, against AWS or any endpoint
that speaks its API (moto server on loopback, for one)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from entrypoints.cli.console import console, err_console
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.cli.options import (
    BucketOption,
    DlqUrlOption,
    LogGroupOption,
    PrefixOption,
    QueueUrlOption,
    ShardDeadlineOption,
    aws_settings,
    describe_results,
)
from entrypoints.container import build_container
from entrypoints.logs import configure_logging
from entrypoints.queue_worker import PollReport, work_queue
from entrypoints.story import log_redriven
from ports.dead_letters import RedriveMethod, RedriveResult

if TYPE_CHECKING:
    from application.execute_shard import ShardResult


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
    shard_deadline: ShardDeadlineOption = None,
    log_group: LogGroupOption = None,
) -> None:
    """Run shards from the SQS shard queue through the Lambda handler, as the SQS trigger would:
    what succeeded is deleted; what the handler reports as failed comes back after the visibility
    timeout, and goes to the dead-letter queue after maxReceiveCount receives. With
    --shard-deadline, a shard message that runs longer continues in a continuation message."""
    settings = aws_settings(
        queue_url=queue_url, bucket=bucket, prefix=prefix, shard_deadline=shard_deadline
    )
    container = build_container(settings)
    container.check_aws_resources(bucket=settings.results_bucket, queue_url=settings.shard_queue_url)
    shipper = container.log_shipper(log_group) if log_group else None
    configure_logging(settings.log_level, forward=shipper)
    poller = container.shard_poller(batch_size=batch_size)
    err_console.print(
        f"worker on {settings.shard_queue_url} → {describe_results(settings)}"
        + (" (until the queue is empty)" if drain else "; Ctrl-C stops")
    )
    results: list[ShardResult] = []
    try:
        report: PollReport = work_queue(
            poller, container.lambda_handler(), drain=drain, on_shard_result=results.append
        )
    finally:
        if shipper is not None:
            shipper.close()
    print_worker_summary(report, results)
    if report.transient_errors:
        err_console.print(
            f"[yellow]{len(report.transient_errors)} queue call(s) failed and were "
            f"retried; last: {report.transient_errors[-1]}[/yellow]"
        )
    if any(result.status == "failed" for result in results):
        raise typer.Exit(ExitCode.FAILED)


def print_worker_summary(report: PollReport, results: list[ShardResult]) -> None:
    """What the deliveries came to: shards done, failed for good (named, with their error code),
    continued, already done or cancelled, and those handed back to the queue."""
    counts: Counter[str] = Counter(result.status for result in results)
    parts = [f"{counts['succeeded']:,} succeeded"]
    parts += [f"{counts[status]:,} {label}" for status, label in _OTHER_OUTCOMES if counts[status]]
    returned = report.failed
    parts.append(
        f"{returned:,} handed back to the queue (delivered again, then dead-lettered after "
        "maxReceiveCount receives)"
        if returned
        else "none handed back to the queue"
    )
    deliveries = "1 delivery" if report.received == 1 else f"{report.received:,} deliveries"
    console.print(f"{deliveries}: {', '.join(parts)}", highlight=False)
    for result in results:
        if result.status == "failed":
            console.print(
                f"[red]failed for good:[/red] run {result.run_id} shard {result.shard_id} "
                f"({result.error_code}); `ridesweep query failures --run {result.run_id} --backend aws` "
                "says why",
                highlight=False,
            )


_OTHER_OUTCOMES = (
    ("failed", "failed for good (their failure is recorded; SQS does not retry them)"),
    ("continued", "continued in a continuation message"),
    ("skipped", "already done"),
    ("cancelled", "cancelled"),
)


def redrive(
    dlq_url: DlqUrlOption = None,
    queue_url: QueueUrlOption = None,
    log_group: LogGroupOption = None,
    method: Annotated[
        RedriveMethod,
        typer.Option(
            "--method",
            help="auto: StartMessageMoveTask on AWS endpoints, else receive → send → delete.",
        ),
    ] = "auto",
) -> None:
    """Move dead-lettered shard messages back to the shard queue and print how many moved."""
    settings = aws_settings(
        ("dead_letter_queue_url", "shard_queue_url"), queue_url=queue_url, dlq_url=dlq_url
    )
    container = build_container(settings)
    container.check_aws_resources(queue_url=settings.shard_queue_url, dlq_url=settings.dead_letter_queue_url)
    shipper = container.log_shipper(log_group) if log_group else None
    configure_logging(settings.log_level, forward=shipper)
    result: RedriveResult = container.redrive(method=method)
    log_redriven(result)
    if shipper is not None:
        shipper.close()
    console.print(f"moved {result.moved} message(s) to {settings.shard_queue_url} ({result.method})")
    if result.not_moved:
        err_console.print(f"[yellow]{result.not_moved} message(s) could not be sent; run again[/yellow]")
        raise typer.Exit(ExitCode.ENVIRONMENT)


COMMANDS = (worker, redrive)
