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
from rich.text import Text

from application.run_status import RunStatus
from application.submit_sweep import SubmitResult
from domain.contract import check_run_id
from domain.errors import MalformedJson
from domain.manifest import RequestSource
from entrypoints.cli.console import console
from entrypoints.cli.exit_codes import ExitCode, UsageError, show_tracebacks
from entrypoints.cli.formatting import Column, duration, plural, print_table, quantities, quantity, share
from entrypoints.cli.interrupts import Interrupts
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    LogGroupOption,
    PrefixOption,
    QueueUrlOption,
    ResultsOption,
    ShardDeadlineOption,
    backend_settings,
    chosen_backend,
    describe_results,
)
from entrypoints.container import Container, build_container
from entrypoints.forkserver import usable_cores, warm_up
from entrypoints.logs import QUIET, configure_logging
from entrypoints.run_activity import is_worked_on, working_on
from entrypoints.settings import Settings
from entrypoints.story import log_submitted

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
"""Each point's metrics, averaged over its replicates (with two or more, the conversion's
interval comes from the point-summary preset, which has every key metric's)."""


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
        return Text(f"{rate:,.1f}/s", style="cyan")


def simulations_text(points: int, replicates: int) -> str:
    """``"24 points"``, or ``"24 points × 10 replicates = 240 simulations"``."""
    if replicates == 1:
        return f"{points:,} points"
    return f"{points:,} points × {replicates:,} replicates = {points * replicates:,} simulations"


WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=256,
        help="Worker processes (default: the cores this process may use).",
        show_default=False,
    ),
]


def run(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON (docs/contract.md §1).")],
    results: ResultsOption = None,
    workers: WorkersOption = None,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Use this run id instead of the request's.")
    ] = None,
    backend: BackendOption = None,
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    shard_deadline: ShardDeadlineOption = None,
) -> None:
    """Run a whole sweep and print every point's key metrics: on this machine's cores, or
    (--backend aws) through SQS and S3, this process working the queue until the run is done.
    Ctrl-C stops it cleanly (a second Ctrl-C at once); the same command resumes it."""
    backend = chosen_backend(backend)
    if backend == "aws" and workers is not None and workers > 1:
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
    processes = 1 if settings.backend == "aws" else workers or usable_cores()
    payload = read_request(request)
    if run_id is not None and isinstance(payload, dict):
        payload["run_id"] = run_id
    if processes > 1:
        warm_up()  # the workers' imports happen while this process submits
    configure_logging(_console_log_level(settings), run_log_dir=settings.run_log_dir)
    container = build_container(settings)
    if settings.backend == "aws":
        container.check_aws_resources(bucket=settings.results_bucket, queue_url=settings.shard_queue_url)
    accepted: SubmitResult = container.submit_sweep(
        payload, RequestSource(kind="cli", user_agent="ridesweep-cli")
    )
    log_submitted(accepted)
    manifest = accepted.manifest
    who = "this process" if settings.backend == "aws" else f"{processes} worker(s)"
    console.print(
        f"run [bold]{manifest.run_id}[/bold] {accepted.status}: "
        f"{simulations_text(manifest.total_points, manifest.replicates)} in "
        f"{manifest.shard_count:,} shards, {len(accepted.dispatched):,} to run, "
        f"{who} → {describe_results(settings)}",
        highlight=False,
    )
    if accepted.continuation_advice is not None and settings.shard_deadline_seconds is not None:
        console.print(f"[yellow]note:[/yellow] {accepted.continuation_advice.message()}", highlight=False)
    if not accepted.dispatched:
        console.print(
            "nothing to run: every shard already succeeded; the results below were written before",
            highlight=False,
        )
        status: RunStatus = container.run_status(manifest.run_id)
    else:
        status = _drain(container, settings, manifest.run_id, accepted, processes)
    print_metrics_table(container, status, manifest.replicates)
    print_status(status, worked_on=False)
    if settings.backend == "local" and status.shards_succeeded:
        where = f"--results {settings.results_dir}"
        preset = "precision" if manifest.replicates > 1 else "health-ranking"  # how many replicates suffice
        console.print(
            f"next: [bold]ridesweep report {status.run_id} {where}[/bold] (heat maps, ranking) or "
            f"[bold]ridesweep query {preset} --run {status.run_id} {where}[/bold]",
            highlight=False,
        )
    raise typer.Exit(exit_code_of(status))


def _console_log_level(settings: Settings) -> str:
    """No log line on the terminal of a local run: its story goes to <results>/logs/RUN.jsonl
    (`ridesweep logs`), and the progress bar, the table and the status line tell the user the
    rest (a failed shard included); every event with --debug or LOG_LEVEL=DEBUG. On aws the story
    is in no file here, so failures and retries show as they happen."""
    if show_tracebacks.get():
        return "DEBUG"
    return QUIET if settings.backend == "local" else "WARNING"


def _drain(
    container: Container, settings: Settings, run_id: str, accepted: SubmitResult, processes: int
) -> RunStatus:
    """Work the run's shards with a progress bar; on Ctrl-C, say how far it got and exit 130."""
    replicates = accepted.manifest.replicates
    todo = accepted.points_dispatched * replicates
    shard_workers = container.shard_workers(processes=processes)
    written = 0
    started = time.perf_counter()
    interrupts = Interrupts(
        stop=shard_workers.stop,
        quit=getattr(shard_workers, "kill", lambda: None),
        stopping_note="stopping: no more shards are handed out; running ones stop at their next point",
    )
    with interrupts, working_on(settings, [run_id]), _progress() as progress:
        task = progress.add_task("simulations", total=todo)

        def advance(points: int) -> None:
            nonlocal written
            written += points
            progress.advance(task, points * replicates)  # a point is all its replicates

        status: RunStatus = container.drain_run(run_id, workers=shard_workers, on_points=advance)
    wall = time.perf_counter() - started
    if interrupts.interrupted:
        done = status.shards_succeeded + status.shards_failed
        console.print(
            f"interrupted: {done:,} of {status.shard_count:,} shards done, {written:,} points written; "
            "rerun the same command to resume",
            highlight=False,
        )
        raise typer.Exit(ExitCode.INTERRUPTED)
    rate = written * replicates / wall if wall > 0 else 0.0
    console.print(
        f"{written * replicates:,} simulations in {duration(wall)} ({quantity(rate)} simulations/s)",
        highlight=False,
    )
    return status


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        SimulationsPerSecondColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def exit_code_of(status: RunStatus) -> ExitCode:
    """The exit code of a run's state, the same for ``run`` and ``status``."""
    if status.state == "succeeded":
        return ExitCode.OK
    if status.state == "running":
        return ExitCode.INCOMPLETE
    return ExitCode.FAILED


def print_metrics_table(
    container: Container, status: RunStatus, replicates: int = 1, limit: int = 200
) -> None:
    with container.open_run_analytics(status.run_id) as run_tables:
        rows = run_tables.sql(POINT_METRICS_SQL).rows
        half_widths = (
            {
                row["point_index"]: row["half_width"]
                for row in run_tables.preset("point-summary", {"run_id": status.run_id}).rows
                if row["metric"] == "conversion_rate"
            }
            if replicates > 1
            else {}
        )
    if not rows:
        return
    selected = [json.loads(row["selected_dimensions_json"] or "{}") for row in rows]
    dimension_names = sorted(selected[0]) if selected else []
    title = f"run {status.run_id}: key metrics per point"
    if replicates > 1:
        title += f" (means of {replicates} replicates; conversion ± its 95 % interval, in points)"
    columns = [
        Column("point"),
        Column("shard"),
        *[Column(name) for name in dimension_names],
        Column("conversion", style="green"),
        Column("completed", style="green"),
        Column("revenue", style="green"),
        Column("median match s", style="green", short="match s"),
        Column("utilisation", style="green", short="util"),
    ]
    shown, swept = rows[:limit], selected[:limit]
    cells = [
        [str(row["point_index"]) for row in shown],
        [str(row["shard_id"]) for row in shown],
        *[_swept([values.get(name) for values in swept]) for name in dimension_names],
        [_with_interval(row["conversion_rate"], half_widths.get(row["point_index"])) for row in shown],
        quantities([row["completed_riders"] for row in shown]),
        quantities([row["platform_revenue"] for row in shown]),
        quantities([row["median_time_to_match_ms"] / 1000 for row in shown]),
        [share(row["driver_utilization"]) for row in shown],
    ]
    table_rows = [list(row) for row in zip(*cells, strict=True)]
    print_table(console, columns, table_rows, title=title, record_label="point")
    if len(rows) > limit:
        console.print(f"… and {len(rows) - limit:,} more points (see `ridesweep query`)")


def _with_interval(mean: float | None, half_width: float | None) -> str:
    """``18.1% ± 0.8``: a share and the half-width of its 95 % interval in percentage points."""
    if mean is None or half_width is None:
        return share(mean)
    return f"{share(mean)} ± {100 * half_width:.1f}"


def _swept(values: list[object]) -> list[str]:
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return [quantity(v) for v in values]  # type: ignore[arg-type]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def print_status(status: RunStatus, *, worked_on: bool | None) -> None:
    """One line for the run's state; ``worked_on``: whether a process here works on a running run
    (``None``: cannot be known, e.g. on AWS)."""
    cancelled = f"{status.shards_cancelled:,} cancelled, " if status.cancelled_at else ""
    counts = (
        f"{status.shards_succeeded:,} succeeded, {status.shards_failed:,} failed, {cancelled}"
        f"{status.shards_pending:,} to run of {status.shard_count:,} shards"
    )
    if status.state == "running" and worked_on is False:
        console.print(
            f"[yellow]incomplete[/yellow]: {plural(status.shards_pending, 'shard')} not done ({counts}); "
            "nothing is working on it: rerun the same command to resume",
            highlight=False,
        )
    elif status.state == "running":
        where = (
            "a process on this machine is working on it"
            if worked_on
            else "queued, dead-lettered or being worked on"
        )
        console.print(f"state [yellow]running[/yellow]: {counts} ({where})", highlight=False)
    else:
        colour = {"succeeded": "green", "cancelled": "magenta"}.get(status.state, "red")
        console.print(f"state [{colour}]{status.state}[/{colour}]: {counts}", highlight=False)
    if status.failed_shard_ids:
        console.print(
            f"[red]failed shards:[/red] {', '.join(map(str, status.failed_shard_ids))} "
            "(`ridesweep query failures` says why; running the request again retries them)",
            highlight=False,
        )


def status(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Show how far a run has got, from its shard outcome records (exit 0 succeeded, 1 a shard
    failed, 5 not finished)."""
    check_run_id(run_id)
    settings = backend_settings(
        backend, results=results, needs=("results_bucket",), bucket=bucket, prefix=prefix
    )
    state: RunStatus = build_container(settings).run_status(run_id)
    console.print_json(json.dumps(state.as_dict()))
    worked_on = is_worked_on(settings, run_id) if state.state == "running" else None
    print_status(state, worked_on=worked_on)
    raise typer.Exit(exit_code_of(state))


def serve(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1.")] = 8080,
    results: ResultsOption = None,
    backend: BackendOption = None,
    queue_url: QueueUrlOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    shard_deadline: ShardDeadlineOption = None,
    log_group: LogGroupOption = None,
) -> None:
    """Serve the API (submit, list, status, cancel: docs/contract.md §1) on 127.0.0.1, running
    shards in-process (or, with --backend aws, only enqueueing them on SQS for `ridesweep worker`)."""
    from entrypoints.local_server import serve_forever

    settings = backend_settings(
        backend,
        results=results,
        queue_url=queue_url,
        bucket=bucket,
        prefix=prefix,
        shard_deadline=shard_deadline,
    )
    if settings.backend == "aws":  # else every request would answer 500 until the bucket or queue exists
        build_container(settings).check_aws_resources(
            bucket=settings.results_bucket, queue_url=settings.shard_queue_url
        )
    serve_forever(settings, port=port, announce=console.print, log_group=log_group)


COMMANDS = (run, status, serve)
