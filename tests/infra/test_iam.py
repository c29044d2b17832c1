"""IAM least privilege: no wildcard actions, and only the resources the issue allows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.conftest import Terraform
from tests.infra.iam_simulator import (
    SAMPLE_ATTRIBUTES,
    allowed,
    bucket_arn,
    object_arn,
    resolve,
)

ALL_DOCUMENTS = [
    "runtime",
    "runtime_assume",
    "athena_query",
    "operator",
    "kms_key",
    "results_bucket",
    "access_logs_bucket",
    "alarm_topic",
    "cancellation_markers_only_created",
    "list_results_under_prefix",
]

# The runtime role: put/get/list under the results prefix, its own queue, its own log group,
# the data key, and X-Ray (which has no resource-level permissions).
RUNTIME_RESOURCES = {
    "${local.cancellation_marker_arn}",
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
        if s3_object_actions and statement.get("effect", "Allow") == "Allow":
            assert statement["resources"] == ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
        elif s3_object_actions:  # a Deny narrows writes; it must still name keys under the prefix
            assert all(resolve(r, tf).startswith(object_arn("sweeps/")) for r in statement["resources"])
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
    allowed_star = {("runtime", "XRayTraces"), ("operator", "StopAQueryThatTimedOut")} | {
        ("kms_key", s.get("sid")) for s in statements(tf, "kms_key")
    }
    for document in ("runtime", "athena_query", "operator", "kms_key"):
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


# --- what the roles may do, asked of the policies ----------------------------------------------

MARKER = "sweeps/runs/run_id=demo-run-001/cancelled.json"
CONDITIONAL = {"s3:if-none-match": "*"}
RUNTIME_LOG_GROUP = SAMPLE_ATTRIBUTES["aws_cloudwatch_log_group.runtime.arn"]
API_LOG_GROUP = SAMPLE_ATTRIBUTES["aws_cloudwatch_log_group.api_access.arn"]


@pytest.mark.parametrize("document", ["runtime", "operator"])
def test_a_cancellation_marker_can_only_be_created_never_overwritten(tf: Terraform, document: str) -> None:
    assert allowed(tf, document, "s3:PutObject", object_arn(MARKER), CONDITIONAL)
    assert not allowed(tf, document, "s3:PutObject", object_arn(MARKER)), (
        f"{document}: a put without If-None-Match would overwrite the first cancel"
    )


def test_runtime_writes_results_unconditionally_and_nothing_outside_the_prefix(tf: Terraform) -> None:
    part = (
        "sweeps/dataset=shard_outcomes/run_date=2026-01-01/run_id=r/status=success/shard_id=0/part-0.parquet"
    )

    assert allowed(tf, "runtime", "s3:PutObject", object_arn(part))
    assert allowed(
        tf, "runtime", "s3:PutObject", object_arn("sweeps/runs/run_id=r/manifest.json"), CONDITIONAL
    )
    assert not allowed(tf, "runtime", "s3:PutObject", object_arn("deploy/lambda/runtime.zip"))
    assert not allowed(tf, "runtime", "s3:DeleteObject", object_arn(MARKER))


@pytest.mark.parametrize("document", ["runtime", "operator"])
def test_runs_are_listed_under_the_prefix_only(tf: Terraform, document: str) -> None:
    assert allowed(tf, document, "s3:ListBucket", bucket_arn(), {"s3:prefix": "sweeps/runs/"})
    assert allowed(tf, document, "s3:ListBucket", bucket_arn(), {"s3:prefix": "sweeps/runs/run_id=r/"})
    assert not allowed(tf, document, "s3:ListBucket", bucket_arn(), {"s3:prefix": "deploy/"})
    assert not allowed(tf, document, "s3:ListBucket", bucket_arn()), "a listing without a prefix"


def test_the_runtime_role_cannot_query_logs(tf: Terraform) -> None:
    # `ridesweep logs` runs with a person's credentials; the service never reads its own logs.
    used = {a for s in statements(tf, "runtime") for a in s["actions"]}

    assert not {"logs:StartQuery", "logs:GetQueryResults"} & used


def test_operators_query_the_runtime_log_group_and_no_other(tf: Terraform) -> None:
    for action in ("logs:StartQuery", "logs:GetQueryResults", "logs:FilterLogEvents"):
        assert allowed(tf, "operator", action, RUNTIME_LOG_GROUP), action
        assert allowed(tf, "operator", action, f"{RUNTIME_LOG_GROUP}:*"), action
        assert not allowed(tf, "operator", action, API_LOG_GROUP), action
    assert allowed(tf, "operator", "logs:StopQuery", "*")


def test_operators_call_every_route_of_the_stage_only(tf: Terraform) -> None:
    api = SAMPLE_ATTRIBUTES["aws_api_gateway_rest_api.sweep.execution_arn"]
    for route in ("POST/sweep-run", "GET/sweep-run", "GET/sweep-run/r1", "DELETE/sweep-run/r1"):
        assert allowed(tf, "operator", "execute-api:Invoke", f"{api}/v1/{route}"), route
    assert not allowed(tf, "operator", "execute-api:Invoke", f"{api}/other-stage/GET/sweep-run")


def test_operators_redrive_from_the_dead_letter_queue_into_the_shard_queue(tf: Terraform) -> None:
    dlq = SAMPLE_ATTRIBUTES["aws_sqs_queue.shards_dead_letter.arn"]
    shards = SAMPLE_ATTRIBUTES["aws_sqs_queue.shards.arn"]

    for action in (
        "sqs:StartMessageMoveTask",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ):
        assert allowed(tf, "operator", action, dlq), action
    assert allowed(tf, "operator", "sqs:SendMessage", shards)
    assert not allowed(tf, "operator", "sqs:ReceiveMessage", shards), "operators must not steal shards"
    assert not allowed(tf, "operator", "sqs:PurgeQueue", dlq)


def test_operators_read_results_but_write_only_cancellation_markers(tf: Terraform) -> None:
    assert allowed(tf, "operator", "s3:GetObject", object_arn("sweeps/runs/run_id=r/manifest.json"))
    assert not allowed(
        tf, "operator", "s3:PutObject", object_arn("sweeps/runs/run_id=r/manifest.json"), CONDITIONAL
    )
    assert not allowed(tf, "operator", "s3:GetObject", object_arn("deploy/lambda/runtime.zip"))


def test_operator_policy_is_published(tf: Terraform) -> None:
    policy = tf.resource("aws_iam_policy", "operator")

    assert policy["policy"] == "${data.aws_iam_policy_document.operator.json}"
    assert tf.outputs["operator_policy_arn"]["value"] == "${aws_iam_policy.operator.arn}"
