"""Shard queue, dead-letter queue, the runtime Lambda and its SQS event source."""

from __future__ import annotations

import re

from tests.infra.conftest import Terraform, expression


def visibility_factor(tf: Terraform) -> int:
    shards = tf.resource("aws_sqs_queue", "shards")
    reference = expression(shards["visibility_timeout_seconds"])
    assert reference == "local.shard_visibility_timeout_seconds"
    formula = expression(tf.locals["shard_visibility_timeout_seconds"])
    match = re.fullmatch(r"(\d+) \* var\.lambda_timeout_seconds", formula or "")
    assert match, f"visibility timeout must be a multiple of the function timeout: {formula}"
    return int(match.group(1))


def test_visibility_timeout_is_at_least_six_function_timeouts(tf: Terraform) -> None:
    function = tf.resource("aws_lambda_function", "runtime")

    assert expression(function["timeout"]) == "var.lambda_timeout_seconds"
    assert visibility_factor(tf) >= 6


def test_visibility_timeout_stays_within_the_sqs_maximum_for_every_allowed_timeout(
    tf: Terraform,
) -> None:
    condition = tf.variables["lambda_timeout_seconds"]["validation"][0]["condition"]
    largest = int(re.search(r"var\.lambda_timeout_seconds <= (\d+)", condition).group(1))  # type: ignore[union-attr]

    assert visibility_factor(tf) * largest <= 43_200


def test_redrive_policy_moves_a_message_after_five_receives(tf: Terraform) -> None:
    policy = expression(tf.resource("aws_sqs_queue", "shards")["redrive_policy"]) or ""

    assert "deadLetterTargetArn = aws_sqs_queue.shards_dead_letter.arn" in policy
    assert "maxReceiveCount = local.max_receive_count" in policy
    assert tf.locals["max_receive_count"] == 5


def test_dead_letter_queue_allows_redrive_only_from_the_shard_queue(tf: Terraform) -> None:
    allow = tf.resource("aws_sqs_queue_redrive_allow_policy", "shards_dead_letter")

    assert expression(allow["queue_url"]) == "aws_sqs_queue.shards_dead_letter.id"
    policy = expression(allow["redrive_allow_policy"]) or ""
    assert 'redrivePermission = "byQueue"' in policy
    assert "sourceQueueArns = [aws_sqs_queue.shards.arn]" in policy


def test_both_queues_are_encrypted(tf: Terraform) -> None:
    for name in ("shards", "shards_dead_letter"):
        queue = tf.resource("aws_sqs_queue", name)
        assert queue.get("kms_master_key_id") or queue.get("sqs_managed_sse_enabled") is True, name


def test_dead_letter_queue_keeps_messages_longer_than_the_shard_queue(tf: Terraform) -> None:
    shards = tf.resource("aws_sqs_queue", "shards")
    dead = tf.resource("aws_sqs_queue", "shards_dead_letter")

    assert dead["message_retention_seconds"] > shards["message_retention_seconds"]
    assert shards["max_message_size"] == 256 * 1024


def test_event_source_mapping_reports_batch_item_failures(tf: Terraform) -> None:
    mapping = tf.resource("aws_lambda_event_source_mapping", "shards")

    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert expression(mapping["event_source_arn"]) == "aws_sqs_queue.shards.arn"
    assert expression(mapping["batch_size"]) == "var.sqs_batch_size"
    (scaling,) = mapping["scaling_config"]
    assert expression(scaling["maximum_concurrency"]) == "var.sqs_maximum_concurrency"


def test_runtime_lambda_is_python312_arm64_by_default_with_the_one_handler(tf: Terraform) -> None:
    function = tf.resource("aws_lambda_function", "runtime")

    assert function["runtime"] == "python3.12"
    assert function["handler"] == "entrypoints.lambda_handler.handler"
    assert function["architectures"] == ["${var.lambda_architecture}"]
    assert tf.default("lambda_architecture") == "arm64"


def test_lambda_package_comes_from_the_zip_variable_through_s3(tf: Terraform) -> None:
    function = tf.resource("aws_lambda_function", "runtime")
    package = tf.resource("aws_s3_object", "runtime_package")

    assert "filename" not in function, "upload the package through S3, not directly"
    assert expression(function["s3_key"]) == "aws_s3_object.runtime_package.key"
    assert expression(package["source"]) == "var.runtime_lambda_zip"
    assert "filebase64sha256(var.runtime_lambda_zip)" in function["source_code_hash"]
    assert "filesha256(var.runtime_lambda_zip)" in package["key"], "each build its own object"


def test_lambda_writes_to_its_explicit_log_group_with_retention(tf: Terraform) -> None:
    function = tf.resource("aws_lambda_function", "runtime")
    group = tf.resource("aws_cloudwatch_log_group", "runtime")

    (logging,) = function["logging_config"]
    assert expression(logging["log_group"]) == "aws_cloudwatch_log_group.runtime.name"
    assert expression(group["name"]) == "local.runtime_log_group_name"
    assert tf.locals["runtime_log_group_name"] == "/aws/lambda/${local.function_name}"
    assert expression(group["retention_in_days"]) == "var.log_retention_days"


def test_logs_insights_queries_cover_a_run_and_failures_by_error_code(tf: Terraform) -> None:
    queries = tf.of_type("aws_cloudwatch_query_definition")

    assert expression(queries["run_story"]["query_string"]) == "local.run_story_query"
    failures = queries["failures_by_error_code"]["query_string"]
    assert "by error_code" in failures and "ispresent(error_code)" in failures


def test_no_policy_is_a_json_literal(tf: Terraform) -> None:
    # Policies come from aws_iam_policy_document or jsonencode, which the IAM tests can read.
    for name, text in tf.texts.items():
        assert '"Statement"' not in text, f"{name}: a literal JSON policy dodges the IAM tests"
