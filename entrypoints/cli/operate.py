"""`ridesweep runs`, `cancel`, `watch` and `logs`: operating runs that are queued, running or over,
on the local results directory or (``--backend aws``) the results bucket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from application.cancel_run import CancelResult
from application.list_runs import MAX_LIMIT, RunsPage, RunSummary
from domain.manifest import RequestSource
from entrypoints.cli.console import console
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    CliBackend,
    PrefixOption,
    ResultsOption,
    backend_settings,
    describe_results,
)
from entrypoints.container import Container, build_container
from entrypoints.logs import configure_logging, get_logger

ListFormat = Literal["table", "json"]
STATE_COLOURS = {"succeeded": "green", "running": "yellow", "cancelled": "magenta"}


def _container(
    backend: CliBackend | None, results: Path | None, bucket: str | None, prefix: str | None
) -> Container:
    settings = backend_settings(
        backend,
        results=results,
        needs=("results_bucket",),
        bucket=bucket,
        prefix=prefix,
    )
    configure_logging(settings.log_level, run_log_dir=settings.run_log_dir)
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
    output_format: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List runs, newest first: state, simulations done and planned, shards, dates."""
    container = _container(backend, results, bucket, prefix)
    page: RunsPage = container.list_runs(limit=limit, next_token=next_token)
    if output_format == "json":
        typer.echo(json.dumps(page.as_dict(), indent=2))
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


def _state(run: RunSummary) -> str:
    colour = STATE_COLOURS.get(run.state, "red")
    return f"[{colour}]{run.state}[/{colour}]"


def _accepted(run: RunSummary) -> str:
    return run.accepted_at[:19].replace("T", " ")


def _simulations(run: RunSummary) -> str:
    return f"{run.simulations_succeeded:,} / {run.total_simulations:,}"


def _shards(run: RunSummary) -> str:
    return f"{run.shards_succeeded}/{run.shards_failed}/{run.shards_cancelled}/{run.shards_pending}"


COMMANDS = (runs, cancel)
