"""API Gateway proxy events (REST, HTTP API v1 and v2, function URLs) → use cases → proxy responses.

Routing follows what API Gateway says matched: ``resource`` and ``pathParameters`` (REST and HTTP
API payload 1.0), ``routeKey`` and ``pathParameters`` (HTTP API payload 2.0). A function URL, an
HTTP API ``$default`` route, a ``{proxy+}`` resource and the local server carry no route, so their
path (without the stage, when it starts with it) is matched segment by segment against the same
route table. A run id that equals a path segment (``GET /sweep-run/sweep-run``) is therefore a run
id, never a route. Every error a caller can cause is mapped to a status here, in one place.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import structlog

from application.cancel_run import CancelResult
from application.list_runs import RunsPage, parse_limit
from application.submit_sweep import SubmitResult
from domain.contract import MAX_REQUEST_BYTES
from domain.errors import (
    ErrorDetail,
    MalformedJson,
    RequestTooLarge,
    RequestValidationError,
    RunAlreadyEnded,
    RunCancelled,
    RunConflict,
    RunModelChanged,
    RunNotFound,
)
from domain.manifest import RequestSource
from entrypoints.container import Container
from entrypoints.logs import get_logger
from entrypoints.story import log_submitted
from ports.errors import TransientError

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    path: str
    body: bytes
    source: RequestSource
    route: str | None = None
    """The resource template API Gateway matched (``/sweep-run/{run_id}``), when it says."""
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Query string parameters, each with every value it was given."""

    def query_value(self, name: str) -> str | None:
        """The one value of ``name`` (``None`` when absent); raises naming it when repeated."""
        values = self.query.get(name, ())
        if len(values) > 1:
            raise RequestValidationError(
                [ErrorDetail(("query", name), f"give it once, not {len(values)} times")]
            )
        return values[0] if values else None


def is_api_event(event: dict[str, Any]) -> bool:
    return (
        "httpMethod" in event
        or "routeKey" in event
        or (isinstance(event.get("requestContext"), dict) and "http" in event["requestContext"])
    )


def parse_api_event(event: dict[str, Any]) -> ApiRequest:
    context = event.get("requestContext") or {}
    if event.get("version") == "2.0" or "http" in context:
        http = context.get("http") or {}
        method = str(http.get("method", "")).upper()
        path = str(event.get("rawPath") or http.get("path") or "")
        source_ip, user_agent = http.get("sourceIp"), http.get("userAgent")
    else:
        identity = context.get("identity") or {}
        method = str(event.get("httpMethod", "")).upper()
        path = str(event.get("path") or "")
        source_ip, user_agent = identity.get("sourceIp"), identity.get("userAgent")
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedJson("the body is marked base64 but is not valid base64") from None
    else:
        body = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else b""
    stage = _text(context.get("stage"))
    route, parameters = _matched_route(event, context)
    if route is None:
        route, parameters = match_path(path, stage)
    return ApiRequest(
        method=method,
        path=path,
        body=body,
        route=route,
        path_parameters=parameters,
        query=_query(event, path),
        source=RequestSource(
            kind="api",
            source_ip=_text(source_ip),
            user_agent=_text(user_agent),
            api_request_id=_text(context.get("requestId")),
            api_stage=stage,
        ),
    )


def _query(event: dict[str, Any], path: str) -> dict[str, tuple[str, ...]]:
    """Every query parameter with all its values, from whichever field the event's shape fills:
    REST and HTTP API 1.0 ``multiValueQueryStringParameters``, HTTP API 2.0 and function URL
    ``rawQueryString``, else ``queryStringParameters``, else the path's ``?`` part."""
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, dict):
        return {str(k): tuple(str(v) for v in (vs or ())) for k, vs in multi.items()}
    raw = event.get("rawQueryString")
    if not isinstance(raw, str) and "?" in path:
        raw = path.split("?", 1)[1]
    if isinstance(raw, str):
        pairs = parse_qsl(raw, keep_blank_values=True)
        return {name: tuple(v for k, v in pairs if k == name) for name, _ in pairs}
    single = event.get("queryStringParameters")
    if isinstance(single, dict):
        return {str(k): (str(v),) for k, v in single.items()}
    return {}


def _matched_route(event: dict[str, Any], context: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The route template API Gateway reports, or ``None`` when it reports none that names ours."""
    route_key = event.get("routeKey") or context.get("routeKey")
    template = route_key.split(" ", 1)[-1] if isinstance(route_key, str) else event.get("resource")
    if not isinstance(template, str) or not template.startswith("/") or "{proxy+}" in template:
        return None, {}
    raw = event.get("pathParameters") or {}
    return template, {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def match_path(path: str, stage: str | None = None) -> tuple[str | None, dict[str, str]]:
    """The route of ``path`` (a leading stage segment skipped when the path only matches without
    it) and its path parameters, or ``(None, {})``."""
    segments = [unquote(s) for s in path.split("?", 1)[0].strip("/").split("/")]
    candidates = [segments]
    if stage and stage != "$default" and segments[:1] == [stage]:
        candidates.append(segments[1:])
    for candidate in candidates:
        for template in ROUTES:
            parameters = _bind(template, candidate)
            if parameters is not None:
                return template, parameters
    return None, {}


def _bind(template: str, segments: list[str]) -> dict[str, str] | None:
    pattern = template.strip("/").split("/")
    if len(pattern) != len(segments) or not all(segments):
        return None
    parameters: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected.startswith("{") and expected.endswith("}"):
            parameters[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return parameters


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def handle_api_event(event: dict[str, Any], container: Container) -> dict[str, Any]:
    log = get_logger()
    try:
        request = parse_api_event(event)
        structlog.contextvars.bind_contextvars(api_request_id=request.source.api_request_id)
        status, body = _route(request, container)
    except Exception as exc:  # every failure becomes an answer; only the mapping differs
        status, body = _error_answer(exc)
        if status >= 500:
            log.exception("api_request_failed", status=status)
    log.info("api_request", status=status, run_id=body.get("run_id"))
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json_text(body),
    }


def json_text(body: dict[str, Any]) -> str:
    """JSON that can always be sent as UTF-8.

    Answers echo what the caller sent (a run id, a field name), and valid JSON such as ``"\\ud800"``
    decodes to a lone surrogate, which UTF-8 cannot carry. Such a character can only sit inside a
    JSON string, so writing it back as its ``\\uXXXX`` escape keeps the JSON valid and equal in
    meaning; every other character stays as it is.
    """
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")


def _submit(request: ApiRequest, container: Container) -> Answer:
    payload = decode_json_body(request.body)
    structlog.contextvars.bind_contextvars(
        run_id=payload.get("run_id") if isinstance(payload, dict) else None
    )
    result: SubmitResult = container.submit_sweep(payload, request.source)
    log_submitted(result)
    return (202 if result.status == "accepted" else 200), result.answer()


def _status(request: ApiRequest, container: Container) -> Answer:
    run_id = request.path_parameters.get("run_id", "")
    structlog.contextvars.bind_contextvars(run_id=run_id)
    return 200, container.run_status(run_id).as_dict()


def _cancel(request: ApiRequest, container: Container) -> Answer:
    run_id = request.path_parameters.get("run_id", "")
    structlog.contextvars.bind_contextvars(run_id=run_id)
    result: CancelResult = container.cancel_run(run_id, request.source)
    if result.created:
        get_logger().info("run_cancelled", cancelled_at=result.marker.cancelled_at.isoformat())
    return 200, result.marker.answer()


LIST_PARAMETERS = ("limit", "next_token")


def _list(request: ApiRequest, container: Container) -> Answer:
    unknown = sorted(set(request.query) - set(LIST_PARAMETERS))
    if unknown:
        raise RequestValidationError(
            [ErrorDetail(("query", name), "unknown parameter; use limit and next_token") for name in unknown]
        )
    limit = parse_limit(request.query_value("limit"))
    page: RunsPage = container.list_runs(limit=limit, next_token=request.query_value("next_token") or None)
    return 200, page.as_dict()


RouteHandler = Callable[[ApiRequest, Container], Answer]

ROUTES: Mapping[str, Mapping[str, RouteHandler]] = {
    "/sweep-run": {"POST": _submit, "GET": _list},
    "/sweep-run/{run_id}": {"GET": _status, "DELETE": _cancel},
}
"""Resource template → method → handler (docs/contract.md §1). A new route is one entry here, its
resource in the API Gateway Terraform and a recorded event under tests/events."""


def _route(request: ApiRequest, container: Container) -> Answer:
    methods = ROUTES.get(request.route or "")
    if methods is None:
        return 404, {"error": "not_found", "message": f"no route for {request.method} {request.path}"}
    handler = methods.get(request.method)
    if handler is None:
        allowed = " or ".join(sorted(methods))
        return 405, {"error": "method_not_allowed", "message": f"use {allowed} {request.route}"}
    return handler(request, container)


def decode_json_body(body: bytes) -> object:
    if len(body) > MAX_REQUEST_BYTES:
        raise RequestTooLarge(
            f"the body is {len(body):,} bytes; the limit is {MAX_REQUEST_BYTES:,} bytes (256 KiB)"
        )
    if not body.strip():
        raise MalformedJson("the body is empty; send the sweep request as a JSON object")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"the body is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise MalformedJson(f"the body is not valid JSON: {exc.msg} at {where}") from None
    except (RecursionError, ValueError) as exc:
        raise MalformedJson(f"the body cannot be read as JSON: {type(exc).__name__}") from None


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    error: str
    fields: Callable[[Any], dict[str, Any]] = lambda _exc: {}
    message: str | None = None
    """A fixed message instead of the error's own (which may hold internal detail)."""


ERROR_ANSWERS: tuple[tuple[type[Exception], ErrorAnswer], ...] = (
    (
        RequestValidationError,
        ErrorAnswer(400, "validation_error", lambda e: {"details": [d.as_dict() for d in e.details]}),
    ),
    (MalformedJson, ErrorAnswer(400, "malformed_json")),
    (RequestTooLarge, ErrorAnswer(413, "request_too_large")),
    (
        RunConflict,
        ErrorAnswer(
            409,
            "run_conflict",
            lambda e: {
                "run_id": e.run_id,
                "existing_request_fingerprint": e.existing_fingerprint,
                "request_fingerprint": e.new_fingerprint,
            },
        ),
    ),
    (
        RunModelChanged,
        ErrorAnswer(
            409,
            "model_changed",
            lambda e: {
                "run_id": e.run_id,
                "run_simulation_model": e.run_model,
                "simulation_model": e.deployment_model,
            },
        ),
    ),
    (
        RunCancelled,
        ErrorAnswer(409, "run_cancelled", lambda e: {"run_id": e.run_id, "cancelled_at": e.cancelled_at}),
    ),
    (
        RunAlreadyEnded,
        ErrorAnswer(409, "run_already_ended", lambda e: {"run_id": e.run_id, "state": e.state}),
    ),
    (RunNotFound, ErrorAnswer(404, "run_not_found", lambda e: {"run_id": e.run_id})),
    (
        TransientError,
        ErrorAnswer(
            503,
            "service_unavailable",
            message="storage or queue is unavailable; resend the same request to resume",
        ),
    ),
)
"""Every error a caller can cause → its HTTP status and body; anything else is a 500."""


def _error_answer(exc: Exception) -> Answer:
    for kind, answer in ERROR_ANSWERS:
        if isinstance(exc, kind):
            body = {"error": answer.error, "message": answer.message or str(exc), **answer.fields(exc)}
            return answer.status, body
    return 500, {"error": "internal_error", "message": "unexpected error; see the service logs"}
