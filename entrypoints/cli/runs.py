"""`ridesweep run`, `plan`, `status` and `serve`: a sweep from request to results."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
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
from application.submit_sweep import SubmitResult
from domain.errors import MalformedJson
from domain.manifest import RequestSource
from entrypoints.cli.console import console
from entrypoints.cli.exit_codes import ExitCode, UsageError
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    PrefixOption,
    QueueUrlOption,
    ResultsOption,
    ShardDeadlineOption,
    backend_settings,
    chosen_backend,
    describe_results,
    local_settings,
)
from entrypoints.container import Container, build_container

POINT_METRICS_SQL = """
SELECT m.point_index, m.shard_id, p.selected_dimensions_json, avg(m.conversion_rate) AS conversion_rate,
       avg(m.completed_riders) AS completed_riders, avg(m.platform_revenue) AS platform_revenue,
       avg(m.median_time_to_match_ms) AS median_time_to_match_ms,
       avg(m.driver_utilization) AS driver_utilization
FROM shard_metrics m
LEFT JOIN effective_parameters p ON p.shard_id = m.shard_id AND p.point_index = m.point_index
GROUP BY m.point_index, m.shard_id, p.selected_dimensions_json
ORDER BY m.point_index
"""
"""Each point's metrics, averaged over its replicates (`ridesweep query point-summary` has the
intervals)."""


def read_request(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MalformedJson(f"request file {str(path)!r} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedJson(f"{path} is not valid JSON: {exc}") from None


class SimulationsPerSecondColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:7.1f} simulations/s", style="cyan")


def simulations_text(points: int, replicates: int) -> str:
    """``"24 points"``, or ``"24 points × 10 replicates = 240 simulations"``."""
    if replicates == 1:
        return f"{points:,} points"
    return f"{points:,} points × {replicates:,} replicates = {points * replicates:,} simulations"


def run(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON (docs/contract.md §1).")],
    results: ResultsOption = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Use this run id instead of the request's.")
    ] = None,
    backend: BackendOption = None,
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    shard_deadline: ShardDeadlineOption = None,
) -> None:
    """Run a whole sweep and print every point's key metrics: in-process, or (--backend aws)
    through SQS and S3, this process working the queue until the run is done."""
    backend = chosen_backend(backend)
    if backend == "aws" and workers > 1:
        raise UsageError(
            "--workers is for the local backend; start more `ridesweep worker` processes instead"
        )
    settings = backend_settings(
        backend,
        results=results,
        queue_url=queue_url,
        bucket=bucket,
        prefix=prefix,
        shard_deadline=shard_deadline,
    )
    payload = read_request(request)
    if run_id is not None and isinstance(payload, dict):
        payload["run_id"] = run_id
    container = build_container(settings)
    if settings.backend == "aws":
        container.check_aws_resources(bucket=settings.results_bucket, queue_url=settings.shard_queue_url)
    accepted: SubmitResult = container.submit_sweep(
        payload, RequestSource(kind="cli", user_agent="ridesweep-cli")
    )
    manifest = accepted.manifest
    console.print(
        f"run [bold]{manifest.run_id}[/bold] {accepted.status}: "
        f"{simulations_text(manifest.total_points, manifest.replicates)} in "
        f"{manifest.shard_count} shards, {len(accepted.dispatched)} to run, "
        f"{workers} worker(s) → {describe_results(settings)}"
    )
    if accepted.continuation_advice is not None and settings.shard_deadline_seconds is not None:
        console.print(f"[yellow]note:[/yellow] {accepted.continuation_advice.message()}", highlight=False)
    replicates = manifest.replicates
    todo = accepted.points_dispatched * replicates
    started = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        SimulationsPerSecondColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("simulations", total=todo)
        status: RunStatus = container.drain_run(
            manifest.run_id,
            workers=container.shard_workers(processes=workers),
            on_points=lambda n: progress.advance(task, n * replicates),  # a point is all its replicates
        )
    wall = time.perf_counter() - started
    print_metrics_table(container, status, replicates)
    rate = todo / wall if wall > 0 else 0.0
    console.print(f"{todo:,} simulations in {wall:.1f} s ({rate:.1f} simulations/s)")
    print_status(status)
    if settings.backend == "local":
        where = f"--results {settings.results_dir}"
        preset = "precision" if replicates > 1 else "health-ranking"  # how many replicates suffice
        console.print(
            f"next: [bold]ridesweep report {status.run_id} {where}[/bold] (heat maps, ranking) or "
            f"[bold]ridesweep query {preset} --run {status.run_id} {where}[/bold]",
            highlight=False,
        )
    raise typer.Exit(ExitCode.OK if status.state == "succeeded" else ExitCode.FAILED)


def print_metrics_table(
    container: Container, status: RunStatus, replicates: int = 1, limit: int = 200
) -> None:
    with container.open_run_analytics(status.run_id) as run_tables:
        rows = run_tables.sql(POINT_METRICS_SQL).rows
    selected = [json.loads(row["selected_dimensions_json"] or "{}") for row in rows]
    dimension_names = sorted(selected[0]) if selected else []
    title = f"run {status.run_id}: key metrics per point"
    if replicates > 1:
        title += f" (means of {replicates} replicates)"
    table = Table(title=title, header_style="bold")
    for column in ["point", "shard", *dimension_names]:
        table.add_column(column, justify="right")
    for column in ["conversion", "completed", "revenue", "median match s", "utilisation"]:
        table.add_column(column, justify="right", style="green")
    for row, values in list(zip(rows, selected, strict=True))[:limit]:
        table.add_row(
            str(row["point_index"]),
            str(row["shard_id"]),
            *[_cell(values.get(name)) for name in dimension_names],
            f"{row['conversion_rate']:.1%}",
            f"{row['completed_riders']:.0f}" if replicates == 1 else f"{row['completed_riders']:.1f}",
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


def plan(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON.")],
    show: Annotated[int, typer.Option(help="Shards to list.")] = 20,
) -> None:
    """Validate a request and show its shard plan, without running anything; warn when shards are
    estimated to outgrow one worker invocation (WORKER_TIMEOUT_SECONDS, or SHARD_DEADLINE_SECONDS)."""
    from domain.contract import parse_sweep_request
    from domain.cost_model import continuation_advice
    from domain.planning import plan_sweep

    settings = local_settings()
    limits = settings.limits
    the_plan = plan_sweep(parse_sweep_request(read_request(request), limits), limits)
    req = the_plan.request
    console.print(f"[green]valid[/green] request for run [bold]{req.run_id}[/bold]")
    axes = ", ".join(f"{name} ({len(values)})" for name, values in req.dimensions.items())
    console.print(f"{simulations_text(the_plan.total_points, req.replicates)} over {axes}")
    seeds = f", {req.seed_strategy} seeds" if req.replicates > 1 else ""
    console.print(f"{the_plan.shard_count:,} shards, layout {req.output_layout}, seed {req.seed}{seeds}")
    console.print(f"config_fingerprint  {the_plan.config_fingerprint}")
    console.print(f"request_fingerprint {the_plan.request_fingerprint}")
    table = Table("shard", "start", "end (excl.)", "points", "simulations", "fails on purpose")
    for shard in the_plan.shards[:show]:
        table.add_row(
            str(shard.shard_id),
            str(shard.start_index),
            str(shard.end_index_exclusive),
            str(shard.size),
            str(shard.size * req.replicates),
            "yes" if shard.shard_id in req.failure_injection_shards else "",
        )
    console.print(table)
    if the_plan.shard_count > show:
        console.print(f"… and {the_plan.shard_count - show} more shards")
    advice = continuation_advice(the_plan, settings.invocation_seconds)
    if advice is not None:
        console.print(f"[yellow]warning:[/yellow] {advice.message()}", highlight=False)


def status(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Show how far a run has got, from its shard outcome records."""
    settings = backend_settings(
        backend, results=results, needs=("results_bucket",), bucket=bucket, prefix=prefix
    )
    state: RunStatus = build_container(settings).run_status(run_id)
    console.print_json(json.dumps(state.as_dict()))
    print_status(state)


def serve(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1.")] = 8080,
    results: ResultsOption = None,
    backend: BackendOption = None,
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    shard_deadline: ShardDeadlineOption = None,
) -> None:
    """Serve POST /sweep-run and GET /sweep-run/{run_id} on 127.0.0.1, running shards in-process
    (or, with --backend aws, only enqueueing them on SQS for `ridesweep worker`)."""
    from entrypoints.local_server import serve_forever

    settings = backend_settings(
        backend,
        results=results,
        queue_url=queue_url,
        bucket=bucket,
        prefix=prefix,
        shard_deadline=shard_deadline,
    )
    serve_forever(settings, port=port, announce=console.print)


COMMANDS = (run, plan, status, serve)
