"""The Athena/Glue definitions follow the Arrow schemas, are committed fresh, and read both layouts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from application.analytics.glue_tables import table_definitions
from application.results_codec import SCHEMAS
from domain.storage_keys import ALL_DATASETS, POINT_DATASETS, StorageKeys

REPO = Path(__file__).resolve().parents[2]
ATHENA = REPO / "infra" / "athena"
PARTITION_KEYS = {"run_date", "run_id", "status"}

# Written out here, independently of the generator: the Hive type that reads each Arrow type.
EXPECTED_TYPES: dict[pa.DataType, str] = {
    pa.int8(): "tinyint",
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.string(): "string",
    pa.bool_(): "boolean",
    pa.timestamp("ms", tz="UTC"): "timestamp",
    pa.decimal128(20, 0): "decimal(20,0)",
}


def committed_glue_tables() -> dict[str, dict[str, Any]]:
    tables = json.loads((ATHENA / "glue_tables.json").read_text(encoding="utf-8"))
    return {t["name"]: t for t in tables}


def ddl_table(dataset: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, str]]:
    """(columns, partition keys, table properties) parsed from the committed DDL file."""
    text = (ATHENA / "ddl" / f"{dataset}.sql").read_text(encoding="utf-8")
    body = re.search(r"CREATE EXTERNAL TABLE IF NOT EXISTS `(\w+)` \((.*?)\n\)\n", text, re.S)
    assert body is not None and body.group(1) == dataset
    columns = re.findall(r"^\s*`(\w+)` ([\w(),]+?),?$", body.group(2), re.M)
    partitions_text = re.search(r"PARTITIONED BY \((.*?)\)\n", text)
    assert partitions_text is not None
    partitions = re.findall(r"`(\w+)` (\w+)", partitions_text.group(1))
    properties = dict(re.findall(r"'([\w.]+)' = '([^']*)'", text.split("TBLPROPERTIES", 1)[1]))
    return columns, partitions, properties


def test_committed_glue_tables_and_ddl_are_fresh() -> None:
    from infra.athena.generate_tables import stale_files

    assert stale_files() == [], "run `make athena-tables` and commit the result"


@pytest.mark.parametrize("dataset", ALL_DATASETS)
def test_every_ddl_column_and_type_matches_the_arrow_schema(dataset: str) -> None:
    expected = [(f.name, EXPECTED_TYPES[f.type]) for f in SCHEMAS[dataset]]

    columns, partitions, _ = ddl_table(dataset)
    glue = committed_glue_tables()[dataset]

    assert columns == expected
    assert [(c["name"], c["type"]) for c in glue["columns"]] == expected
    assert [(p["name"], p["type"]) for p in glue["partition_keys"]] == partitions
    assert {name for name, _ in partitions} <= PARTITION_KEYS
    assert not {name for name, _ in columns} & PARTITION_KEYS, "partition keys are never file columns"


def test_glue_entries_have_the_shape_terraform_reads() -> None:
    for table in committed_glue_tables().values():
        assert set(table) == {
            "name", "columns", "partition_keys", "location_suffix",
            "storage_location_template_suffix", "projection",
        }
        assert set(table["projection"]) == {p["name"] for p in table["partition_keys"]}
        assert all(isinstance(v, str) for s in table["projection"].values() for v in s.values())


def substituted(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("${" + key + "}", value)
    assert "${" not in template, template
    return template


@pytest.mark.parametrize("dataset", POINT_DATASETS)
def test_the_location_template_holds_both_layouts_of_a_point_dataset(dataset: str) -> None:
    keys = StorageKeys("sweeps")
    _, _, properties = ddl_table(dataset)
    location = "s3://<results-bucket>/<results-prefix>/"
    assert properties["storage.location.template"].startswith(location)
    prefix = "sweeps/" + substituted(
        properties["storage.location.template"].removeprefix(location),
        run_date="2024-05-06", run_id="r-1", status="success",
    )

    per_point = keys.point_object(dataset, "2024-05-06", "r-1", 3, 17)
    per_shard = keys.shard_object(dataset, "2024-05-06", "r-1", 3)

    assert per_point.startswith(prefix) and per_shard.startswith(prefix)
    # below the partition, only shard_id=/point_index= directories: columns of the files, not keys
    for key in (per_point, per_shard):
        segments = key.removeprefix(prefix).split("/")[:-1]
        assert {s.split("=")[0] for s in segments} <= {"shard_id", "point_index"}
        assert {"shard_id", "point_index"} <= set(SCHEMAS[dataset].names)


def test_projection_covers_every_status_date_and_run_the_store_writes() -> None:
    keys = StorageKeys("")
    for table in table_definitions():
        projection = table["projection"]
        assert projection["run_date"]["type"] == "date"
        assert projection["run_date"]["format"] == "yyyy-MM-dd"
        assert projection["run_date"]["range"].endswith(",NOW")
        assert projection["run_id"] == {"type": "injected"}
        if table["name"] == "run_context":
            assert "status" not in projection
            template = substituted(
                table["storage_location_template_suffix"], run_date="2024-05-06", run_id="r"
            )
            assert keys.run_context("2024-05-06", "r").startswith(template)
            continue
        assert projection["status"] == {"type": "enum", "values": "success,failure"}
    for status in ("success", "failure"):
        outcomes = committed_glue_tables()["shard_outcomes"]["storage_location_template_suffix"]
        template = substituted(outcomes, run_date="2024-05-06", run_id="r", status=status)
        assert keys.outcome("2024-05-06", "r", status, 0).startswith(template)  # type: ignore[arg-type]
