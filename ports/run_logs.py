"""The structured log events of one run (docs/runbook.md §4): the local backend's log files, or
CloudWatch Logs Insights over the runtime log group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class LogsUnavailable(Exception):
    """The logs could not be read in time (a query that did not finish, a missing log group)."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    timestamp: str
    """ISO 8601, UTC."""
    level: str
    event: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Everything else the event carried (run_id, shard_id, error_code, points, ...)."""


@dataclass(frozen=True, slots=True)
class RunLogEvents:
    events: tuple[LogEvent, ...]
    truncated: bool = False
    """The source returned at most its limit of events: there may be more."""


class RunLogs(Protocol):
    def events_of(self, run_id: str, *, since: datetime) -> RunLogEvents:
        """Every event that names ``run_id`` from ``since`` on, oldest first."""
