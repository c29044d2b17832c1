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

# Logs Insights queries, saved in the console under "ridesweep/". The handlers log JSON lines
# (structlog) with run_id, shard_id, aws_request_id and, on failures, error_code bound.
# Replace RUN_ID in the first query before running it.

resource "aws_cloudwatch_query_definition" "run_end_to_end" {
  name            = "${var.project_name}/one-run-end-to-end"
  log_group_names = [aws_cloudwatch_log_group.runtime.name, aws_cloudwatch_log_group.api_access.name]
  query_string    = <<-QUERY
    fields @timestamp, @log, level, event, run_id, shard_id, aws_request_id, error_code, status, @message
    | filter run_id = "RUN_ID" or @message like "RUN_ID"
    | sort @timestamp asc
    | limit 10000
  QUERY
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
