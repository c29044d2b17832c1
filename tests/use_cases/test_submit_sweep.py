"""submit_sweep over the in-memory fakes: what is written and enqueued, and what is not."""

from __future__ import annotations

import pytest

from domain.errors import RequestValidationError, RunConflict
from domain.manifest import RequestSource, RunManifest
from tests.fixtures import SMALL_REQUEST, FakePorts


def test_an_accepted_run_has_its_manifest_its_run_context_and_one_message_per_shard() -> None:
    ports = FakePorts()

    result = ports.submit(SMALL_REQUEST, RequestSource(kind="api", source_ip="203.0.113.10"))

    assert result.status == "accepted"
    manifest = RunManifest.from_json_bytes(ports.store.objects[ports.keys.manifest("small-run")])
    assert manifest == result.manifest
    assert (manifest.run_date, manifest.total_points, manifest.shard_count) == ("2026-11-28", 3, 3)
    assert manifest.source.source_ip == "203.0.113.10"
    assert ports.keys.run_context("2026-11-28", "small-run") in ports.store.objects
    assert len(ports.queue.bodies) == 3
    assert result.answer()["shards_dispatched"] == 3


def test_the_same_request_again_resumes_only_the_unfinished_shards() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    first = ports.queue.take_all()[0]
    ports.execute(first)
    before = dict(ports.store.objects)

    again = ports.submit(SMALL_REQUEST)

    assert again.status == "already_accepted"
    assert [s.shard_id for s in again.dispatched] == [1, 2]
    assert again.manifest.to_json_bytes() == before[ports.keys.manifest("small-run")]
    assert ports.store.objects == before  # the run_context is rewritten with the same bytes


def test_another_request_under_a_taken_run_id_is_a_conflict_that_writes_nothing() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.queue.take_all()
    before = dict(ports.store.objects)

    with pytest.raises(RunConflict):
        ports.submit({**SMALL_REQUEST, "seed": 6})

    assert ports.store.objects == before
    assert ports.queue.bodies == []


def test_an_invalid_request_writes_and_enqueues_nothing() -> None:
    ports = FakePorts()

    with pytest.raises(RequestValidationError):
        ports.submit({**SMALL_REQUEST, "shard_count": 0})

    assert ports.store.objects == {}
    assert ports.queue.bodies == []
