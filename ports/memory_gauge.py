from __future__ import annotations

from typing import Protocol


class MemoryGauge(Protocol):
    """How much memory this process holds now: what a worker's memory budget is checked against."""

    def resident_bytes(self) -> int:
        """The process's resident set size (RSS), in bytes."""
