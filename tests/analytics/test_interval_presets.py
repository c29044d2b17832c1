"""The presets over replicates (point-summary, precision, paired-differences, snapshot-bands and the
intervals of health-ranking), on DuckDB, against answers computed here from the Parquet rows."""

from __future__ import annotations

import itertools
import json
import math
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from application.analytics.sql_blocks import KEY_METRICS, t_quantile
from entrypoints.container import build_container
from tests.analytics.conftest import REPLICATES, WrittenRun, run_sweep, sweep_request
from tests.analytics.test_presets import health_scores, point_metrics, with_abandonment_rate

METRICS = [k.name for k in KEY_METRICS]


def metric_values(run: WrittenRun) -> dict[int, dict[str, list[float]]]:
    """point → key metric → its value in each replicate, in replicate order."""
    values: dict[int, dict[str, list[float]]] = {}
    for row in map(with_abandonment_rate, point_metrics(run)):
        point = values.setdefault(row["point_index"], {m: [] for m in METRICS})
        for metric in METRICS:
            point[metric].append(float(row[metric]))
    return values


def half_width(values: list[float]) -> float:
    quantile = t_quantile(len(values) - 1)
    assert quantile is not None
    return quantile * statistics.stdev(values) / math.sqrt(len(values))


def rows_of(run: WrittenRun, name: str, **values: Any) -> list[dict[str, Any]]:
    with build_container(run.settings).open_run_analytics(run.run_id) as queries:
        rows: list[dict[str, Any]] = queries.preset(name, values).rows
    return rows


@pytest.fixture(scope="module")
def independent_run(results_dir: Path) -> Iterator[WrittenRun]:
    run_id = "analytics-independent"
    request = {**sweep_request(run_id, "per_shard"), "seed_strategy": "independent"}
    settings = run_sweep(results_dir, request)
    yield WrittenRun(run_id, "per_shard", settings, results_dir / settings.results_prefix)


def test_point_summary_gives_each_points_mean_sd_and_t_interval(written_run: WrittenRun) -> None:
    rows = rows_of(written_run, "point-summary")

    expected = metric_values(written_run)
    assert [(r["point_index"], r["metric"]) for r in rows] == [
        (p, m) for p in sorted(expected) for m in METRICS
    ]
    for row in rows:
        values = expected[row["point_index"]][row["metric"]]
        mean, sd = statistics.fmean(values), statistics.stdev(values)
        assert row["n"] == REPLICATES
        assert row["mean"] == pytest.approx(mean, rel=1e-8, abs=1e-12)
        assert row["sd"] == pytest.approx(sd, rel=1e-8, abs=1e-12)
        assert row["half_width"] == pytest.approx(half_width(values), rel=1e-8, abs=1e-12)
        assert row["ci_low"] == pytest.approx(mean - half_width(values), rel=1e-8, abs=1e-12)
        assert row["ci_high"] == pytest.approx(mean + half_width(values), rel=1e-8, abs=1e-12)
        if mean:
            assert row["rel_half_width"] == pytest.approx(half_width(values) / abs(mean))
        else:
            assert row["rel_half_width"] is None


def replicates_needed(values: list[float], target: float) -> int:
    """The fewest replicates whose t interval is within ``target`` of the mean, by search."""
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    for n in itertools.count(2):
        quantile = t_quantile(n - 1)
        assert quantile is not None
        if quantile * sd / math.sqrt(n) <= target * abs(mean):
            return n
    raise AssertionError("unreachable")


def upper_median(values: list[Any]) -> Any:
    return sorted(values)[len(values) // 2]


def test_precision_gives_half_widths_and_the_replicates_each_target_needs(written_run: WrittenRun) -> None:
    rows = {r["metric"]: r for r in rows_of(written_run, "precision")}

    points = metric_values(written_run)
    assert list(rows) == METRICS
    for metric, row in rows.items():
        measured = [p[metric] for p in points.values() if statistics.fmean(p[metric]) != 0]
        assert (row["points"], row["points_measured"], row["replicates"]) == (
            len(points), len(measured), REPLICATES
        )
        if not measured:
            assert row["rel_half_width_median"] is None and row["replicates_for_5pct"] is None
            continue
        widths = [half_width(v) / abs(statistics.fmean(v)) for v in measured]
        assert row["rel_half_width_median"] == pytest.approx(upper_median(widths))
        assert row["rel_half_width_max"] == pytest.approx(max(widths))
        for target, name in ((0.05, "replicates_for_5pct"), (0.02, "replicates_for_2pct")):
            needed = [replicates_needed(v, target) for v in measured]
            assert row[name] == upper_median(needed), (metric, name)
            assert row[f"{name}_all"] == max(needed), (metric, name)


def neighbours(run: WrittenRun) -> list[tuple[str, int, int, str, str]]:
    """(dimension, from_point, to_point, from_value, to_value) of every pair of points with
    results that differ in one dimension only, at consecutive values of its list."""
    dimensions: dict[str, list[Any]] = json.loads(run.rows("run_context")[0]["dimensions_json"])
    selected = {
        p["point_index"]: json.loads(p["selected_dimensions_json"])
        for p in run.rows("effective_parameters", "success")
        if p["shard_id"] in run.succeeded_shards()
    }
    pairs = []
    for (a, va), (b, vb) in itertools.permutations(sorted(selected.items()), 2):
        differing = [name for name in dimensions if va[name] != vb[name]]
        if len(differing) != 1:
            continue
        name = differing[0]
        if dimensions[name].index(vb[name]) == dimensions[name].index(va[name]) + 1:
            pairs.append((name, a, b, json.dumps(va[name]).strip('"'), json.dumps(vb[name]).strip('"')))
    return sorted(pairs)


def test_paired_differences_pair_replicates_under_common_seeds(written_run: WrittenRun) -> None:
    rows = rows_of(written_run, "paired-differences")

    values = metric_values(written_run)
    pairs = neighbours(written_run)
    assert pairs, "the fixture sweep has neighbouring points with results"
    assert [(r["dimension"], r["from_point"], r["to_point"], r["from_value"], r["to_value"], r["metric"])
            for r in rows] == [(*pair, m) for pair in pairs for m in METRICS]
    for row in rows:
        before, after = values[row["from_point"]][row["metric"]], values[row["to_point"]][row["metric"]]
        differences = [b - a for a, b in zip(before, after, strict=True)]
        half = half_width(differences) if statistics.stdev(differences) else 0.0
        assert row["method"] == "paired" and row["n"] == REPLICATES
        assert row["difference"] == pytest.approx(statistics.fmean(differences), rel=1e-8, abs=1e-12)
        assert row["half_width"] == pytest.approx(half, rel=1e-8, abs=1e-12)
        assert row["excludes_zero"] == (abs(statistics.fmean(differences)) > half)


def test_paired_differences_use_welchs_interval_under_independent_seeds(independent_run: WrittenRun) -> None:
    rows = rows_of(independent_run, "paired-differences")

    values = metric_values(independent_run)
    assert rows and {r["method"] for r in rows} == {"welch"}
    for row in rows:
        before, after = values[row["from_point"]][row["metric"]], values[row["to_point"]][row["metric"]]
        va, vb = statistics.variance(before) / len(before), statistics.variance(after) / len(after)
        difference = statistics.fmean(after) - statistics.fmean(before)
        assert row["difference"] == pytest.approx(difference, rel=1e-8, abs=1e-12)
        if va + vb == 0:
            assert row["half_width"] == 0
            continue
        df = (va + vb) ** 2 / (va**2 / (len(before) - 1) + vb**2 / (len(after) - 1))
        quantile = t_quantile(math.floor(df))
        assert quantile is not None
        assert row["half_width"] == pytest.approx(quantile * math.sqrt(va + vb), rel=1e-6)


def test_snapshot_bands_give_the_mean_and_the_10th_to_90th_percentile_across_replicates(
    written_run: WrittenRun,
) -> None:
    point = 7
    rows = rows_of(written_run, "snapshot-bands", point_index=point)

    snapshots = [s for s in written_run.rows("snapshot_counts") if s["point_index"] == point]
    times = sorted({s["timestamp_ms"] for s in snapshots})
    series = ["riders_browsing", "riders_waiting", "drivers_idle", "drivers_en_route",
              "drivers_on_trip", "trips_completed"]
    assert [(r["timestamp_ms"], r["series"]) for r in rows] == [(t, s) for t in times for s in series]
    for row in rows:
        values = sorted(
            s[row["series"]] for s in snapshots if s["timestamp_ms"] == row["timestamp_ms"]
        )
        assert row["n"] == len(values) == REPLICATES
        assert row["mean"] == pytest.approx(statistics.fmean(values))
        assert row["band_low"] == values[max(math.ceil(0.1 * len(values)), 1) - 1]
        assert row["band_high"] == values[max(math.ceil(0.9 * len(values)), 1) - 1]


def test_health_ranking_gives_each_score_an_interval_and_flags_ties_with_the_best(
    written_run: WrittenRun,
) -> None:
    rows = rows_of(written_run, "health-ranking", top_n=100)

    simulations = [with_abandonment_rate(r) for r in point_metrics(written_run)]
    by_point: dict[int, list[dict[str, Any]]] = {}
    for row in simulations:
        by_point.setdefault(row["point_index"], []).append(row)
    columns = ["conversion_rate", "platform_revenue", "driver_payouts", "avg_time_to_match_ms",
               "avg_time_to_pickup_ms", "abandonment_rate"]
    means = [
        {"point_index": p, **{c: statistics.fmean(r[c] for r in rs) for c in columns}}
        for p, rs in by_point.items()
    ]
    bounds = {c: (min(m[c] for m in means), max(m[c] for m in means)) for c in columns}

    def score(row: dict[str, Any]) -> float:
        """docs/model.md's weights on ``row`` normalised with the bounds of the per-point means."""
        n = {c: 0.5 if hi == lo else (row[c] - lo) / (hi - lo) for c, (lo, hi) in bounds.items()}
        return (0.30 * n["conversion_rate"] + 0.25 * n["platform_revenue"] + 0.15 * n["driver_payouts"]
                + 0.15 * (1 - n["avg_time_to_match_ms"]) + 0.15 * (1 - n["avg_time_to_pickup_ms"])
                - 0.20 * n["abandonment_rate"])

    replicate_scores = {p: [score(r) for r in rs] for p, rs in by_point.items()}
    point_scores = health_scores(means)
    for row in rows:
        scores = replicate_scores[row["point_index"]]
        assert row["health_score"] == pytest.approx(statistics.fmean(scores))
        assert row["health_score"] == pytest.approx(point_scores[row["point_index"]])  # of the means
        assert row["health_high"] - row["health_score"] == pytest.approx(half_width(scores))
        conversions = [r["conversion_rate"] for r in by_point[row["point_index"]]]
        assert row["conversion_high"] - row["conversion_rate"] == pytest.approx(half_width(conversions))
    best_low = rows[0]["health_low"]
    assert [r["overlaps_best"] for r in rows] == [r["health_high"] >= best_low for r in rows]
    assert [r["separable_from_next"] for r in rows] == [
        a["health_low"] > b["health_high"] for a, b in itertools.pairwise(rows)
    ] + [None]
