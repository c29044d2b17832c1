"""Routing by what API Gateway says matched, over recorded events of every shape: a run whose id
equals a path segment (`sweep-run`) is created and its status read back through each of them."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

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
DELETE_EVENTS = [
    "api_rest_delete_sweep_run_named_sweep_run.json",
    "api_http_v1_delete_sweep_run_named_sweep_run_stage.json",
    "api_http_v2_delete_sweep_run_named_sweep_run_stage.json",
    "function_url_delete_sweep_run_named_sweep_run.json",
]
LIST_EVENTS = [
    "api_rest_get_sweep_run_list.json",
    "api_http_v1_get_sweep_run_list_stage.json",
    "api_http_v2_get_sweep_run_list_stage.json",
    "function_url_get_sweep_run_list.json",
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
    status, body = accepted.send(with_method(load_event(name), "PUT"))

    assert status == 405
    assert body["message"] == "use DELETE or GET /sweep-run/{run_id}"


@pytest.mark.parametrize("name", DELETE_EVENTS)
def test_delete_sweep_run_sweep_run_cancels_run_sweep_run(accepted: Harness, name: str) -> None:
    status, body = accepted.send(load_event(name))

    assert status == 200, body
    assert (body["status"], body["run_id"]) == ("cancelled", "sweep-run")
    assert accepted.get("sweep-run")[1]["state"] == "cancelled"


@pytest.mark.parametrize("name", LIST_EVENTS)
def test_get_sweep_run_lists_runs_newest_first_a_page_at_a_time(harness: Harness, name: str) -> None:
    harness.post(RUN)
    harness.clock.advance(timedelta(minutes=1))
    harness.post({**RUN, "run_id": "later-run"})

    status, first = harness.send(load_event(name))  # limit=1
    event = load_event(name)
    _set_query(event, {"limit": "1", "next_token": first["next_token"]})
    _, second = harness.send(event)

    assert status == 200, first
    assert [r["run_id"] for r in first["runs"]] == ["later-run"]
    assert [r["run_id"] for r in second["runs"]] == ["sweep-run"]
    assert second["next_token"] is None


@pytest.mark.parametrize("name", LIST_EVENTS)
@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"next_token": "not-a-token"}, "next_token"),
        ({"page": "2"}, "page"),
    ],
)
def test_a_bad_list_parameter_answers_400_naming_it(
    harness: Harness, name: str, query: dict[str, str], named: str
) -> None:
    event = load_event(name)
    _set_query(event, query)

    status, body = harness.send(event)

    assert status == 400, body
    assert body["error"] == "validation_error"
    assert body["details"][0]["loc"] == ["query", named]


def test_a_repeated_list_parameter_answers_400(harness: Harness) -> None:
    event = load_event("api_rest_get_sweep_run_list.json")
    event["multiValueQueryStringParameters"] = {"limit": ["1", "2"]}

    status, body = harness.send(event)

    assert (status, body["details"][0]["loc"]) == (400, ["query", "limit"])


def test_the_local_server_lists_with_its_query_string(accepted: Harness) -> None:
    status, body = accepted.send(proxy_event("GET", "/sweep-run?limit=5", b"", "127.0.0.1", "test"))

    assert status == 200, body
    assert [r["run_id"] for r in body["runs"]] == ["sweep-run"]


def _set_query(event: dict[str, Any], query: dict[str, str]) -> None:
    """The query as each event shape carries it."""
    if "rawQueryString" in event:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = dict(query)
    else:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}


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
