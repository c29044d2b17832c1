"""Results bucket, Glue tables (from infra/athena/glue_tables.json) and the Athena workgroup."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import ROOT, Terraform, expression

GLUE_TABLES_PATH = ROOT / "infra" / "athena" / "glue_tables.json"
DATASETS = {
    "run_context",
    "shard_metrics",
    "trip_data",
    "snapshot_counts",
    "effective_parameters",
    "shard_outcomes",
}


@pytest.fixture(scope="module")
def glue_tables() -> list[dict[str, Any]]:
    tables: list[dict[str, Any]] = json.loads(GLUE_TABLES_PATH.read_text(encoding="utf-8"))
    return tables


def test_all_public_access_is_blocked_on_both_buckets(tf: Terraform) -> None:
    for name in ("results", "access_logs"):
        block = tf.resource("aws_s3_bucket_public_access_block", name)
        assert expression(block["bucket"]) == f"aws_s3_bucket.{name}.id"
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            assert block[flag] is True, f"{name}: {flag}"


def test_results_bucket_policy_denies_plain_http_and_other_accounts(tf: Terraform) -> None:
    statements = {s["sid"]: s for s in tf.policy_document("results_bucket")}

    tls = statements["DenyInsecureTransport"]
    assert tls["effect"] == "Deny"
    assert tls["condition"][0] == {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
    others = statements["DenyOtherAccounts"]
    assert others["effect"] == "Deny"
    assert others["condition"][0]["test"] == "StringNotEquals"
    assert others["condition"][0]["variable"] == "aws:PrincipalAccount"
    assert others["condition"][0]["values"] == ["${local.account_id}"]
    for statement in (tls, others):
        assert set(statement["resources"]) == {
            "${aws_s3_bucket.results.arn}",
            "${aws_s3_bucket.results.arn}/*",
        }


def test_results_bucket_is_encrypted_versioned_and_aborts_stale_uploads(tf: Terraform) -> None:
    (rule,) = tf.resource("aws_s3_bucket_server_side_encryption_configuration", "results")["rule"]
    (default,) = rule["apply_server_side_encryption_by_default"]
    versioning = tf.resource("aws_s3_bucket_versioning", "results")
    lifecycle = tf.resource("aws_s3_bucket_lifecycle_configuration", "results")

    assert default["sse_algorithm"] == "aws:kms"
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    aborts = [r for r in lifecycle["rule"] if r.get("abort_incomplete_multipart_upload")]
    assert aborts and aborts[0]["status"] == "Enabled"


def test_terraform_declares_exactly_the_tables_of_glue_tables_json(
    tf: Terraform, glue_tables: list[dict[str, Any]]
) -> None:
    table = tf.resource("aws_glue_catalog_table", "results")
    names = {t["name"] for t in glue_tables}

    assert expression(table["for_each"]) == "local.glue_tables"
    assert 'jsondecode(file("${path.module}/../athena/glue_tables.json"))' in tf.locals["glue_tables"]
    assert "table.name => table" in tf.locals["glue_tables"]
    assert names == DATASETS
    assert len(names) == len(glue_tables), "a dataset is listed twice"


def test_glue_tables_json_has_the_shape_terraform_reads(glue_tables: list[dict[str, Any]]) -> None:
    for table in glue_tables:
        name = table["name"]
        keys = [k["name"] for k in table["partition_keys"]]
        assert keys == (
            ["run_date", "run_id"] if name == "run_context" else ["run_date", "run_id", "status"]
        ), name
        assert all(k["type"] == "string" for k in table["partition_keys"])
        assert table["location_suffix"] == f"dataset={name}/"
        template = table["storage_location_template_suffix"]
        assert template.startswith(f"dataset={name}/run_date=${{run_date}}/run_id=${{run_id}}/")
        assert ("status=${status}/" in template) == ("status" in keys)
        columns = [c["name"] for c in table["columns"]]
        assert columns and not set(columns) & set(keys), f"{name}: a partition key is a column"
        assert all(isinstance(c["type"], str) and c["type"] for c in table["columns"])


def test_projection_is_date_injected_and_enum(glue_tables: list[dict[str, Any]]) -> None:
    for table in glue_tables:
        projection = table["projection"]
        assert projection["run_date"]["type"] == "date"
        assert projection["run_date"]["format"] == "yyyy-MM-dd"
        assert projection["run_id"]["type"] == "injected"
        if "status" in projection:
            assert projection["status"]["type"] == "enum"
            assert set(projection["status"]["values"].split(",")) == {"success", "failure"}
        assert set(projection) == {k["name"] for k in table["partition_keys"]}


def test_glue_tables_are_parquet_with_projection_and_a_location_template(tf: Terraform) -> None:
    table = tf.resource("aws_glue_catalog_table", "results")
    parameters = table["parameters"]
    (storage,) = table["storage_descriptor"]
    (serde,) = storage["ser_de_info"]

    assert table["table_type"] == "EXTERNAL_TABLE"
    assert '"projection.enabled" = "true"' in parameters
    assert (
        '"storage.location.template" = "${local.results_s3}/${each.value.storage_location_template_suffix}"'
        in parameters
    )
    assert '"projection.${key}.${setting}"' in parameters and "each.value.projection" in parameters
    assert serde["serialization_library"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert storage["input_format"].endswith("MapredParquetInputFormat")
    assert storage["location"] == "${local.results_s3}/${each.value.location_suffix}"
    assert tf.locals["results_s3"] == "s3://${aws_s3_bucket.results.id}/${local.results_prefix}"


def test_athena_workgroup_enforces_result_location_and_scan_cutoff(tf: Terraform) -> None:
    workgroup = tf.resource("aws_athena_workgroup", "results")
    (configuration,) = workgroup["configuration"]
    (result,) = configuration["result_configuration"]

    assert configuration["enforce_workgroup_configuration"] is True
    assert expression(configuration["bytes_scanned_cutoff_per_query"]) == "var.athena_bytes_scanned_cutoff"
    assert result["output_location"].startswith("s3://${aws_s3_bucket.results.id}/")
    assert result["encryption_configuration"][0]["encryption_option"] == "SSE_KMS"
