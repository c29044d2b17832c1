from __future__ import annotations

import threading
from collections import Counter

from adapters.memory.queue import InMemoryShardQueue
from ports.dead_letters import RedriveMethod, RedriveResult, run_id_of_body


class InMemoryDeadLetters:
    """Dead-lettered message bodies; ``move_back`` returns them to ``queue``. Tests put bodies in
    ``bodies`` and assert on both lists."""

    def __init__(self, queue: InMemoryShardQueue) -> None:
        self.bodies: list[bytes] = []
        self._queue = queue
        self._lock = threading.Lock()

    def move_back(self, method: RedriveMethod = "auto") -> RedriveResult:
        with self._lock:
            moved, self.bodies = self.bodies, []
        self._queue.put_back(moved)
        by_run = Counter(r for r in map(run_id_of_body, moved) if r is not None)
        return RedriveResult(moved=len(moved), method="receive-send", by_run=dict(by_run))
