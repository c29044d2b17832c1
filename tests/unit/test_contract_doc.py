"""docs/contract.md names every field, column, setting and failure code the code has, so the page a
user reads cannot fall behind the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from application.results_codec import SCHEMAS
from domain.contract import ShardMessage, SweepRequest
from domain.parameters import PARAMETERS
from domain.simulation.outputs import METRIC_COLUMNS, SNAPSHOT_COLUMNS, TRIP_COLUMNS
from entrypoints.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
SIMULATION_COLUMNS = {c.name for c in (*METRIC_COLUMNS, *TRIP_COLUMNS, *SNAPSHOT_COLUMNS)}


def section(number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## \d+\. |\Z)", DOC, flags=re.M | re.S)
    assert match, f"docs/contract.md has no section {number}"
    return match.group(0)


@pytest.mark.parametrize("name", sorted(SweepRequest.model_fields))
def test_every_request_field_has_its_rule(name: str) -> None:
    assert f"| `{name}`" in section(1) or f"`{name}` /" in section(1) or f"/ `{name}`" in section(1)


@pytest.mark.parametrize("name", sorted(ShardMessage.model_fields))
def test_every_shard_message_field_is_described(name: str) -> None:
    assert f"`{name}`" in section(3)


@pytest.mark.parametrize(
    ("dataset", "column"),
    [
        (dataset, f.name)
        for dataset, schema in SCHEMAS.items()
        for f in schema
        if f.name not in SIMULATION_COLUMNS and f.name not in PARAMETERS
    ],
)
def test_every_column_outside_the_model_is_listed_with_its_dataset(dataset: str, column: str) -> None:
    row = next(line for line in section(5).splitlines() if line.startswith(f"| `{dataset}`"))
    assert f"`{column}`" in row or column == "record_schema"


@pytest.mark.parametrize("name", sorted(Settings.env_names()))
def test_every_setting_is_listed(name: str) -> None:
    assert f"| `{name}`" in section(6)


def test_every_failure_code_of_the_worker_is_explained() -> None:
    source = (ROOT / "application" / "execute_shard.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'ShardFailure\(\s*"([a-z_]+)"', source))
    assert codes >= {"model_mismatch", "fingerprint_mismatch"}
    for code in codes:
        assert f"| `{code}`" in section(4), code


def test_the_doc_sends_users_nowhere_outside_the_repository() -> None:
    assert not re.search(r"CONTRACT\.md|SIMULATION\.md|shared/", DOC)
