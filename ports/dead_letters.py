from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

RedriveMethod = Literal["auto", "move-task", "receive-send"]
"""auto: a server-side move task where the endpoint offers one, else receive → send → delete."""


@dataclass(frozen=True, slots=True)
class RedriveResult:
    moved: int
    method: Literal["move-task", "receive-send"]
    not_moved: int = 0
    by_run: Mapping[str, int] = field(default_factory=dict)
    """Messages moved per run id, where the method saw them (a move task moves them unseen)."""


def run_id_of_body(body: str | bytes) -> str | None:
    """The run id of a shard message body, read leniently (``None`` for a foreign body)."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    run_id = message.get("run_id") if isinstance(message, dict) else None
    return run_id if isinstance(run_id, str) else None


class DeadLetters(Protocol):
    """Shard messages that failed every receive, waiting to be sent back to the shard queue."""

    def move_back(self, method: RedriveMethod = "auto") -> RedriveResult:
        """Move every waiting message back; a message may arrive twice, never be lost."""
