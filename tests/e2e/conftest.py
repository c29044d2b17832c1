from __future__ import annotations

import pytest

from tests.harness import Harness


@pytest.fixture
def harness() -> Harness:
    """The Lambda handler over in-memory adapters and a fixed clock."""
    return Harness()
