"""API Gateway proxy events (REST v1 and HTTP API v2) → use cases → proxy responses.

Every error a caller can cause is mapped to a status here, in one place.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

import structlog

from application.submit_sweep import RequestSource
from domain.contract import MAX_REQUEST_BYTES
from domain.errors import (
    MalformedJson,
    RequestTooLarge,
    RequestValidationError,
    RunConflict,
    RunNotFound,
)
from entrypoints import use_cases
from entrypoints.container import Container
from entrypoints.logs import get_logger
from ports.errors import TransientError

_STATUS_PATH = re.compile(r"/sweep-run/([^/]+)/?$")
_SUBMIT_PATH = re.compile(r"/sweep-run/?$")


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    path: str
    body: bytes
    source: RequestSource


def is_api_event(event: dict[str, Any]) -> bool:
    return "httpMethod" in event or "routeKey" in event or (
        isinstance(event.get("requestContext"), dict) and "http" in event["requestContext"]
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
    return ApiRequest(
        method=method,
        path=path,
        body=body,
        source=RequestSource(
            kind="api",
            source_ip=_text(source_ip),
            user_agent=_text(user_agent),
            api_request_id=_text(context.get("requestId")),
            api_stage=_text(context.get("stage")),
        ),
    )


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


def _route(request: ApiRequest, container: Container) -> tuple[int, dict[str, Any]]:
    if _SUBMIT_PATH.search(request.path):
        if request.method != "POST":
            return 405, {"error": "method_not_allowed", "message": "use POST /sweep-run"}
        payload = decode_json_body(request.body)
        structlog.contextvars.bind_contextvars(
            run_id=payload.get("run_id") if isinstance(payload, dict) else None
        )
        result = use_cases.submit(container, payload, request.source)
        return result.http_status, result.body
    match = _STATUS_PATH.search(request.path)
    if match:
        if request.method != "GET":
            return 405, {"error": "method_not_allowed", "message": "use GET /sweep-run/{run_id}"}
        status = use_cases.status(container, match.group(1))
        return 200, status.as_dict()
    return 404, {"error": "not_found", "message": f"no route for {request.method} {request.path}"}


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


def _error_answer(exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, RequestValidationError):
        return 400, {
            "error": "validation_error",
            "message": str(exc),
            "details": [d.as_dict() for d in exc.details],
        }
    if isinstance(exc, MalformedJson):
        return 400, {"error": "malformed_json", "message": str(exc)}
    if isinstance(exc, RequestTooLarge):
        return 413, {"error": "request_too_large", "message": str(exc)}
    if isinstance(exc, RunConflict):
        return 409, {
            "error": "run_conflict",
            "message": str(exc),
            "run_id": exc.run_id,
            "existing_request_fingerprint": exc.existing_fingerprint,
            "request_fingerprint": exc.new_fingerprint,
        }
    if isinstance(exc, RunNotFound):
        return 404, {"error": "run_not_found", "message": str(exc), "run_id": exc.run_id}
    if isinstance(exc, TransientError):
        return 503, {
            "error": "service_unavailable",
            "message": "storage or queue is unavailable; resend the same request to resume",
        }
    return 500, {"error": "internal_error", "message": "unexpected error; see the service logs"}
