"""The one Lambda function: API Gateway events and SQS events, routed by shape.

Dependencies are built at module scope (the Lambda init phase), so a missing setting fails at
start-up with a message naming it, and each invocation only delegates.
"""

from __future__ import annotations

from typing import Any

import structlog

from entrypoints.api import handle_api_event, is_api_event
from entrypoints.container import Container, build_container
from entrypoints.logs import configure_logging, get_logger
from entrypoints.settings import Settings
from entrypoints.sqs_worker import handle_sqs_event, is_sqs_event

Handler = Any


def make_handler(container: Container) -> Handler:
    def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        request_id = getattr(context, "aws_request_id", None)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(aws_request_id=request_id)
        if isinstance(event, dict) and is_sqs_event(event):
            return handle_sqs_event(event, container)
        if isinstance(event, dict) and is_api_event(event):
            return handle_api_event(event, container)
        shape = sorted(event)[:20] if isinstance(event, dict) else type(event).__name__
        get_logger().error("unknown_event_shape", shape=shape)
        raise ValueError("unsupported event: expected an API Gateway proxy event or an SQS event")

    return handler


_settings = Settings.from_env()
configure_logging(_settings.log_level, json=True)
handler = make_handler(build_container(_settings))
