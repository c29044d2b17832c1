"""Use case: the story of one run from its structured logs (``ridesweep logs``), narrowed to one
shard or a least level."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from application.run_manifest import read_manifest
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore
from ports.run_logs import RunLogEvents, RunLogs

LogLevel = Literal["debug", "info", "warning", "error"]
LEVELS: tuple[LogLevel, ...] = ("debug", "info", "warning", "error")
CLOCK_SKEW = timedelta(minutes=5)
"""Looked back before the run's acceptance, for clocks that disagree a little."""


def run_story(
    run_id: str,
    *,
    logs: RunLogs,
    store: BlobStore,
    keys: StorageKeys,
    shard: int | None = None,
    level: LogLevel | None = None,
) -> RunLogEvents:
    """Raises ``RunNotFound`` for an unknown run; its manifest says since when to look."""
    manifest = read_manifest(store, keys, run_id)
    found = logs.events_of(run_id, since=manifest.accepted_at - CLOCK_SKEW)
    least = LEVELS.index(level) if level is not None else 0
    kept = tuple(
        event
        for event in found.events
        if _rank(event.level) >= least and (shard is None or _shard_of(event.fields) == shard)
    )
    return RunLogEvents(kept, found.truncated)


def _rank(level: str) -> int:
    name = {"warn": "warning", "critical": "error", "exception": "error"}.get(level, level)
    return LEVELS.index(name) if name in LEVELS else LEVELS.index("info")


def _shard_of(fields: Mapping[str, Any]) -> int | None:
    value = fields.get("shard_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
