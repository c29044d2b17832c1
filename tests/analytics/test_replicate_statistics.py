"""The intervals of the query pack say what they claim, measured on replicates of real runs.

Each test runs a sweep through the whole path (submit, worker, Parquet, DuckDB preset) on markets
small enough to take seconds, and checks a statistical property against simulations run straight
through the same ``simulate`` function.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from domain.contract import normalise_space
from domain.fingerprints import replicate_seed
from domain.planning import ParameterSpace
from domain.simulation import simulate
from entrypoints.container import build_container
from tests.analytics.conftest import run_sweep

TINY_MARKET = {
    "num_riders": 40,
    "request_window_minutes": 10,
    "simulation_minutes": 20,
    "city_width_km": 6.0,
    "city_height_km": 5.0,
    "max_trip_km": 4.0,
}
QUARTER_DEFAULT_MARKET = {
    # the default market at a quarter of its riders and fleet, on a city of a quarter of its area
    # and trips scaled alike, so riders per driver and per km² are the default's
    "num_riders": 125,
    "city_width_km": 10.0,
    "city_height_km": 8.0,
    "max_trip_km": 7.5,
    "simulation_minutes": 90,
}


def preset_rows(settings: Any, run_id: str, name: str) -> list[dict[str, Any]]:
    with build_container(settings).open_run_analytics(run_id) as run:
        rows: list[dict[str, Any]] = run.preset(name).rows
    return rows


def test_point_summary_intervals_contain_the_mean_of_a_separate_200_seed_run(tmp_path: Path) -> None:
    """With 20 replicates, each point's 95 % interval of conversion holds the mean of 200 other
    seeds of the same point for at least 17 of the 20 points.

    Expected coverage: the interval is m20 ± t(0.975, 19)·s/√20. The 200-seed mean is itself noisy,
    independently: m20 − m200 ~ N(0, σ²(1/20 + 1/200)) = N(0, 1.1·σ²/20), so a point is covered
    when |T19| ≤ t(0.975, 19)/√1.1 = 1.996, with probability p = 0.9395 (not 0.95). The count of
    covered points is then Binomial(20, 0.9395): P(count ≥ 17) = 0.970, so a correct interval fails
    this test about once in 33 seed choices; an interval built with the normal 1.96 instead of
    t(0.975, 19) = 2.093 would cover each point with p = 0.923 (P(count ≥ 17) = 0.94), one built
    with sd/20 instead of sd/√20 almost never.
    """
    dimensions = {"num_drivers": [4, 6, 8, 10, 12], "commission_rate": [0.1, 0.2, 0.3, 0.4]}
    request = {
        "run_id": "coverage",
        "dimensions": dimensions,
        "base_parameters": TINY_MARKET,
        "shard_count": 4,
        "seed": 2024,
        "replicates": 20,
    }
    settings = run_sweep(tmp_path, request)
    rows = [r for r in preset_rows(settings, "coverage", "point-summary") if r["metric"] == "conversion_rate"]
    space = ParameterSpace(*normalise_space(dimensions, TINY_MARKET))

    covered = []
    for row in rows:
        parameters = space.parameters_at(row["point_index"])
        reference = statistics.fmean(
            simulate(parameters, replicate_seed(7_777, row["point_index"], r, "independent")).metrics[
                "conversion_rate"
            ]
            for r in range(200)
        )
        covered.append(row["ci_low"] <= reference <= row["ci_high"])

    assert len(rows) == 20 and all(r["n"] == 20 for r in rows)
    assert sum(covered) >= 17, f"{sum(covered)} of 20 intervals hold the 200-seed mean"


def test_common_seeds_narrow_the_interval_of_a_difference_between_neighbouring_fleets(
    tmp_path: Path,
) -> None:
    """The paired-difference interval of conversion between 22 and 25 drivers, with common seeds,
    is at least 2× narrower than the (Welch) interval of the same difference with independent
    seeds, at 100 replicates each.

    Common random numbers cancel the noise both fleets share (the riders: when they arrive, where,
    what they will pay). On this market, 300 replicates per setting (other seeds) put the ratio of
    the two standard errors at 2.6, and its three blocks of 100 at 2.41 to 2.80; the ratio
    estimated from 100 replicates has a standard deviation of about 0.22 (each sd is estimated to
    within 7 % to 10 %), so a ratio under 2 has a chance under 1 % while the model's common random
    numbers work as measured. With independent draws for the two fleets the ratio would be about 1.
    """
    widths = {}
    for strategy in ("common", "independent"):
        run_id = f"crn-{strategy}"
        request = {
            "run_id": run_id,
            "dimensions": {"num_drivers": [22, 25]},
            "base_parameters": QUARTER_DEFAULT_MARKET,
            "shard_count": 2,
            "seed": 99,
            "replicates": 100,
            "seed_strategy": strategy,
        }
        settings = run_sweep(tmp_path / strategy, request)
        (row,) = [
            r for r in preset_rows(settings, run_id, "paired-differences") if r["metric"] == "conversion_rate"
        ]
        assert (row["dimension"], row["from_value"], row["to_value"]) == ("num_drivers", "22", "25")
        assert row["method"] == ("paired" if strategy == "common" else "welch")
        widths[strategy] = row["ci_high"] - row["ci_low"]

    assert widths["independent"] >= 2 * widths["common"], widths
