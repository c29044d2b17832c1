"""The events that tell a run's story have fixed names: every name is logged somewhere, and every
name the alarms, the dashboard and the runbook count on is one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrypoints.logs import STORY_EVENTS

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINTS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "entrypoints").rglob("*.py"))


@pytest.mark.parametrize("event", STORY_EVENTS)
def test_every_story_event_is_logged_by_an_entrypoint(event: str) -> None:
    assert re.search(rf'\.(info|warning|error|debug)\(\s*"{event}"', ENTRYPOINTS), event


def test_the_terraform_metric_filters_and_dashboard_count_story_events_only() -> None:
    terraform = "\n".join(p.read_text() for p in (ROOT / "infra" / "terraform").glob("*.tf"))
    named = set(re.findall(r'\$\.event = \\"(\w+)\\"', terraform))
    named |= {
        e
        for group in re.findall(r"filter event in \[([^\]]*)\]", terraform)
        for e in re.findall(r'(\w+)\\"', group)
    }

    assert named and named <= set(STORY_EVENTS), named - set(STORY_EVENTS)


def test_the_runbook_lists_every_story_event() -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")

    assert all(f"`{event}`" in runbook for event in STORY_EVENTS)
