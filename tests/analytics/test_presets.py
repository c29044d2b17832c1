"""The presets of the first pack (profile, coverage, failures, metrics, snapshots, ranking), on
DuckDB, against answers computed straight from the Parquet; the interval presets are in
test_interval_presets.py."""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest

from application.analytics.query_pack import PRESETS
from entrypoints.container import build_container
from tests.analytics.conftest import FAILED_SHARD, REPLICATES, SHARD_COUNT, WrittenRun, same_answers

PROFILE_METRICS = (
    "conversion_rate",
    "completed_riders",
    "platform_revenue",
    "driver_payouts",
    "avg_time_to_match_ms",
    "avg_time_to_pickup_ms",
    "driver_utilization",
)


def preset(queries: Any, name: str, run: WrittenRun, **values: Any) -> list[dict[str, Any]]:
    assert queries.run_id == run.run_id
    rows: list[dict[str, Any]] = queries.preset(name, values).rows
    return rows


def point_metrics(run: WrittenRun) -> list[dict[str, Any]]:
    """Every simulation's metrics row of the succeeded shards, by point then replicate."""
    succeeded = run.succeeded_shards()
    rows = [r for r in run.rows("shard_metrics", "success") if r["shard_id"] in succeeded]
    return sorted(rows, key=lambda r: (r["point_index"], r["replicate"]))


def point_means(run: WrittenRun) -> list[dict[str, Any]]:
    """Each point's mean of every numeric metric over its replicates, by point."""
    by_point: dict[int, list[dict[str, Any]]] = {}
    for row in point_metrics(run):
        by_point.setdefault(row["point_index"], []).append(row)
    means = []
    for point, rows in sorted(by_point.items()):
        assert [r["replicate"] for r in rows] == list(range(REPLICATES))
        numeric = [k for k, v in rows[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
        means.append({**{k: statistics.fmean(r[k] for r in rows) for k in numeric}, "point_index": point})
    return means


def test_run_profile_counts_points_and_shards_and_spreads_metrics(
    queries: Any, written_run: WrittenRun
) -> None:
    rows = preset(queries, "run-profile", written_run)
    metrics = point_means(written_run)

    assert [r["metric"] for r in rows] == list(PROFILE_METRICS)
    context = written_run.rows("run_context")[0]
    for row in rows:
        values = [float(m[row["metric"]]) for m in metrics]
        assert row["expected_points"] == context["total_points"] == 12
        assert row["points"] == len(metrics) == 9
        assert row["expected_shards"] == SHARD_COUNT
        assert row["shards_succeeded"] == SHARD_COUNT - 1
        assert row["shards_failed"] == 1
        assert row["min_value"] == pytest.approx(min(values))
        assert row["median_value"] == pytest.approx(statistics.median(values))
        assert row["max_value"] == pytest.approx(max(values))


def test_shard_coverage_names_the_failed_shard_as_missing(queries: Any, written_run: WrittenRun) -> None:
    (row,) = preset(queries, "shard-coverage", written_run)

    outcomes = written_run.rows("shard_outcomes")
    assert row["expected_shards"] == SHARD_COUNT
    assert row["succeeded_shards"] == len({o["shard_id"] for o in outcomes if o["error_code"] is None})
    assert row["failed_shards"] == 1
    assert row["pending_shards"] == 0
    assert list(row["missing_shard_ids"]) == [FAILED_SHARD]
    assert row["expected_points"] == 12
    assert row["observed_points"] == len(point_means(written_run))


def test_failures_lists_each_failure_outcome_with_its_error(queries: Any, written_run: WrittenRun) -> None:
    rows = preset(queries, "failures", written_run)

    expected = written_run.rows("shard_outcomes", "failure")
    assert [(r["shard_id"], r["attempt"], r["error_code"], r["error_message"]) for r in rows] == [
        (o["shard_id"], o["attempt"], o["error_code"], o["error_message"]) for o in expected
    ]
    assert rows[0]["error_code"] == "injected_failure"
    assert rows[0]["succeeded_later"] is False
    assert (rows[0]["start_index"], rows[0]["end_index_exclusive"]) == (3, 6)


def test_metrics_by_parameter_joins_each_point_with_its_values(queries: Any, written_run: WrittenRun) -> None:
    rows = preset(queries, "metrics-by-parameter", written_run)

    metrics = point_metrics(written_run)
    selected = {
        p["point_index"]: p["selected_dimensions_json"] for p in written_run.rows("effective_parameters")
    }
    assert [(r["point_index"], r["replicate"]) for r in rows] == [
        (m["point_index"], m["replicate"]) for m in metrics
    ]
    for row, expected in zip(rows, metrics, strict=True):
        assert row["selected_dimensions_json"] == selected[expected["point_index"]]
        for column in ("shard_id", "simulation_seed", "completed_riders", "conversion_rate",
                       "platform_revenue", "avg_time_to_match_ms", "driver_utilization"):
            assert row[column] == expected[column]
    assert set(json.loads(rows[0]["selected_dimensions_json"])) == {
        "commission_rate", "matching_algorithm", "num_drivers"
    }


@pytest.mark.parametrize("replicate", [0, REPLICATES - 1])
def test_trip_snapshots_counts_each_interval_of_one_simulation(
    queries: Any, written_run: WrittenRun, replicate: int
) -> None:
    point = 7
    rows = preset(queries, "trip-snapshots", written_run, point_index=point, replicate=replicate)

    def mine(row: dict[str, Any]) -> bool:
        return bool(row["point_index"] == point and row["replicate"] == replicate)

    snapshots = sorted(
        (s for s in written_run.rows("snapshot_counts") if mine(s)), key=lambda s: s["timestamp_ms"]
    )
    trips = [t for t in written_run.rows("trip_data") if mine(t)]
    assert trips, "the fixture sweep should produce trips for this point"

    def interval(ms: int) -> int:
        return (ms // 60_000 + 1) * 60_000

    assert [r["timestamp_ms"] for r in rows] == [s["timestamp_ms"] for s in snapshots]
    for row, snapshot in zip(rows, snapshots, strict=True):
        for column in ("riders_waiting", "drivers_idle", "drivers_on_trip", "trips_completed"):
            assert row[column] == snapshot[column]
        matched = [t for t in trips if interval(t["matched_at_ms"]) == row["timestamp_ms"]]
        assert row["trips_matched"] == len(matched)
        assert row["trips_completed_in_interval"] == sum(
            1 for t in trips
            if t["dropoff_at_ms"] is not None and interval(t["dropoff_at_ms"]) == row["timestamp_ms"]
        )
        assert row["trips_cancelled_in_interval"] == sum(
            1 for t in trips
            if t["cancelled_at_ms"] is not None and interval(t["cancelled_at_ms"]) == row["timestamp_ms"]
        )
        if matched:
            assert row["avg_fare_matched"] == pytest.approx(statistics.fmean(t["fare"] for t in matched))
    assert sum(r["trips_matched"] for r in rows) == sum(
        1 for t in trips if t["matched_at_ms"] < snapshots[-1]["timestamp_ms"]
    )


def health_scores(metrics: list[dict[str, Any]]) -> dict[int, float]:
    """The health score of docs/model.md, written out independently of the SQL, of ``metrics``
    (one row per point, or one per simulation normalised as a point of its own)."""

    def normalised(values: list[float]) -> list[float]:
        low, high = min(values), max(values)
        return [0.5 if high == low else (v - low) / (high - low) for v in values]

    abandonment = [m["abandonment_rate"] for m in metrics]
    columns = {
        name: normalised([float(m[name]) for m in metrics])
        for name in ("conversion_rate", "platform_revenue", "driver_payouts",
                     "avg_time_to_match_ms", "avg_time_to_pickup_ms")
    }
    abandon = normalised(abandonment)
    return {
        m["point_index"]: 0.30 * columns["conversion_rate"][i] + 0.25 * columns["platform_revenue"][i]
        + 0.15 * columns["driver_payouts"][i] + 0.15 * (1 - columns["avg_time_to_match_ms"][i])
        + 0.15 * (1 - columns["avg_time_to_pickup_ms"][i]) - 0.20 * abandon[i]
        for i, m in enumerate(metrics)
    }


def with_abandonment_rate(row: dict[str, Any]) -> dict[str, Any]:
    total = row["total_riders"]
    return {**row, "abandonment_rate": row["abandoned_quote_riders"] / total if total else 0.0}


def test_health_ranking_orders_points_by_the_health_score_of_their_means(
    queries: Any, written_run: WrittenRun
) -> None:
    rows = preset(queries, "health-ranking", written_run, top_n=5)

    means = [
        {**m, "abandonment_rate": statistics.fmean(with_abandonment_rate(r)["abandonment_rate"]
                                                   for r in point_metrics(written_run)
                                                   if r["point_index"] == m["point_index"])}
        for m in point_means(written_run)
    ]
    scores = health_scores(means)
    expected = sorted(scores, key=lambda p: (-scores[p], p))[:5]
    assert [r["point_index"] for r in rows] == expected
    assert [r["health_rank"] for r in rows] == [1, 2, 3, 4, 5]
    for row in rows:
        mean = next(m for m in means if m["point_index"] == row["point_index"])
        assert row["replicates"] == REPLICATES
        assert row["health_score"] == pytest.approx(scores[row["point_index"]])
        assert row["conversion_rate"] == pytest.approx(mean["conversion_rate"])
        assert row["abandonment_rate"] == pytest.approx(mean["abandonment_rate"])


def test_both_layouts_answer_every_preset_identically(written_runs: dict[str, WrittenRun]) -> None:
    answers = {}
    for layout, run in written_runs.items():
        with build_container(run.settings).open_run_analytics(run.run_id) as queries:
            answers[layout] = {
                name: [
                    {k: v for k, v in row.items() if k not in ("started_at", "finished_at", "duration_ms")}
                    for row in preset(queries, name, run, point_index=7, replicate=1, top_n=100)
                ]
                for name in PRESETS
            }
    same_answers(answers["per_point"], answers["per_shard"])
