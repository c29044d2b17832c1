"""structlog, configured once: JSON lines in Lambda, readable console output on a terminal."""

from __future__ import annotations

import contextlib
import logging
import sys

import structlog

_configured = False


class _StderrLogger:
    """Writes each line to whatever ``sys.stderr`` is now (test runners and CLIs swap it), and
    never lets a closed or broken stream fail the request that was being logged."""

    def msg(self, message: str) -> None:
        with contextlib.suppress(ValueError, OSError):
            print(message, file=sys.stderr, flush=True)

    log = debug = info = warn = warning = error = err = critical = exception = fatal = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    global _configured
    if _configured:
        return
    if json is None:
        json = not sys.stderr.isatty()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=True,
    )
    _configured = True


def get_logger() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger("ridesweep")  # type: ignore[no-any-return]
