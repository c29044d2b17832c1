from __future__ import annotations

import threading
from collections.abc import Sequence

from domain.contract import ShardMessage


class InMemoryShardQueue:
    """Shard messages as JSON bytes, the way a real queue would carry them."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)

    def send(self, messages: Sequence[ShardMessage]) -> None:
        with self._ready:
            self.bodies.extend(m.to_json_bytes() for m in messages)
            self._ready.notify_all()

    def put_back(self, bodies: list[bytes]) -> None:
        """Return taken messages to the queue, as an expired visibility timeout would."""
        with self._ready:
            self.bodies[:0] = bodies
            self._ready.notify_all()

    def take_all(self) -> list[bytes]:
        """Remove and return every waiting message, oldest first."""
        with self._lock:
            taken, self.bodies = self.bodies, []
            return taken

    def wait_for_messages(self, timeout: float) -> bool:
        with self._ready:
            return self._ready.wait_for(lambda: bool(self.bodies), timeout=timeout)
