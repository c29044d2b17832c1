"""The runs' log files of the local backend (``<results>/logs/<run_id>.jsonl``), as ``RunLogs``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from adapters.log_events import log_event_of
from ports.run_logs import LogEvent, RunLogEvents


class RunLogFiles:
    def __init__(self, directory: str | Path) -> None:
        self._directory = Path(directory)

    def events_of(self, run_id: str, *, since: datetime) -> RunLogEvents:
        """The file holds this run's events alone, all of them since it was accepted."""
        path = self._directory / f"{run_id}.jsonl"
        if "/" in run_id or not path.is_file():
            return RunLogEvents(())
        events: list[LogEvent] = []
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a crash: the rest still reads
                    continue
                event = log_event_of(record) if isinstance(record, dict) else None
                if event is not None and event.fields.get("run_id") == run_id:
                    events.append(event)
        return RunLogEvents(tuple(sorted(events, key=lambda e: e.timestamp)))
