"""Use case: send a run's dead-lettered shard messages back to the shard queue (docs/runbook.md §6).

Safe to repeat: a shard whose success outcome exists is skipped by the worker, so a message that
arrives twice costs a receive, never a wrong result.
"""

from __future__ import annotations

from ports.dead_letters import DeadLetters, RedriveMethod, RedriveResult


def redrive_dead_letters(*, dead_letters: DeadLetters, method: RedriveMethod = "auto") -> RedriveResult:
    return dead_letters.move_back(method)
