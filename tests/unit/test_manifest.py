"""The run manifest: built once, parsed once, the same bytes every time."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from domain.contract import Limits, parse_sweep_request
from domain.manifest import CorruptManifest, RequestSource, RunManifest
from domain.planning import plan_sweep
from tests.fixtures import request

ACCEPTED = datetime(2026, 11, 28, 9, 30, 1, 250_000, tzinfo=UTC)


def manifest(**changes: object) -> RunManifest:
    limits = Limits()
    plan = plan_sweep(parse_sweep_request(request(**changes), limits), limits)
    return RunManifest.accept(plan, ACCEPTED, RequestSource(kind="cli", user_agent="ridesweep-cli"))


@pytest.mark.parametrize("changes", [{}, {"replicates": 3, "seed_strategy": "common"}, {"shard_size": 2}])
def test_a_manifest_reads_back_equal_and_writes_the_same_bytes(changes: dict[str, object]) -> None:
    if "shard_size" in changes:
        changes = {**changes, "shard_count": ...}
    written = manifest(**changes)

    read = RunManifest.from_json_bytes(written.to_json_bytes())

    assert read == written
    assert read.to_json_bytes() == written.to_json_bytes()


def test_the_run_date_is_the_utc_date_of_acceptance_and_the_json_is_canonical() -> None:
    data = manifest().to_json_bytes()

    record = json.loads(data)
    assert record["run_date"] == "2026-11-28"
    assert record["accepted_at"] == "2026-11-28T09:30:01.250000+00:00"
    assert data == json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_manifest_written_before_replicates_reads_with_their_historical_values() -> None:
    record = json.loads(manifest().to_json_bytes())
    for name in ("replicates", "seed_strategy", "total_simulations", "simulation_model"):
        del record[name]

    old = RunManifest.from_json_bytes(json.dumps(record).encode())

    assert (old.replicates, old.seed_strategy, old.simulation_model) == (1, "independent", 1)
    assert old.total_simulations == old.total_points


def test_a_manifest_that_is_not_one_names_what_is_wrong() -> None:
    with pytest.raises(CorruptManifest, match="run_date"):
        RunManifest.from_json_bytes(b'{"run_id": "x"}')
