"""One structured log line (a JSON object as structlog writes it) as a ``LogEvent``: shared by the
local log files and CloudWatch Logs, which both hold the same lines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ports.run_logs import LogEvent


def log_event_of(record: dict[str, Any]) -> LogEvent | None:
    """``None`` for a line that is not one of our events (no ``event`` name)."""
    name = record.get("event")
    if not isinstance(name, str):
        return None
    fields = {k: v for k, v in record.items() if k not in ("event", "level", "timestamp") and v is not None}
    return LogEvent(
        timestamp=iso_utc(record.get("timestamp")),
        level=str(record.get("level") or "info").lower(),
        event=name,
        fields=fields,
    )


def iso_utc(value: object) -> str:
    """A timestamp as ISO 8601 UTC, whichever way it came: ISO text (structlog), Logs Insights'
    ``2026-11-28 09:31:00.123``, or epoch milliseconds."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat()
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return value
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return ""
