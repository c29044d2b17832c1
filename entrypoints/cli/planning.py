"""`ridesweep plan`: a request checked and planned, and what running it will cost, before it runs.

Compute time on this machine (the cost model, scaled by a short calibration), the objects and
bytes each output layout writes, and on AWS the Lambda GB-seconds, SQS and S3 requests and their
price (application/aws_prices.json, dated). Nothing is written or enqueued.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from application.plan_costs import (
    LARGE_OBJECT_COUNT,
    AwsEstimate,
    Layout,
    PlanCosts,
    UnknownRegion,
    aws_estimate,
    plan_costs,
)
from domain.errors import RunConflict, RunModelChanged
from entrypoints.cli.console import console
from entrypoints.cli.exit_codes import UsageError
from entrypoints.cli.formatting import Column, duration, plural, print_pairs, print_table, quantity, size
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    PrefixOption,
    ResultsOption,
    backend_settings,
    describe_results,
)
from entrypoints.cli.runs import read_request, simulations_text
from entrypoints.container import build_container
from entrypoints.forkserver import usable_cores

if TYPE_CHECKING:
    from domain.manifest import RunManifest

DEFAULT_REGION = "us-east-1"
DEFAULT_LAMBDA_MEMORY_MB = 2048
"""As infra/terraform (variable lambda_memory_mb)."""


def money(amount: float) -> str:
    """``$1,234.50``, ``$0.42``, ``$0.0031``: cents for a dollar and more, two significant digits below."""
    if amount >= 1:
        return f"${amount:,.2f}"
    if amount == 0:
        return "$0"
    return f"${amount:.2g}" if amount >= 1e-4 else "< $0.0001"


def plan(
    request: Annotated[Path, typer.Argument(help="Sweep request JSON (docs/contract.md §1).")],
    show: Annotated[int, typer.Option(min=0, help="Shards to list.")] = 20,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=256, help="Workers of the local estimate (default: usable cores).", show_default=False
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="AWS region of the price estimate "
            "(default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1).",
            show_default=False,
        ),
    ] = None,
    lambda_memory: Annotated[
        int, typer.Option("--lambda-memory", min=128, max=10240, metavar="MB", help="Memory of the Lambda.")
    ] = DEFAULT_LAMBDA_MEMORY_MB,
    architecture: Annotated[
        Literal["arm64", "x86_64"], typer.Option(help="Architecture of the Lambda.")
    ] = "arm64",
    calibrate: Annotated[
        bool, typer.Option(help="Time a few small simulations to scale the CPU estimate to this machine.")
    ] = True,
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
) -> None:
    """Validate a request and show its shard plan and what running it costs (CPU time here,
    objects and bytes per layout, and on AWS Lambda GB-s, SQS and S3 requests and their price),
    without running anything; warn when shards outgrow one worker invocation or the run writes
    over 100,000 objects. Its run id is looked up in the results: taken by another request, plan
    ends with the conflict `run` would meet (exit 3); taken by this one, `run` resumes that run."""
    from domain.contract import parse_sweep_request
    from domain.cost_model import continuation_advice
    from domain.planning import plan_sweep

    settings = backend_settings(
        backend, results=results, needs=("results_bucket",), bucket=bucket, prefix=prefix
    )
    limits = settings.limits
    the_plan = plan_sweep(parse_sweep_request(read_request(request), limits), limits)
    req = the_plan.request
    taken: RunConflict | RunModelChanged | None = None
    try:  # one read, before the slow calibration: a results store that fails says so at once
        prior: RunManifest | None = build_container(settings).accepted_run(the_plan)
    except (RunConflict, RunModelChanged) as exc:
        prior, taken = None, exc
    costs = plan_costs(the_plan, settings.invocation_seconds)
    chosen_region = (
        region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    )
    try:
        aws = aws_estimate(
            costs, req.output_layout, region=chosen_region, memory_mb=lambda_memory, architecture=architecture
        )
    except UnknownRegion as exc:
        raise UsageError(f"--region: {exc}") from None
    console.print(f"[green]valid[/green] request for run [bold]{req.run_id}[/bold]", highlight=False)
    axes = ", ".join(f"{name} ({len(values)})" for name, values in req.dimensions.items())
    console.print(f"{simulations_text(the_plan.total_points, req.replicates)} over {axes}", highlight=False)
    seeds = f", {req.seed_strategy} seeds" if req.replicates > 1 else ""
    console.print(
        f"{plural(the_plan.shard_count, 'shard')}, layout {req.output_layout}, seed {req.seed}{seeds}",
        highlight=False,
    )
    for name, value in (
        ("config_fingerprint", the_plan.config_fingerprint),
        ("request_fingerprint", the_plan.request_fingerprint),
    ):
        shown = value if console.width >= 20 + len(value) else value[:16] + "…"
        console.print(f"{name:<19} {shown}", highlight=False)
    _print_shards(the_plan, show)
    _print_costs(
        costs, req.output_layout, aws, workers or usable_cores(), _machine_factor() if calibrate else None
    )
    advice = continuation_advice(the_plan, settings.invocation_seconds)
    if advice is not None:
        console.print(f"[yellow]warning:[/yellow] {advice.message()}", highlight=False)
    objects = costs.footprint(req.output_layout).objects
    if objects > LARGE_OBJECT_COUNT and req.output_layout == "per_point":
        per_shard = costs.footprint("per_shard")
        console.print(
            f"[yellow]warning:[/yellow] the run writes {quantity(objects)} objects (over "
            f'{quantity(LARGE_OBJECT_COUNT)}): every query lists and opens them all; "output_layout": '
            f'"per_shard" writes {quantity(per_shard.objects)} objects of the same rows '
            "(docs/contract.md §5)",
            highlight=False,
        )
    if taken is not None:
        raise taken  # the one line and the exit code `run` would give
    if prior is not None:
        accepted = prior.accepted_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        console.print(
            f"run [bold]{req.run_id}[/bold] exists in {describe_results(settings)} (accepted "
            f"{accepted}) with this same request: `ridesweep run` resumes it, running only the shards "
            "without a success",
            highlight=False,
        )


def _print_shards(the_plan: object, show: int) -> None:
    from domain.planning import SweepPlan

    assert isinstance(the_plan, SweepPlan)
    req = the_plan.request
    if show == 0:
        return
    columns = [
        Column("shard"),
        Column("start"),
        Column("end (excl.)", short="end"),
        Column("points"),
        Column("simulations", short="sims"),
        Column("fails on purpose", numeric=False, short="fails"),
    ]
    rows = [
        [
            str(shard.shard_id),
            str(shard.start_index),
            str(shard.end_index_exclusive),
            quantity(shard.size),
            quantity(shard.size * req.replicates),
            "yes" if shard.shard_id in req.failure_injection_shards else "",
        ]
        for shard in the_plan.shards[:show]
    ]
    print_table(console, columns, rows, record_label="shard")
    if the_plan.shard_count > show:
        console.print(f"… and {quantity(the_plan.shard_count - show)} more shards", highlight=False)


def _machine_factor() -> float:
    from application.calibration import machine_factor
    from domain.simulation import simulate

    return machine_factor(simulate)


def _print_costs(
    costs: PlanCosts, layout: Layout, aws: AwsEstimate, workers: int, factor: float | None
) -> None:
    bound = "" if costs.exact else " (at most: the space is too varied to sum point by point)"
    console.print(f"[bold]cost of the run[/bold]{bound}", highlight=False)
    cpu = costs.reference_cpu_seconds * (factor or 1.0)
    parallel = min(workers, max(1, costs.shard_count))
    how = (
        f"the cost model × {factor:.2f}, this machine's speed measured just now"
        if factor is not None
        else "the cost model's reference machine (--calibrate measures this one)"
    )
    rows = [
        ["simulations", quantity(costs.simulations)],
        ["CPU time", f"{duration(cpu)} on one core ({how})"],
        [
            "with workers",
            f"about {duration(cpu / parallel)} with {plural(parallel, 'worker')} on this machine",
        ],
    ]
    layouts: tuple[Layout, ...] = ("per_point", "per_shard")
    for name in layouts:
        footprint = costs.footprint(name)
        chosen = " (this request's layout)" if name == layout else ""
        rows.append(
            [f"writes, {name}", f"{quantity(footprint.objects)} objects, {size(footprint.bytes)}{chosen}"]
        )
    rows += [
        [
            f"AWS Lambda ({aws.region})",
            f"{quantity(aws.invocations)} invocations, {quantity(round(aws.gb_seconds))} GB-s "
            f"({aws.architecture}, {quantity(aws.memory_mb)} MB): {money(aws.lambda_cost)}",
        ],
        ["AWS SQS", f"{quantity(aws.sqs_requests)} requests: {money(aws.sqs_cost)}"],
        [
            "AWS S3",
            f"{quantity(aws.s3_puts)} PUT, {quantity(aws.s3_gets)} GET: {money(aws.s3_request_cost)}; "
            f"storing {size(aws.stored_gb * 1e9)}: {money(aws.storage_cost_per_month)} a month",
        ],
        ["AWS total", f"{money(aws.run_cost)} for the run (list prices of {aws.prices_as_of}, no free tier)"],
    ]
    print_pairs(console, [(name, value) for name, value in rows])


COMMANDS = (plan,)
