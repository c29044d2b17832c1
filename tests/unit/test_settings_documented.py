"""Every setting the code reads is documented, in the README and in docs/contract.md §6, and
nothing documented is a setting the code ignores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrypoints.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", ["README.md", "docs/contract.md"])
def test_the_settings_tables_list_exactly_the_settings_read(page: str) -> None:
    documented = set(
        re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / page).read_text(encoding="utf-8"), re.M)
    )

    assert documented == Settings.env_names()
