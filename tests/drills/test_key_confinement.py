"""Security: whatever the request, no object key lies outside ``<prefix>/``."""

from __future__ import annotations

from tests.drills.confinement import confinement_drill
from tests.drills.scale import current_scale, drill_seed


def test_no_request_message_or_key_reaches_outside_the_prefix() -> None:
    figures = confinement_drill(current_scale().confinement_examples, drill_seed())
    assert figures.misplaced == 0
    assert figures.verified > 0 and figures.rejected > 0
