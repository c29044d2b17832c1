"""What `ridesweep plan` says a run will write and cost, against what a run writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.plan_costs import UnknownRegion, aws_estimate, load_prices, plan_costs
from domain.contract import Limits, parse_sweep_request
from domain.manifest import RequestSource
from domain.planning import SweepPlan, plan_sweep
from entrypoints.container import build_container
from entrypoints.local_runner import execute_bodies
from entrypoints.settings import Settings

LIMITS = Limits(max_shards=1000, max_total_points=10**7, allow_failure_injection=True)
REQUEST = {
    "run_id": "costed-run",
    "dimensions": {"num_riders": [100, 400, 900], "num_drivers": [30, 120]},
    "base_parameters": {"request_window_minutes": 40, "simulation_minutes": 90},
    "replicates": 2,
    "shard_count": 3,
    "seed": 4,
}


def planned(request: dict[str, object]) -> SweepPlan:
    return plan_sweep(parse_sweep_request(request, LIMITS), LIMITS)


@pytest.mark.parametrize("layout", ["per_point", "per_shard"])
def test_objects_are_exact_and_bytes_close_to_what_the_run_writes(tmp_path: Path, layout: str) -> None:
    request = {**REQUEST, "output_layout": layout}
    footprint = plan_costs(planned(request), invocation_seconds=900).footprint(layout)  # type: ignore[arg-type]
    container = build_container(Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(tmp_path)))
    container.submit_sweep(request, RequestSource(kind="local"))
    execute_bodies(container.shard_inbox().take_all(), container)

    written = [p for p in (tmp_path / "sweeps").rglob("*") if p.is_file()]  # the store's objects
    written_bytes = sum(p.stat().st_size for p in written)
    assert footprint.objects == len(written)
    assert 0.7 < footprint.bytes / written_bytes < 1.4, (footprint.bytes, written_bytes)


def test_a_million_points_per_point_is_millions_of_objects_and_per_shard_thousands() -> None:
    million = {
        "run_id": "million",
        "dimensions": {
            name: list(range(1, 11)) for name in ("num_drivers", "start_hour", "max_quote_rejections")
        }
        | {
            "commission_rate": [0.05 * k for k in range(1, 11)],
            "base_fare": list(range(10)),
            "per_km_rate": list(range(10)),
        },
        "shard_count": 1000,
        "seed": 1,
    }
    costs = plan_costs(planned(million), invocation_seconds=900)

    assert costs.simulations == 10**6
    assert costs.footprint("per_point").objects == 3 + 1000 + 4 * 10**6
    assert costs.footprint("per_shard").objects < 10_000
    assert costs.footprint("per_point").bytes > costs.footprint("per_shard").bytes


def test_the_aws_price_is_the_requests_and_gb_seconds_times_the_dated_table() -> None:
    costs = plan_costs(planned(REQUEST), invocation_seconds=900)
    prices = load_prices()
    region = prices["regions"]["eu-central-1"]

    estimate = aws_estimate(costs, "per_point", region="eu-central-1", memory_mb=1024, prices=prices)

    assert estimate.invocations == 3 and estimate.prices_as_of == prices["as_of"]
    assert estimate.gb_seconds == pytest.approx(estimate.lambda_seconds)  # 1 GB
    assert estimate.s3_puts == costs.footprint("per_point").objects
    assert estimate.s3_request_cost == pytest.approx(
        estimate.s3_puts * region["s3_put"] + estimate.s3_gets * region["s3_get"]
    )
    assert estimate.run_cost == pytest.approx(
        estimate.lambda_cost + estimate.sqs_cost + estimate.s3_request_cost
    )


def test_an_unknown_region_names_the_closest_ones() -> None:
    costs = plan_costs(planned(REQUEST), invocation_seconds=900)

    with pytest.raises(UnknownRegion, match="did you mean 'eu-west-1'"):
        aws_estimate(costs, "per_point", region="eu-wset-1", memory_mb=2048)
