"""The ``ridesweep`` command line: run, plan, status and serve sweeps on one machine.

Exit codes: 0 success; 1 a shard failed or the run is unknown; 2 an invalid request or
setting (the message names the field); 3 the run id is taken by another request.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from application.run_status import RunStatus
from application.submit_sweep import RequestSource
from domain.errors import RequestValidationError, RunConflict, RunNotFound
from entrypoints import use_cases
from entrypoints.cli_aws import (
    BackendOption,
    BucketOption,
    PrefixOption,
    QueueUrlOption,
    aws_settings,
    results_location,
)
from entrypoints.container import build_container
from entrypoints.settings import Settings, SettingsError

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_CONFLICT = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Parameter sweeps of a ride-hailing marketplace simulation.",
)
console = Console()
if not console.is_terminal:  # piped or captured: room for the metrics table rather than 80 columns
    console = Console(width=160)
err_console = Console(stderr=True)

ResultsOption = Annotated[
    Path | None,
    typer.Option("--results", help="Results directory (default: SWEEP_RESULTS_DIR or ./results)."),
]


def load_settings(**overrides: str | None) -> Settings:
    try:
        return Settings.from_env_with(**overrides)
    except SettingsError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_INVALID) from None


def read_request(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        err_console.print(f"[red]error:[/red] request file {str(path)!r} does not exist")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        err_console.print(f"[red]error:[/red] {path} is not valid JSON: {exc}")
    raise typer.Exit(EXIT_INVALID)


def report_invalid(exc: RequestValidationError) -> None:
    err_console.print("[red]invalid request:[/red]")
    for detail in exc.details:
        err_console.print(f"  • {detail.render()}", markup=False, highlight=False)


class PointsPerSecondColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:7.1f} points/s", style="cyan")


@app.command()
def run(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON (CONTRACT.md §1).")],
    results: ResultsOption = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Use this run id instead of the request's.")
    ] = None,
    backend: BackendOption = "local",
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Run a whole sweep and print every point's key metrics: in-process, or (--backend aws)
    through SQS and S3, this process working the queue until the run is done."""
    if backend == "aws" and workers > 1:
        err_console.print("[red]error:[/red] --workers is for the local backend; start more "
                          "`ridesweep worker` processes instead")
        raise typer.Exit(EXIT_INVALID)
    settings = (
        aws_settings(queue_url=queue_url, bucket=bucket, prefix=prefix)
        if backend == "aws"
        else load_settings(backend="local", results_dir=str(results) if results else None)
    )
    payload = read_request(request)
    if run_id is not None and isinstance(payload, dict):
        payload["run_id"] = run_id
    container = build_container(settings)
    try:
        accepted = use_cases.submit(
            container, payload, RequestSource(kind="cli", user_agent="ridesweep-cli")
        )
    except RequestValidationError as exc:
        report_invalid(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except RunConflict as exc:
        err_console.print(f"[red]conflict:[/red] {exc}")
        raise typer.Exit(EXIT_CONFLICT) from None
    body = accepted.body
    console.print(
        f"run [bold]{body['run_id']}[/bold] {accepted.status}: {body['total_points']} points in "
        f"{body['shard_count']} shards, {body['shards_dispatched']} to run, "
        f"{workers} worker(s) → {results_location(settings)}"
    )
    from entrypoints.local_runner import execute_bodies

    bodies = container.in_process_queue().take_all()
    todo = sum(d["end_index_exclusive"] - d["start_index"] for d in body["dispatches"])
    started = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        PointsPerSecondColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("points", total=todo)
        try:
            if settings.backend == "aws":
                from entrypoints.cli_aws import drain_run

                drain_run(container, settings, body["run_id"], on_points=lambda n: progress.advance(task, n))
            else:
                execute_bodies(
                    bodies,
                    settings,
                    workers=workers,
                    container=container,
                    on_points=lambda n: progress.advance(task, n),
                )
        except Exception as exc:  # storage failed or a worker died: the run can be resumed
            progress.stop()
            err_console.print(
                f"[red]error:[/red] the run stopped: {type(exc).__name__}: {exc}\n"
                "Run the same command again to resume: finished shards are kept."
            )
            raise typer.Exit(EXIT_FAILED) from None
    wall = time.perf_counter() - started
    status = use_cases.status(container, body["run_id"])
    print_metrics_table(container, status)
    rate = todo / wall if wall > 0 else 0.0
    console.print(f"{todo} points in {wall:.1f} s ({rate:.1f} points/s)")
    print_status(status)
    if settings.backend == "local":
        where = f"--results {settings.results_dir}"
        console.print(
            f"next: [bold]ridesweep report {status.run_id} {where}[/bold] (heat maps, ranking) or "
            f"[bold]ridesweep query health-ranking --run {status.run_id} {where}[/bold]",
            highlight=False,
        )
    raise typer.Exit(EXIT_OK if status.state == "succeeded" else EXIT_FAILED)


def print_metrics_table(container: Any, status: RunStatus, limit: int = 200) -> None:
    from entrypoints.results_reader import point_metrics_rows

    dimension_names, rows = point_metrics_rows(
        container.blob_store(), container.keys(), status.run_date, status.run_id
    )
    table = Table(title=f"run {status.run_id}: key metrics per point", header_style="bold")
    for column in ["point", "shard", *dimension_names]:
        table.add_column(column, justify="right")
    for column in ["conversion", "completed", "revenue", "median match s", "utilisation"]:
        table.add_column(column, justify="right", style="green")
    for row in rows[:limit]:
        table.add_row(
            str(row["point_index"]),
            str(row["shard_id"]),
            *[_cell(row["selected"][name]) for name in dimension_names],
            f"{row['conversion_rate']:.1%}",
            str(row["completed_riders"]),
            f"{row['platform_revenue']:,.2f}",
            f"{row['median_time_to_match_ms'] / 1000:.1f}",
            f"{row['driver_utilization']:.1%}",
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"… and {len(rows) - limit} more points (see `ridesweep query`)")


def _cell(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def print_status(status: RunStatus) -> None:
    colour = {"succeeded": "green", "running": "yellow"}.get(status.state, "red")
    console.print(
        f"state [{colour}]{status.state}[/{colour}]: {status.shards_succeeded} succeeded, "
        f"{status.shards_failed} failed, {status.shards_pending} pending of {status.shard_count} shards"
    )
    if status.failed_shard_ids:
        console.print(f"[red]failed shards:[/red] {', '.join(map(str, status.failed_shard_ids))}")


@app.command()
def plan(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON.")],
    show: Annotated[int, typer.Option(help="Shards to list.")] = 20,
) -> None:
    """Validate a request and show its shard plan, without running anything."""
    from domain.contract import parse_sweep_request
    from domain.planning import plan_sweep

    settings = load_settings()
    payload = read_request(request)
    try:
        the_plan = plan_sweep(parse_sweep_request(payload, settings.limits), settings.limits)
    except RequestValidationError as exc:
        report_invalid(exc)
        raise typer.Exit(EXIT_INVALID) from None
    req = the_plan.request
    console.print(f"[green]valid[/green] request for run [bold]{req.run_id}[/bold]")
    axes = ", ".join(f"{name} ({len(values)})" for name, values in req.dimensions.items())
    console.print(f"{the_plan.total_points:,} points over {axes}")
    console.print(f"{the_plan.shard_count:,} shards, layout {req.output_layout}, seed {req.seed}")
    console.print(f"config_fingerprint  {the_plan.config_fingerprint}")
    console.print(f"request_fingerprint {the_plan.request_fingerprint}")
    table = Table("shard", "start", "end (excl.)", "points", "fails on purpose")
    for shard in the_plan.shards[:show]:
        table.add_row(
            str(shard.shard_id),
            str(shard.start_index),
            str(shard.end_index_exclusive),
            str(shard.size),
            "yes" if shard.shard_id in req.failure_injection_shards else "",
        )
    console.print(table)
    if the_plan.shard_count > show:
        console.print(f"… and {the_plan.shard_count - show} more shards")


@app.command()
def status(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    backend: BackendOption = "local",
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Show how far a run has got, from its shard outcome records."""
    settings = (
        # status only reads S3; the aws backend's queue setting is required but never used here
        aws_settings(bucket=bucket, prefix=prefix, queue_url=os.environ.get("SHARD_QUEUE_URL") or "unused")
        if backend == "aws"
        else load_settings(backend="local", results_dir=str(results) if results else None)
    )
    container = build_container(settings)
    try:
        state = use_cases.status(container, run_id)
    except RunNotFound as exc:
        where = settings.results_bucket if backend == "aws" else settings.results_dir
        err_console.print(f"[red]error:[/red] {exc} under {where}")
        raise typer.Exit(EXIT_FAILED) from None
    console.print_json(json.dumps(state.as_dict()))
    print_status(state)


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1.")] = 8080,
    results: ResultsOption = None,
    backend: BackendOption = "local",
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Serve POST /sweep-run and GET /sweep-run/{run_id} on 127.0.0.1, running shards in-process
    (or, with --backend aws, only enqueueing them on SQS for `ridesweep worker`)."""
    from entrypoints.local_server import serve_forever

    settings = (
        aws_settings(queue_url=queue_url, bucket=bucket, prefix=prefix)
        if backend == "aws"
        else load_settings(backend="local", results_dir=str(results) if results else None)
    )
    serve_forever(settings, port=port, announce=console.print)


def _register_command_groups() -> None:
    from entrypoints import cli_analytics, cli_aws

    cli_aws.register(app)
    cli_analytics.register(app)


_register_command_groups()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
