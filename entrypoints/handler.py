"""One handler for every trigger: API Gateway proxy events and SQS events, routed by shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from entrypoints.api import handle_api_event, is_api_event
from entrypoints.container import Container
from entrypoints.logs import get_logger
from entrypoints.sqs_worker import handle_sqs_event, is_sqs_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def make_handler(container: Container) -> Handler:
    def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        request_id = getattr(context, "aws_request_id", None)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(aws_request_id=request_id)
        if isinstance(event, dict) and is_sqs_event(event):
            return handle_sqs_event(event, container, context)
        if isinstance(event, dict) and is_api_event(event):
            return handle_api_event(event, container)
        shape = sorted(event)[:20] if isinstance(event, dict) else type(event).__name__
        get_logger().error("unknown_event_shape", shape=shape)
        raise ValueError("unsupported event: expected an API Gateway proxy event or an SQS event")

    return handler
