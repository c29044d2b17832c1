"""structlog, configured once: JSON lines in Lambda, readable console output on a terminal, and on
the local backend every event of a run also appended as a JSON line to ``<results>/logs/<run_id>.jsonl``
(worker processes too), which ``ridesweep logs`` reads back.

The events that tell a run's story have fixed names (docs/runbook.md §4 lists them); each carries
``run_id`` and, where known, ``shard_id``, ``point_index``, ``aws_request_id``, ``sqs_message_id``
and ``receive_count``, bound as context by the handlers.
"""

from __future__ import annotations

import contextlib
import json as json_module
import logging
import os
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import structlog

from domain.contract import is_valid_run_id

_configured = False
_run_log_dir: Path | None = None
_forward: Callable[[str], None] | None = None
_console_level = logging.INFO
RUN_LOG_LEVEL = logging.INFO
"""The least level a run's log file keeps, whatever the console shows."""
QUIET = "CRITICAL"
"""A console level no event of ridesweep reaches: the console shows no log line."""

STORY_EVENTS = (
    "run_accepted",
    "shards_enqueued",
    "shard_started",
    "shard_finished",
    "shard_failed",
    "shard_retried",
    "shard_dead_lettered",
    "run_redriven",
    "run_cancelled",
    "shard_cancelled",
)
"""The events that tell a run's story; alarms and saved queries count on these names."""


class _StderrLogger:
    """Writes each line to whatever ``sys.stderr`` is now (test runners and CLIs swap it), and
    never lets a closed or broken stream fail the request that was being logged."""

    def msg(self, message: str) -> None:
        with contextlib.suppress(ValueError, OSError):  # one write: workers' lines never run together
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

    log = debug = info = warn = warning = error = err = critical = exception = fatal = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()


def _keep_run_story(
    _logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Every event at ``RUN_LOG_LEVEL`` or above, whatever the console shows: forwarded as a JSON
    line when a forwarder is set (CloudWatch Logs, for `ridesweep worker --log-group`), and, for
    an event of a run, appended to the run's file when a directory is set (the local backend)."""
    if logging.getLevelName(str(event.get("level", method)).upper()) < RUN_LOG_LEVEL:
        return event
    text = json_module.dumps(dict(event), default=str, ensure_ascii=False)
    if _forward is not None:
        with contextlib.suppress(Exception):  # a log line never fails the work being logged
            _forward(text)
    directory, run_id = _run_log_dir, event.get("run_id")
    if directory is not None and is_valid_run_id(run_id):
        _append_line(directory / f"{run_id}.jsonl", (text + "\n").encode("utf-8"))
    return event


def _append_line(path: Path, line: bytes) -> None:
    """A single ``write`` on a file opened with ``O_APPEND``: lines from several processes never
    interleave."""
    directory = path.parent
    with contextlib.suppress(OSError):  # a log line never fails the work being logged
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def _console_filter(_logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if logging.getLevelName(str(event.get("level", method)).upper()) < _console_level:
        raise structlog.DropEvent
    return event


def configure_logging(
    level: str = "INFO",
    *,
    json: bool | None = None,
    run_log_dir: str | Path | None = None,
    forward: Callable[[str], None] | None = None,
) -> None:
    """Configure once; later calls may still raise the console's level, and each call names the
    directory of the runs' log files (the local backend's ``<results>/logs``; ``None``: none) and
    where to forward every line (``None``: nowhere)."""
    global _configured, _console_level, _run_log_dir, _forward
    _run_log_dir = Path(run_log_dir) if run_log_dir is not None else None
    _forward = forward
    if _configured:
        _console_level = max(_console_level, logging.getLevelName(level.upper()))
        return
    _console_level = logging.getLevelName(level.upper())
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
            _keep_run_story,
            _console_filter,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(min(_console_level, RUN_LOG_LEVEL)),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=True,
    )
    _configured = True


def console_level() -> str:
    """The least level the console shows now (``WARNING``, ...), for worker processes to show the
    same as the process that started them."""
    return str(logging.getLevelName(_console_level))


def get_logger() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger("ridesweep")  # type: ignore[no-any-return]
