"""A whole run through the Lambda handler, in-process: API event → queue → SQS event → store."""

from __future__ import annotations

import json
from typing import Any

import pytest

from application.results_codec import decode
from domain.simulation import SIMULATION_MODEL
from tests.fixtures import EXAMPLE, request
from tests.harness import Harness, expected_keys
from tests.invalid_requests import INVALID_REQUESTS

RUN_DATE = "2026-11-28"


@pytest.fixture
def finished(harness: Harness) -> Harness:
    status, _ = harness.post(EXAMPLE)
    assert status == 202
    harness.drain()
    return harness


def test_a_valid_submit_answers_202_with_the_plan(harness: Harness) -> None:
    status, body = harness.post(EXAMPLE)
    assert status == 202
    assert body["status"] == "accepted"
    assert body["run_date"] == RUN_DATE
    assert body["total_points"] == 8
    assert body["shard_count"] == body["shards_dispatched"] == 4
    assert body["dispatches"][1] == {"shard_id": 1, "start_index": 2, "end_index_exclusive": 4}
    assert len(harness.queued) == 4


def test_after_draining_the_store_holds_exactly_the_contract_keys(finished: Harness) -> None:
    assert set(finished.objects) == expected_keys(EXAMPLE, RUN_DATE)


def test_the_injected_shard_has_a_failure_outcome_and_no_points(finished: Harness) -> None:
    keys = set(finished.objects)
    failure = [k for k in keys if "status=failure/shard_id=1/" in k]
    assert len(failure) == 1
    outcome = decode(finished.objects[failure[0]]).to_pylist()[0]
    assert outcome["error_code"] == "injected_failure"
    assert outcome["error_message"]
    assert not [k for k in keys if "status=success/shard_id=1/" in k]


def test_a_success_outcome_records_the_shard_range(finished: Harness) -> None:
    key = next(k for k in finished.objects if "shard_outcomes" in k and "status=success/shard_id=2/" in k)
    outcome = decode(finished.objects[key]).to_pylist()[0]
    assert (outcome["start_index"], outcome["end_index_exclusive"]) == (4, 6)
    assert outcome["points_processed"] == 2
    assert outcome["error_code"] is None


def test_delivering_every_message_again_leaves_every_object_byte_identical(harness: Harness) -> None:
    harness.post(EXAMPLE)
    delivered = harness.drain()
    before = dict(harness.objects)
    assert harness.deliver(delivered) == []
    assert harness.objects == before


def test_recomputing_a_shard_writes_the_same_bytes(finished: Harness) -> None:
    before = dict(finished.objects)
    for key in [k for k in finished.objects if "shard_outcomes" in k and "status=success" in k]:
        del finished.objects[key]
    status, _ = finished.post(EXAMPLE)  # resume: re-enqueues the shards without a success outcome
    assert status == 200
    finished.drain()
    assert finished.objects == before


def test_the_same_request_again_answers_already_accepted(finished: Harness) -> None:
    status, body = finished.post(EXAMPLE)
    assert status == 200
    assert body["status"] == "already_accepted"
    assert body["run_id"] == EXAMPLE["run_id"]
    assert body["shards_dispatched"] == 1  # only the shard that failed on purpose is retried


def test_the_same_run_id_with_another_seed_answers_409_and_changes_nothing(finished: Harness) -> None:
    before = dict(finished.objects)
    status, body = finished.post(request(seed=43))
    assert status == 409
    assert body["error"] == "run_conflict"
    assert finished.objects == before
    assert finished.queued == []


@pytest.mark.parametrize("name", sorted(INVALID_REQUESTS))
def test_every_invalid_request_answers_400_and_writes_nothing(harness: Harness, name: str) -> None:
    status, body = harness.post(INVALID_REQUESTS[name])
    assert status == 400
    assert body["error"] == "validation_error"
    assert body["details"] and all(d["msg"] for d in body["details"])
    assert harness.objects == {}
    assert harness.queued == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe{}", b"[" * 100_000])
def test_malformed_json_answers_400_malformed_json(harness: Harness, raw: bytes) -> None:
    status, body = harness.post(None, raw=raw, fmt="v2")
    assert status == 400
    assert body["error"] == "malformed_json"
    assert harness.objects == {}


def test_a_body_over_256_kib_answers_413(harness: Harness) -> None:
    status, body = harness.post(None, raw=b" " * (256 * 1024 + 1) + b"{}")
    assert status == 413
    assert body["error"] == "request_too_large"
    assert harness.objects == {}


def test_an_http_api_v2_event_is_accepted_too(harness: Harness) -> None:
    status, body = harness.post(EXAMPLE, fmt="v2")
    assert (status, body["status"]) == (202, "accepted")
    context = next(v for k, v in harness.objects.items() if "run_context" in k)
    row = decode(context).to_pylist()[0]
    assert row["source_ip"] == "198.51.100.7"
    assert row["api_stage"] == "prod"
    assert row["request_source"] == "api"


def test_status_counts_outcomes(finished: Harness) -> None:
    status, body = finished.get("demo-run-001")
    assert status == 200
    assert body == {
        "run_id": "demo-run-001",
        "run_date": RUN_DATE,
        "total_points": 8,
        "shard_count": 4,
        "shards_succeeded": 3,
        "shards_failed": 1,
        "shards_pending": 0,
        "shards_cancelled": 0,
        "cancelled_at": None,
        "state": "partial",
    }


def test_status_of_a_run_still_in_the_queue_is_running(harness: Harness) -> None:
    harness.post(request(failure_injection_shards=[]))
    status, body = harness.get("demo-run-001")
    assert (status, body["state"], body["shards_pending"]) == (200, "running", 4)


def test_status_of_an_unknown_run_is_404(harness: Harness) -> None:
    status, body = harness.get("nope")
    assert status == 404
    assert body["error"] == "run_not_found"


def test_a_malformed_shard_message_is_reported_alone_and_the_batch_goes_on(harness: Harness) -> None:
    harness.post(request(failure_injection_shards=[]))
    good = harness.container.shard_inbox().take_all()[:1]
    failed = harness.deliver([b'{"schema_version": "v1", "run_id": "x"', *good])
    assert failed == ["message-0"]
    assert any("status=success/shard_id=0/" in k for k in harness.objects)


def test_run_context_records_the_request(finished: Harness) -> None:
    key = next(k for k in finished.objects if "run_context" in k)
    row: dict[str, Any] = decode(finished.objects[key]).to_pylist()[0]
    assert row["total_points"] == 8
    assert row["shard_strategy"] == "shard_count"
    assert json.loads(row["dimensions_json"])["num_drivers"] == [100, 200]
    assert row["source_ip"] == "203.0.113.10"
    assert row["api_request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_an_edited_shard_message_is_recorded_as_a_failure_and_writes_no_points(
    harness: Harness,
) -> None:
    harness.post(request(failure_injection_shards=[]))
    body = json.loads(harness.container.shard_inbox().take_all()[0])
    body["seed"] = 7  # the fingerprint no longer matches what the run planned
    assert harness.deliver([json.dumps(body).encode()]) == []
    keys = set(harness.objects)
    failure = next(k for k in keys if "status=failure/shard_id=0/" in k)
    assert decode(harness.objects[failure]).to_pylist()[0]["error_code"] == "fingerprint_mismatch"
    assert not [k for k in keys if "status=success/shard_id=0/" in k]


def test_the_answer_counts_simulations_and_names_the_model(harness: Harness) -> None:
    status, body = harness.post(request(replicates=10, seed_strategy="common"))
    assert status == 202
    assert (body["total_points"], body["replicates"], body["total_simulations"]) == (8, 10, 80)
    assert body["simulation_model"] == SIMULATION_MODEL


def test_a_run_planned_under_another_model_answers_409_model_changed(finished: Harness) -> None:
    key = next(k for k in finished.objects if k.endswith("manifest.json"))
    manifest = json.loads(finished.objects[key])
    manifest["simulation_model"] = SIMULATION_MODEL + 1
    finished.objects[key] = json.dumps(manifest).encode()
    before = dict(finished.objects)
    status, body = finished.post(EXAMPLE)
    assert status == 409
    assert body["error"] == "model_changed"
    assert (body["run_simulation_model"], body["simulation_model"]) == (
        SIMULATION_MODEL + 1,
        SIMULATION_MODEL,
    )
    assert "new run_id" in body["message"]
    assert finished.objects == before
    assert finished.queued == []
