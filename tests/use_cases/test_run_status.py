"""run_status over the in-memory fakes: where a run stands, from its manifest and outcome records."""

from __future__ import annotations

import pytest

from application.run_status import run_status
from domain.errors import RunNotFound
from tests.fixtures import SMALL_REQUEST, FakePorts


def test_an_unknown_run_is_not_found() -> None:
    ports = FakePorts()

    with pytest.raises(RunNotFound):
        run_status("nobody", store=ports.store, keys=ports.keys)


@pytest.mark.parametrize("run_id", ["../x", "a/b", "", "x" * 65])
def test_a_run_id_that_cannot_name_a_run_is_not_found_and_reads_nothing(run_id: str) -> None:
    ports = FakePorts()

    with pytest.raises(RunNotFound):
        run_status(run_id, store=ports.store, keys=ports.keys)


def test_an_accepted_run_is_running_with_every_shard_pending() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)

    status = run_status("small-run", store=ports.store, keys=ports.keys)

    assert (status.state, status.shards_pending, status.total_points) == ("running", 3, 3)
    assert status.run_date == "2026-11-28"


def test_a_run_with_a_failed_shard_ends_partial_and_names_it() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "failure_injection_shards": [1]})
    ports.run_queued()

    status = run_status("small-run", store=ports.store, keys=ports.keys)

    assert (status.state, status.shards_succeeded, status.shards_failed) == ("partial", 2, 1)
    assert status.failed_shard_ids == (1,)


def test_an_outcome_outside_the_plan_does_not_count() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.run_queued()
    ports.store.put(ports.keys.outcome("2026-11-28", "small-run", "failure", 99), b"stray")

    status = run_status("small-run", store=ports.store, keys=ports.keys)

    assert (status.state, status.shards_failed, status.shards_pending) == ("succeeded", 0, 0)
