"""`ridesweep runs`, `cancel`, `watch` and `logs`: operating runs that are queued, running or over,
on the local results directory or (``--backend aws``) the results bucket."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.table import Table
from rich.text import Text

from application.cancel_run import CancelResult
from application.list_runs import MAX_LIMIT, RunsPage, RunSummary
from application.run_status import RunStatus
from application.run_story import LogLevel
from domain.contract import check_run_id
from domain.manifest import RequestSource
from entrypoints.cli.console import console, err_console
from entrypoints.cli.exit_codes import UsageError
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    CliBackend,
    PrefixOption,
    ResultsOption,
    backend_settings,
    chosen_backend,
    describe_results,
)
from entrypoints.cli.runs import exit_code_of, print_metrics_table, print_status
from entrypoints.container import Container, build_container
from entrypoints.logs import configure_logging, get_logger

if TYPE_CHECKING:
    from application.follow_run import RunLook
    from ports.run_logs import RunLogEvents

ListFormat = Literal["table", "json"]
RunsFormat = Literal["table", "json", "ids"]
STATE_COLOURS = {"succeeded": "green", "running": "yellow", "cancelled": "magenta"}


def _container(
    backend: CliBackend | None,
    results: Path | None,
    bucket: str | None,
    prefix: str | None,
    **overrides: object,
) -> Container:
    settings = backend_settings(
        backend,
        results=results,
        needs=("results_bucket",),
        bucket=bucket,
        prefix=prefix,
    )
    given = {name: value for name, value in overrides.items() if value is not None}
    if given:
        settings = settings.model_copy(update=given)
    configure_logging("WARNING", run_log_dir=settings.run_log_dir)  # the story goes to its file
    return build_container(settings)


def cancel(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Cancel a run: its workers stop before their next point and record the shards they did not
    finish as cancelled. Cancelling it again changes nothing; its request cannot be resumed."""
    check_run_id(run_id)
    container = _container(backend, results, bucket, prefix)
    result: CancelResult = container.cancel_run(run_id, RequestSource(kind="cli", user_agent="ridesweep-cli"))
    when = result.marker.cancelled_at.isoformat(timespec="seconds")
    if result.created:
        get_logger().info("run_cancelled", run_id=run_id, cancelled_at=result.marker.cancelled_at.isoformat())
        console.print(
            f"run [bold]{run_id}[/bold] cancelled at {when}: running shards stop before their next "
            "point, queued ones are recorded as cancelled without running",
            highlight=False,
        )
    else:
        console.print(f"run [bold]{run_id}[/bold] was already cancelled at {when}", highlight=False)
    console.print(f"follow it to its end: [bold]ridesweep watch {run_id}[/bold]", highlight=False)


def runs(
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIMIT, help="Runs per page.")] = 20,
    next_token: Annotated[
        str | None, typer.Option("--next-token", help="The token a previous page printed.")
    ] = None,
    output_format: Annotated[
        RunsFormat, typer.Option("--format", help="table, json, or ids (one run id a line, for scripts).")
    ] = "table",
) -> None:
    """List runs, newest first: state, simulations done and planned, shards, dates."""
    container = _container(backend, results, bucket, prefix)
    page: RunsPage = container.list_runs(limit=limit, next_token=next_token)
    if output_format == "json":
        typer.echo(json.dumps(page.as_dict(), indent=2))
        return
    if output_format == "ids":
        for run in page.runs:
            typer.echo(run.run_id)
        return
    table = Table(title=f"runs in {describe_results(container.settings())}", header_style="bold")
    for column in ("run", "state", "accepted (UTC)", "simulations", "shards ok/failed/cancelled/pending"):
        table.add_column(column, justify="left" if column in ("run", "state") else "right")
    for run in page.runs:
        table.add_row(run.run_id, _state(run), _accepted(run), _simulations(run), _shards(run))
    console.print(table)
    if not page.runs:
        console.print("no runs yet: `ridesweep run REQUEST.json` starts one")
    if page.next_token:
        console.print(f"more: [bold]ridesweep runs --next-token {page.next_token}[/bold]", highlight=False)


class RateColumn(ProgressColumn):
    """Simulations per second over the last looks (the run's pace now, not since it was accepted)."""

    def render(self, task: Task) -> Text:
        speed = task.speed or 0.0
        return Text(f"{speed:7.1f} simulations/s", style="cyan")


class EtaColumn(ProgressColumn):
    """The time left at the run's current pace; once the run has ended, nothing to wait for."""

    def render(self, task: Task) -> Text:
        if task.fields.get("ended"):
            return Text("ended", style="progress.remaining")
        left = task.time_remaining
        if left is None:
            return Text("ETA -:--:--", style="progress.remaining")
        minutes, seconds = divmod(int(left), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"ETA {hours}:{minutes:02d}:{seconds:02d}", style="progress.remaining")


def watch(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    interval: Annotated[
        float, typer.Option(min=0.05, max=600, help="Seconds between looks (each: 3 requests).")
    ] = 2.0,
) -> None:
    """Follow a run live until it ends: shards and points done, rate, ETA, and each failure as it
    happens with its error code; then the final table, and the exit code `run` would give."""
    check_run_id(run_id)
    container = _container(backend, results, bucket, prefix)
    later_looks = container.follow_run(run_id, interval=interval)
    first_look: RunLook = next(later_looks)  # before the progress display: an error is its one line
    first = first_look.status
    console.print(
        f"run [bold]{run_id}[/bold]: {first.total_points * first.replicates:,} "
        f"simulations in {first.shard_count:,} shards, {describe_results(container.settings())}",
        highlight=False,
    )
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("simulations"),
        RateColumn(),
        EtaColumn(),
        console=console,
        transient=False,
    ) as progress:
        task: TaskID = progress.add_task("", total=first.total_points * first.replicates)
        look = first_look
        for look in itertools.chain([first_look], later_looks):
            status = look.status
            progress.update(
                task,
                completed=status.points_succeeded * status.replicates,
                description=_shards_line(status),
                ended=status.ended,
            )
            for failure in look.new_failures:
                progress.console.print(
                    f"[red]shard {failure.shard_id} failed[/red]: {failure.error_code or 'unknown'}"
                    f" — {failure.error_message or ''}",
                    highlight=False,
                )
    final = look.status
    if final.shards_succeeded:
        print_metrics_table(container, final, final.replicates)
    print_status(final, worked_on=None)
    raise typer.Exit(exit_code_of(final))


def _shards_line(status: RunStatus) -> str:
    done = status.shards_succeeded + status.shards_failed + status.shards_cancelled
    extra = f", {status.shards_failed} failed" if status.shards_failed else ""
    if status.state == "cancelled":
        extra += f", cancelled ({status.shards_cancelled} stopped)"
    return f"{done}/{status.shard_count} shards{extra}"


STORY_COLUMNS = ("shard_id", "point_index", "error_code", "receive_count")
"""Shown in their own columns; every other field goes to the details column."""
HIDDEN_IN_TABLE = {
    "run_id",
    "aws_request_id",
    "sqs_message_id",
    "api_request_id",
    "request_fingerprint",
    "logger",
}
"""Long identifiers: in --format json, not in the table."""
LEVEL_STYLES = {"error": "red", "warning": "yellow", "debug": "dim"}


def logs(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    shard: Annotated[int | None, typer.Option("--shard", min=0, help="Only this shard's events.")] = None,
    level: Annotated[
        LogLevel | None, typer.Option("--level", help="Only events at this level or above.")
    ] = None,
    output_format: Annotated[ListFormat, typer.Option("--format", help="table or json (lines).")] = "table",
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    log_group: Annotated[
        str | None,
        typer.Option("--log-group", help="The runtime log group (default: RUNTIME_LOG_GROUP)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=1, max=900, help="Seconds to wait for the Logs Insights query.")
    ] = 60.0,
) -> None:
    """Print a run's story from its structured logs: accepted, enqueued, each shard started and
    finished (points, duration, simulations/s), failed, retried, dead-lettered, cancelled. Local:
    <results>/logs/RUN.jsonl; aws: CloudWatch Logs Insights over the runtime log group."""
    check_run_id(run_id)
    if log_group is not None and chosen_backend(backend) != "aws":
        raise UsageError("--log-group is for --backend aws")
    container = _container(
        backend, results, bucket, prefix, runtime_log_group=log_group, logs_query_seconds=timeout
    )
    story: RunLogEvents = container.run_story(run_id, shard=shard, level=level)
    if output_format == "json":
        for event in story.events:
            line = {"timestamp": event.timestamp, "level": event.level, "event": event.event, **event.fields}
            typer.echo(json.dumps(line, default=str))
    else:
        _print_story(run_id, story)
    if story.truncated:
        err_console.print(
            "[yellow]only the first 10,000 events are shown: narrow with --shard or --level[/yellow]"
        )


def _print_story(run_id: str, story: RunLogEvents) -> None:
    table = Table(title=f"run {run_id}: {len(story.events)} event(s)", header_style="bold")
    for column in ("time (UTC)", "level", "event", "shard", "point", "error", "receive", "details"):
        table.add_column(column, overflow="fold")
    for event in story.events:
        style = LEVEL_STYLES.get(event.level, "")
        details = " ".join(
            f"{k}={v}" for k, v in event.fields.items() if k not in STORY_COLUMNS and k not in HIDDEN_IN_TABLE
        )
        table.add_row(
            event.timestamp[11:23] if len(event.timestamp) >= 23 else event.timestamp,
            Text(event.level, style=style),
            Text(event.event, style=style),
            *(_text(event.fields.get(column)) for column in STORY_COLUMNS),
            details,
        )
    console.print(table)
    if not story.events:
        console.print("no events yet for this run (or none at this level/shard)")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _state(run: RunSummary) -> str:
    colour = STATE_COLOURS.get(run.state, "red")
    return f"[{colour}]{run.state}[/{colour}]"


def _accepted(run: RunSummary) -> str:
    return run.accepted_at[:19].replace("T", " ")


def _simulations(run: RunSummary) -> str:
    return f"{run.simulations_succeeded:,} / {run.total_simulations:,}"


def _shards(run: RunSummary) -> str:
    return f"{run.shards_succeeded}/{run.shards_failed}/{run.shards_cancelled}/{run.shards_pending}"


COMMANDS = (runs, watch, logs, cancel)
