# One dashboard for a person following runs: the alarms, the shard queue and its dead-letter queue,
# shard outcomes (from the metric filters of logs.tf) and the runtime Lambda. Its URL is the
# `dashboard_url` output.

locals {
  dashboard_name = "${var.project_name}-operations"

  # The console's host differs by partition (commercial, China, GovCloud).
  console_host = lookup(
    {
      aws-cn     = "console.amazonaws.cn"
      aws-us-gov = "console.amazonaws-us-gov.com"
    },
    local.partition,
    "console.aws.amazon.com",
  )
  dashboard_url = "https://${local.region}.${local.console_host}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${local.dashboard_name}"

  shard_queue_name       = aws_sqs_queue.shards.name
  dlq_name               = aws_sqs_queue.shards_dead_letter.name
  runtime_function_name  = aws_lambda_function.runtime.function_name
  shards_finished_metric = aws_cloudwatch_log_metric_filter.shard_finished.metric_transformation[0].name
  shards_failed_metric   = aws_cloudwatch_log_metric_filter.shard_failed.metric_transformation[0].name
  shards_failed_by_code  = aws_cloudwatch_log_metric_filter.shard_failed_by_error_code.metric_transformation[0].name

  # The metric panels, in reading order; the layout below puts them three to a row.
  metric_panels = [
    {
      title  = "Shard queue: messages"
      stat   = "Maximum"
      period = 60
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.shard_queue_name, { label = "waiting" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", local.shard_queue_name, { label = "being worked on" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesDelayed", "QueueName", local.shard_queue_name, { label = "delayed" }],
      ]
      yAxis = { left = { min = 0, label = "messages", showUnits = false } }
    },
    {
      title  = "Shard queue: age of the oldest message"
      stat   = "Maximum"
      period = 60
      metrics = [
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", local.shard_queue_name, { label = "oldest message (s)" }],
      ]
      annotations = { horizontal = [{ label = "alarm", value = var.shard_queue_age_alarm_seconds }] }
      yAxis       = { left = { min = 0, label = "seconds", showUnits = false } }
    },
    {
      title  = "Dead-letter queue: messages (any is an alarm)"
      stat   = "Maximum"
      period = 60
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.dlq_name, { label = "dead-lettered shards", color = "#d62728" }],
      ]
      yAxis = { left = { min = 0, label = "messages", showUnits = false } }
    },
    {
      title  = "Shards ended (per 5 minutes)"
      stat   = "Sum"
      period = 300
      metrics = [
        [local.metrics_namespace, local.shards_finished_metric, { label = "finished", color = "#2ca02c" }],
        [local.metrics_namespace, local.shards_failed_metric, { label = "failed (cancelled aside)", color = "#d62728" }],
      ]
      yAxis = { left = { min = 0, label = "shards", showUnits = false } }
    },
    {
      title  = "Shard failure rate (% of shards ended, 5 minutes)"
      stat   = "Sum"
      period = 300
      metrics = [
        [{ id = "rate", label = "failed %", expression = local.shard_failure_rate_expression }],
        [local.metrics_namespace, local.shards_failed_metric, { id = "failed", visible = false }],
        [local.metrics_namespace, local.shards_finished_metric, { id = "finished", visible = false }],
      ]
      annotations = { horizontal = [{ label = "alarm", value = var.shard_failure_rate_alarm_percent }] }
      yAxis       = { left = { min = 0, max = 100, label = "%", showUnits = false } }
    },
    {
      title  = "Failed shards by error code (per 5 minutes)"
      stat   = "Sum"
      period = 300
      metrics = [
        [{ id = "by_code", label = "", expression = "SEARCH('{\"${local.metrics_namespace}\",error_code} MetricName=\"${local.shards_failed_by_code}\"', 'Sum', 300)" }],
      ]
      yAxis = { left = { min = 0, label = "shards", showUnits = false } }
    },
    {
      title  = "Lambda duration"
      stat   = "Average"
      period = 60
      metrics = [
        ["AWS/Lambda", "Duration", "FunctionName", local.runtime_function_name, { label = "average" }],
        ["AWS/Lambda", "Duration", "FunctionName", local.runtime_function_name, { stat = "p99", label = "p99" }],
        ["AWS/Lambda", "Duration", "FunctionName", local.runtime_function_name, { stat = "Maximum", label = "maximum" }],
      ]
      annotations = { horizontal = [{ label = "timeout", value = var.lambda_timeout_seconds * 1000 }] }
      yAxis       = { left = { min = 0, label = "ms", showUnits = false } }
    },
    {
      title  = "Lambda errors and throttles"
      stat   = "Sum"
      period = 60
      metrics = [
        ["AWS/Lambda", "Errors", "FunctionName", local.runtime_function_name, { label = "errors", color = "#d62728" }],
        ["AWS/Lambda", "Throttles", "FunctionName", local.runtime_function_name, { label = "throttles", color = "#ff7f0e" }],
        ["AWS/Lambda", "Invocations", "FunctionName", local.runtime_function_name, { label = "invocations", yAxis = "right" }],
      ]
      yAxis = {
        left  = { min = 0, label = "errors, throttles", showUnits = false }
        right = { min = 0, label = "invocations", showUnits = false }
      }
    },
    {
      title  = "Lambda concurrency"
      stat   = "Maximum"
      period = 60
      metrics = [
        ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", local.runtime_function_name, { label = "concurrent executions" }],
      ]
      annotations = { horizontal = [{ label = "SQS maximum concurrency", value = var.sqs_maximum_concurrency }] }
      yAxis       = { left = { min = 0, label = "executions", showUnits = false } }
    },
  ]

  # One row of alarm states, the panels 8 columns wide and 6 high three to a row, then the latest
  # failures across the whole width.
  panel_rows = ceil(length(local.metric_panels) / 3)
  dashboard_widgets = concat(
    [{
      type   = "alarm"
      x      = 0
      y      = 0
      width  = 24
      height = 3
      properties = {
        title  = "Alarms (what to do: docs/runbook.md §8)"
        alarms = concat([for alarm in aws_cloudwatch_metric_alarm.metric : alarm.arn], [aws_cloudwatch_metric_alarm.shard_failure_rate.arn])
      }
    }],
    [for index, panel in local.metric_panels : {
      type       = "metric"
      x          = (index % 3) * 8
      y          = 3 + floor(index / 3) * 6
      width      = 8
      height     = 6
      properties = merge({ region = local.region, view = "timeSeries" }, panel)
    }],
    [{
      type   = "log"
      x      = 0
      y      = 3 + local.panel_rows * 6
      width  = 24
      height = 6
      properties = {
        title  = "Latest shard failures, retries and dead letters (the story of a run: ridesweep logs RUN)"
        region = local.region
        view   = "table"
        query  = "SOURCE '${aws_cloudwatch_log_group.runtime.name}' | fields @timestamp, event, run_id, shard_id, point_index, error_code, receive_count, message | filter event in [\"shard_failed\", \"shard_retried\", \"shard_dead_lettered\"] | sort @timestamp desc | limit 50"
      }
    }],
  )
}

resource "aws_cloudwatch_dashboard" "operations" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
