"""IAM least privilege: no wildcard actions, and only the resources the issue allows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.conftest import Terraform

ALL_DOCUMENTS = [
    "runtime",
    "runtime_assume",
    "athena_query",
    "kms_key",
    "results_bucket",
    "access_logs_bucket",
]

# The runtime role: put/get/list under the results prefix, its own queue, its own log group,
# the data key, and X-Ray (which has no resource-level permissions).
RUNTIME_RESOURCES = {
    "${aws_cloudwatch_log_group.runtime.arn}:*",
    "${aws_s3_bucket.results.arn}/${local.results_prefix}/*",
    "${aws_s3_bucket.results.arn}",
    "${aws_sqs_queue.shards.arn}",
    "${aws_kms_key.data.arn}",
    "*",
}
RUNTIME_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def statements(tf: Terraform, document: str) -> list[dict[str, Any]]:
    return tf.policy_document(document)


def test_every_policy_is_a_policy_document(tf: Terraform) -> None:
    documents = {name for (type_, name) in tf.data if type_ == "aws_iam_policy_document"}

    assert documents == set(ALL_DOCUMENTS)
    for text in tf.texts.values():
        assert '"Action"' not in text, "write policies as aws_iam_policy_document, not raw JSON"


@pytest.mark.parametrize("document", ALL_DOCUMENTS)
def test_no_allow_statement_has_a_wildcard_action(tf: Terraform, document: str) -> None:
    for statement in statements(tf, document):
        assert "not_actions" not in statement, f"{document}: NotAction grants everything else"
        if statement.get("effect", "Allow") == "Allow":
            wild = [a for a in statement["actions"] if "*" in a]
            assert not wild, f"{document}/{statement.get('sid')}: wildcard actions {wild}"


@pytest.mark.parametrize("document", ALL_DOCUMENTS)
def test_deny_statements_name_a_service_never_every_action(tf: Terraform, document: str) -> None:
    for statement in statements(tf, document):
        if statement.get("effect") == "Deny":
            assert "*" not in statement["actions"]
            assert all(re.fullmatch(r"[a-z0-9]+:[A-Za-z*]+", a) for a in statement["actions"])


def test_runtime_role_uses_only_its_own_resources_and_actions(tf: Terraform) -> None:
    used_resources = {r for s in statements(tf, "runtime") for r in s["resources"]}
    used_actions = {a for s in statements(tf, "runtime") for a in s["actions"]}

    assert used_resources <= RUNTIME_RESOURCES, used_resources - RUNTIME_RESOURCES
    assert used_actions <= RUNTIME_ACTIONS, used_actions - RUNTIME_ACTIONS


def test_runtime_s3_objects_are_confined_to_the_results_prefix(tf: Terraform) -> None:
    for statement in statements(tf, "runtime"):
        s3_object_actions = [a for a in statement["actions"] if a in ("s3:GetObject", "s3:PutObject")]
        if s3_object_actions:
            assert statement["resources"] == ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
        if "s3:ListBucket" in statement["actions"]:
            (condition,) = statement["condition"]
            assert condition["variable"] == "s3:prefix"
            assert all(v.startswith("${local.results_prefix}") for v in condition["values"])


def test_runtime_may_send_to_and_consume_only_its_own_queue(tf: Terraform) -> None:
    queue_statements = [
        s for s in statements(tf, "runtime") if any(a.startswith("sqs:") for a in s["actions"])
    ]

    assert queue_statements
    for statement in queue_statements:
        assert statement["resources"] == ["${aws_sqs_queue.shards.arn}"]


def test_star_resources_only_where_aws_accepts_nothing_narrower(tf: Terraform) -> None:
    allowed_star = {("runtime", "XRayTraces")} | {
        ("kms_key", s.get("sid")) for s in statements(tf, "kms_key")
    }
    for document in ("runtime", "athena_query", "kms_key"):
        for statement in statements(tf, document):
            if "*" in statement.get("resources", []):
                assert (document, statement.get("sid")) in allowed_star, (document, statement)


def test_every_star_resource_is_commented_where_it_stands(tf: Terraform) -> None:
    for name, text in tf.texts.items():
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if re.search(r'resources\s*=\s*\["\*"\]', line):
                previous = lines[number - 1].strip()
                assert previous.startswith("#"), f'{name}:{number + 1}: explain the "*" resource'


def test_analyst_policy_reads_results_and_writes_only_athena_results(tf: Terraform) -> None:
    policy = tf.resource("aws_iam_policy", "athena_query")
    assert policy["policy"] == "${data.aws_iam_policy_document.athena_query.json}"

    for statement in statements(tf, "athena_query"):
        writes = [a for a in statement["actions"] if a in ("s3:PutObject", "s3:AbortMultipartUpload")]
        if writes:
            assert statement["resources"] == ["${aws_s3_bucket.results.arn}/${local.athena_results_prefix}/*"]
        if any(a.startswith("athena:") for a in statement["actions"]):
            assert statement["resources"] == ["${aws_athena_workgroup.results.arn}"]


def test_runtime_role_is_assumed_only_by_lambda_of_this_account(tf: Terraform) -> None:
    (statement,) = statements(tf, "runtime_assume")

    assert statement["actions"] == ["sts:AssumeRole"]
    assert statement["principals"][0]["identifiers"] == ["lambda.amazonaws.com"]
    assert statement["condition"][0]["variable"] == "aws:SourceAccount"
