"""The Lambda function's module: ``entrypoints.lambda_handler.handler``.

Dependencies are built here, at module scope (the Lambda init phase), so a missing setting fails
at start-up with a message naming it, and each invocation only delegates. Local servers, workers
and tests build their own handler with ``entrypoints.handler.make_handler`` instead of importing
this module.
"""

from __future__ import annotations

from entrypoints.container import build_container
from entrypoints.handler import make_handler
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings

_settings = Settings.from_env()
configure_logging(_settings.log_level, json=True)
handler = make_handler(build_container(_settings))
