"""``ports.memory_gauge.MemoryGauge`` for this process, from the operating system."""

from __future__ import annotations

import os
import resource
import sys


class ProcessMemoryGauge:
    """The current RSS from ``/proc/self/statm`` (Linux, as on Lambda); elsewhere the peak RSS,
    which only overstates it."""

    def __init__(self) -> None:
        self._page_size = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def resident_bytes(self) -> int:
        try:
            with open("/proc/self/statm", encoding="ascii") as statm:
                return int(statm.read().split()[1]) * self._page_size
        except (OSError, ValueError, IndexError):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return int(peak if sys.platform == "darwin" else peak * 1024)  # bytes on macOS, KiB else
