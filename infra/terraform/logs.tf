# Log groups are declared explicitly (retention, encryption, deleted with the stack) instead of
# being created on first write by the services.

resource "aws_cloudwatch_log_group" "runtime" {
  name              = local.runtime_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = local.api_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}

# Logs Insights queries, saved in the console under "<project>/". The runtime logs one JSON object
# per line (structlog) carrying run_id, shard_id, point_index, aws_request_id, sqs_message_id and
# receive_count where known, and on failures error_code.

locals {
  # The story of one run, in time order. The same file is the query `ridesweep logs RUN` runs on
  # AWS, so the console and the CLI cannot drift apart; in the console, replace RUN_ID.
  run_story_query = file("${path.module}/../../adapters/aws/queries/run_story.logsinsights")
}

resource "aws_cloudwatch_query_definition" "run_story" {
  name            = "${var.project_name}/run-story"
  log_group_names = [aws_cloudwatch_log_group.runtime.name]
  query_string    = local.run_story_query
}

resource "aws_cloudwatch_query_definition" "failures_by_error_code" {
  name            = "${var.project_name}/failures-by-error-code"
  log_group_names = [aws_cloudwatch_log_group.runtime.name]
  query_string    = <<-QUERY
    fields @timestamp, error_code, run_id, shard_id
    | filter ispresent(error_code)
    | stats count(*) as failures, count_distinct(run_id) as runs, count_distinct(shard_id) as shards, latest(@timestamp) as last_seen by error_code
    | sort failures desc
  QUERY
}

resource "aws_cloudwatch_query_definition" "rejected_requests" {
  name            = "${var.project_name}/api-rejected-requests"
  log_group_names = [aws_cloudwatch_log_group.api_access.name]
  query_string    = <<-QUERY
    fields @timestamp, status, httpMethod, resourcePath, validationError, errorMessage, requestId
    | filter status >= 400
    | stats count(*) as requests by status, resourcePath, validationError
    | sort requests desc
  QUERY
}

# ---------------------------------------------------------------------------------------------
# Metrics from the run's story: one data point per shard outcome, for the failure-rate alarm and
# the dashboard. The event names are fixed for the service (docs/runbook.md lists them).

locals {
  metrics_namespace = "${var.project_name}/shards"
}

resource "aws_cloudwatch_log_metric_filter" "shard_finished" {
  name           = "${var.project_name}-shard-finished"
  log_group_name = aws_cloudwatch_log_group.runtime.name
  pattern        = "{ $.event = \"shard_finished\" }"

  metric_transformation {
    name          = "ShardsFinished"
    namespace     = local.metrics_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

# A shard the operator cancelled is recorded as a failure outcome too (error_code "cancelled"), but
# it is no fault of the service and must not page anyone: the filter leaves it out. An event that
# lacks error_code still counts (a comparison with a missing field does not match on its own).
resource "aws_cloudwatch_log_metric_filter" "shard_failed" {
  name           = "${var.project_name}-shard-failed"
  log_group_name = aws_cloudwatch_log_group.runtime.name
  pattern        = "{ ($.event = \"shard_failed\") && (($.error_code != \"cancelled\") || ($.error_code NOT EXISTS)) }"

  metric_transformation {
    name          = "ShardsFailed"
    namespace     = local.metrics_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

# The same failures split by error_code, for the dashboard (a metric filter with dimensions takes
# no default value, so the alarm uses the one above). Error codes are a short fixed list.
resource "aws_cloudwatch_log_metric_filter" "shard_failed_by_error_code" {
  name           = "${var.project_name}-shard-failed-by-error-code"
  log_group_name = aws_cloudwatch_log_group.runtime.name
  pattern        = "{ $.event = \"shard_failed\" }"

  metric_transformation {
    name      = "ShardsFailedByErrorCode"
    namespace = local.metrics_namespace
    value     = "1"
    unit      = "Count"
    dimensions = {
      error_code = "$.error_code"
    }
  }
}
