from __future__ import annotations

import threading
from collections.abc import Sequence


class InMemoryBlobStore:
    """A dict of objects; tests assert on ``objects`` directly."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self.objects[key] = bytes(data)

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        for key, data in items:
            self.put(key, data)

    def create_if_absent(self, key: str, data: bytes) -> bool:
        with self._lock:
            if key in self.objects:
                return False
            self.objects[key] = bytes(data)
            return True

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self.objects.get(key)

    def exists(self, key: str) -> bool:
        with self._lock:
            return key in self.objects

    def list_keys(self, prefix: str) -> list[str]:
        with self._lock:
            return sorted(k for k in self.objects if k.startswith(prefix))

    def list_page(self, prefix: str, *, start_after: str | None, limit: int) -> list[str]:
        with self._lock:
            keys = sorted(k for k in self.objects if k.startswith(prefix))
        return [k for k in keys if start_after is None or k > start_after][:limit]
