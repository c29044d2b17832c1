"""Hostile input through the Lambda handler: every answer a JSON 4xx, nothing written or enqueued;
broken shard messages reported alone, never failing their batch."""

from __future__ import annotations

import json

import pytest

from tests.drills.hostile import VALID_REQUEST, HostileCase, api_event, api_fuzz, check_api_answer, sqs_fuzz
from tests.drills.scale import current_scale, drill_seed
from tests.harness import Harness


def test_hostile_api_input_is_answered_4xx_and_leaves_no_trace() -> None:
    figures = api_fuzz(current_scale().api_examples, drill_seed())
    assert figures.server_errors == 0
    assert figures.rejected + figures.verified == figures.inputs  # verified: GET /sweep-run, a list


def test_broken_shard_messages_fail_alone_and_the_batch_goes_on() -> None:
    figures = sqs_fuzz(current_scale().sqs_examples, drill_seed())
    assert figures.rejected > 0


# Each defect the drills found, pinned as a plain example.


def test_an_integer_beyond_any_float_for_a_float_parameter_is_a_400() -> None:
    harness = Harness()
    status, body = harness.post(dict(VALID_REQUEST, base_parameters={"base_fare": 10**400}))
    assert (status, body["details"][0]["loc"]) == (400, ["base_parameters", "base_fare"])


def test_an_answer_that_echoes_a_lone_surrogate_is_still_utf8() -> None:
    harness = Harness()
    event = api_event(HostileCase("pinned", "GET", "/sweep-run/\ud800", b"", 404), "v1")
    answer = check_api_answer(harness.handler(event, harness.context))
    assert (answer.status, answer.body["run_id"]) == (404, "\ud800")


def test_a_stray_outcome_outside_the_plan_does_not_change_the_run_state() -> None:
    harness = Harness()
    harness.post(VALID_REQUEST)
    message = json.loads(harness.drain()[0])
    harness.deliver([json.dumps(dict(message, shard_id=99, start_index=5)).encode()])
    _, body = harness.get(VALID_REQUEST["run_id"])
    assert (body["state"], body["shards_failed"], body["shards_pending"]) == ("succeeded", 0, 0)


@pytest.mark.parametrize("run_date", ["٢٠٢٦-١١-٢٨", "0000-00-00", "2026-02-30"])
def test_a_shard_message_whose_run_date_is_not_a_calendar_date_is_malformed(run_date: str) -> None:
    harness = Harness()
    harness.post(VALID_REQUEST)
    message = json.loads(harness.queued[0])
    assert harness.deliver([json.dumps(dict(message, run_date=run_date)).encode()]) == ["message-0"]
    assert not [k for k in harness.objects if run_date in k]
