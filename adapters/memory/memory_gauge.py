from __future__ import annotations


class FixedMemoryGauge:
    """A process whose memory holds still unless a test sets it: deterministic memory budgets."""

    def __init__(self, resident_bytes: int = 200 * 2**20) -> None:
        self.resident = resident_bytes

    def resident_bytes(self) -> int:
        return self.resident
