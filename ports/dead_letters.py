from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

RedriveMethod = Literal["auto", "move-task", "receive-send"]
"""auto: a server-side move task where the endpoint offers one, else receive → send → delete."""


@dataclass(frozen=True, slots=True)
class RedriveResult:
    moved: int
    method: Literal["move-task", "receive-send"]
    not_moved: int = 0


class DeadLetters(Protocol):
    """Shard messages that failed every receive, waiting to be sent back to the shard queue."""

    def move_back(self, method: RedriveMethod = "auto") -> RedriveResult:
        """Move every waiting message back; a message may arrive twice, never be lost."""
