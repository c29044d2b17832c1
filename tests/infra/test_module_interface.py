"""Variables (with validation) and outputs of the module; formatting."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.infra.conftest import TERRAFORM_DIR, Terraform

SEED_VARIABLES = {
    "aws_region",
    "project_name",
    "results_bucket_name",
    "results_prefix",
    "runtime_lambda_zip",
    "max_shards",
    "athena_database",
    "athena_table_prefix",
}
OUTPUTS = {
    "api_url",
    "results_bucket",
    "shard_queue_url",
    "dead_letter_queue_url",
    "athena_workgroup",
    "athena_query_policy_arn",
    "operator_policy_arn",
    "alarm_topic_arn",
    "dashboard_name",
    "dashboard_url",
    "run_story_query_name",
}
FILES = {
    "s3.tf",
    "sqs.tf",
    "lambda.tf",
    "api_gateway.tf",
    "glue_athena.tf",
    "iam.tf",
    "logs.tf",
    "alarms.tf",
    "dashboard.tf",
    "variables.tf",
    "outputs.tf",
    "versions.tf",
}


def test_module_is_split_by_concern(tf: Terraform) -> None:
    assert set(tf.texts) >= FILES
    assert all(tf.blocks[key] != "variables.tf" for key in tf.resources)


def test_seed_runbook_variables_exist(tf: Terraform) -> None:
    assert set(tf.variables) >= SEED_VARIABLES


def test_every_non_boolean_variable_is_validated(tf: Terraform) -> None:
    unvalidated = [
        name
        for name, body in tf.variables.items()
        if body.get("type") not in ("bool", "${bool}", "map(string)", "${map(string)}")
        and not body.get("validation")
    ]

    assert not unvalidated, f"variables without a validation block: {unvalidated}"


def test_every_variable_is_described_and_typed(tf: Terraform) -> None:
    for name, body in tf.variables.items():
        assert body.get("description"), name
        assert body.get("type"), name


def test_outputs_of_the_issue_exist(tf: Terraform) -> None:
    assert set(tf.outputs) >= OUTPUTS
    for name in OUTPUTS:
        assert tf.outputs[name].get("description"), name


def test_aws_provider_is_pinned_to_a_major_range(tf: Terraform) -> None:
    text = tf.texts["versions.tf"]

    assert 'source = "hashicorp/aws"' in text.replace("  ", " ")
    assert "< 7.0" in text


def test_no_secrets_or_account_ids_are_committed(tf: Terraform) -> None:
    import re

    for name, text in tf.texts.items():
        assert not re.search(r"\b\d{12}\b", text), f"{name}: a literal account id"
        assert not re.search(r"AKIA[0-9A-Z]{16}", text), f"{name}: an access key"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not on PATH")
def test_terraform_fmt_check_passes() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(TERRAFORM_DIR)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},  # fmt needs no CLI configuration
    )

    assert result.returncode == 0, f"terraform fmt would change: {result.stdout}"
