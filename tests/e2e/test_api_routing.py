"""Routing by what API Gateway says matched, over recorded events of every shape: a run whose id
equals a path segment (`sweep-run`) is created and its status read back through each of them."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from entrypoints.local_server import proxy_event
from tests.harness import Harness, load_event

RUN = {
    "run_id": "sweep-run",
    "dimensions": {"num_drivers": [4, 8]},
    "base_parameters": {"num_riders": 20},
    "shard_count": 2,
}
GET_EVENTS = [
    "api_rest_get_sweep_run_named_sweep_run.json",
    "api_rest_proxy_get_sweep_run_named_sweep_run.json",
    "api_http_v1_get_sweep_run_named_sweep_run_stage.json",
    "api_http_v1_get_sweep_run_named_sweep_run_default_stage.json",
    "api_http_v2_get_sweep_run_named_sweep_run_stage.json",
    "api_http_v2_get_sweep_run_named_sweep_run_default_stage.json",
    "api_http_v2_default_route_get_sweep_run_named_sweep_run_stage.json",
    "function_url_get_sweep_run_named_sweep_run.json",
]


def with_method(event: dict[str, Any], method: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    if "http" in changed.get("requestContext", {}):
        changed["requestContext"]["http"]["method"] = method
    else:
        changed["httpMethod"] = method
    return changed


@pytest.fixture
def accepted(harness: Harness) -> Harness:
    status, _ = harness.post(RUN)
    assert status == 202
    return harness


@pytest.mark.parametrize("name", GET_EVENTS)
def test_get_sweep_run_sweep_run_answers_the_status_of_run_sweep_run(accepted: Harness, name: str) -> None:
    status, body = accepted.send(load_event(name))

    assert status == 200, body
    assert (body["run_id"], body["state"], body["shards_pending"]) == ("sweep-run", "running", 2)


@pytest.mark.parametrize("name", GET_EVENTS)
def test_another_method_on_the_status_route_answers_405(accepted: Harness, name: str) -> None:
    status, body = accepted.send(with_method(load_event(name), "DELETE"))

    assert status == 405
    assert body["message"] == "use GET /sweep-run/{run_id}"


def test_the_local_server_routes_by_path(accepted: Harness) -> None:
    status, body = accepted.send(proxy_event("GET", "/sweep-run/sweep-run", b"", "127.0.0.1", "test"))

    assert status == 200
    assert body["run_id"] == "sweep-run"


def test_a_function_url_post_submits_a_run(harness: Harness) -> None:
    event = load_event("function_url_post_sweep_run.json")
    event["body"] = base64.b64encode(json.dumps(RUN).encode()).decode()

    status, body = harness.send(event)

    assert status == 202, body
    assert body["run_id"] == "sweep-run"
    assert len(harness.queued) == 2


@pytest.mark.parametrize(
    "path", ["/sweep-run/sweep-run/extra", "/runs/sweep-run", "/", "/prod/other/sweep-run"]
)
def test_a_path_outside_the_routes_answers_404(harness: Harness, path: str) -> None:
    event = load_event("function_url_get_sweep_run_named_sweep_run.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path

    status, body = harness.send(event)

    assert status == 404
    assert body["error"] == "not_found"


def test_a_route_api_gateway_matched_but_the_service_does_not_serve_answers_404(harness: Harness) -> None:
    event = load_event("api_http_v2_get_sweep_run_named_sweep_run_stage.json")
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /sweep-runs"

    status, _ = harness.send(event)

    assert status == 404
