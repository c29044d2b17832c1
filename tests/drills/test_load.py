"""Load and odd HTTP against the local server (``ridesweep serve``) on loopback."""

from __future__ import annotations

from tests.drills.load import load_drill, odd_http_drill
from tests.drills.scale import current_scale, drill_seed


def test_concurrent_submissions_are_accepted_exactly_once_and_never_answered_5xx() -> None:
    scale = current_scale()
    figures = load_drill(scale.load_submissions, scale.load_clients, drill_seed())
    assert figures.clean, figures
    assert figures.duplicates > 0 and figures.rejected > 0


def test_requests_no_client_should_send_are_answered_4xx_and_leave_no_trace() -> None:
    figures = odd_http_drill()
    assert figures.rejected == figures.inputs
