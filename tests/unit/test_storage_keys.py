"""CONTRACT.md §5: the object keys of the results store."""

from __future__ import annotations

import pytest

from domain.storage_keys import StorageKeys

KEYS = StorageKeys("sweeps")


def test_manifest_key() -> None:
    assert KEYS.manifest("r1") == "sweeps/runs/run_id=r1/manifest.json"


def test_run_context_key() -> None:
    assert (
        KEYS.run_context("2026-11-28", "r1")
        == "sweeps/dataset=run_context/run_date=2026-11-28/run_id=r1/part-0.parquet"
    )


def test_per_point_key() -> None:
    assert KEYS.point_object("trip_data", "2026-11-28", "r1", 2, 17) == (
        "sweeps/dataset=trip_data/run_date=2026-11-28/run_id=r1/status=success/shard_id=2/"
        "point_index=17/part-0.parquet"
    )


def test_per_shard_key() -> None:
    assert KEYS.shard_object("shard_metrics", "2026-11-28", "r1", 2) == (
        "sweeps/dataset=shard_metrics/run_date=2026-11-28/run_id=r1/status=success/shard_id=2/"
        "part-0.parquet"
    )


@pytest.mark.parametrize("status", ["success", "failure"])
def test_outcome_key(status: str) -> None:
    assert KEYS.outcome("2026-11-28", "r1", status, 0) == (  # type: ignore[arg-type]
        f"sweeps/dataset=shard_outcomes/run_date=2026-11-28/run_id=r1/status={status}/shard_id=0/"
        "part-0.parquet"
    )


def test_prefix_slashes_are_normalised_and_an_empty_prefix_has_no_leading_slash() -> None:
    assert StorageKeys("/sweeps/").manifest("r") == "sweeps/runs/run_id=r/manifest.json"
    assert StorageKeys("").manifest("r") == "runs/run_id=r/manifest.json"


@pytest.mark.parametrize("run_id", ["a/b", "..", "a=b", " a", ""])
def test_a_run_id_outside_the_pattern_never_reaches_a_key(run_id: str) -> None:
    with pytest.raises(ValueError):
        KEYS.manifest(run_id)


@pytest.mark.parametrize("run_date", ["2026-1-1", "../x", "2026-11-28/"])
def test_a_malformed_run_date_never_reaches_a_key(run_date: str) -> None:
    with pytest.raises(ValueError):
        KEYS.run_context(run_date, "r1")


@pytest.mark.parametrize("index", [-1, True, 1.0])
def test_indexes_must_be_non_negative_integers(index: object) -> None:
    with pytest.raises(ValueError):
        KEYS.point_object("trip_data", "2026-11-28", "r1", 0, index)  # type: ignore[arg-type]


def test_a_prefix_with_dot_segments_is_refused() -> None:
    with pytest.raises(ValueError):
        StorageKeys("a/../b")
