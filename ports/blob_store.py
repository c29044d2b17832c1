from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class BlobStore(Protocol):
    """Objects by key: the results store (S3, a local directory, or a dict in tests).

    Every method raises ``ports.errors.TransientError`` for failures that a retry may fix.
    """

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` at ``key``, replacing what is there; readers never see a partial object."""

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Write several objects; returns once all are written (adapters may write in parallel)."""

    def create_if_absent(self, key: str, data: bytes) -> bool:
        """Write only if ``key`` does not exist; ``False`` (nothing written) when it does."""

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or ``None`` when there is no object at ``key``."""

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str) -> list[str]:
        """Every key that starts with ``prefix``, sorted."""

    def list_page(self, prefix: str, *, start_after: str | None, limit: int) -> list[str]:
        """At most ``limit`` keys that start with ``prefix`` and sort after ``start_after``, sorted:
        one listing request however many keys the prefix holds (``limit`` ≤ 1,000)."""
