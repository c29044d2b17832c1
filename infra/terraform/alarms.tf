# Alarms on what needs a person: shards the service gave up on (dead-letter queue), shards that
# fail, a worker that crashes or is throttled, and a queue nobody drains. Every alarm notifies one
# SNS topic when it fires and when it clears; docs/runbook.md §8 says what to do for each.

locals {
  alarm_prefix  = "${var.project_name}-"
  alarm_runbook = "What to do: docs/runbook.md §8"

  # failures / (failures + finished) in percent, over the metrics ids `failed` and `finished`; with
  # no shard outcome in the window the rate is 0, not missing, so a quiet stack stays OK.
  shard_failure_rate_expression = "IF(FILL(failed, 0) + FILL(finished, 0) > 0, 100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(finished, 0)), 0)"
}

# ---------------------------------------------------------------------------------------------
# The topic. Encrypted with the stack's key, whose policy lets CloudWatch use it (kms.tf).

resource "aws_sns_topic" "alarms" {
  name              = "${var.project_name}-alarms"
  display_name      = "${var.project_name} alarms"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid     = "CloudWatchAlarmsOfThisStackPublish"
    effect  = "Allow"
    actions = ["sns:Publish"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    resources = [aws_sns_topic.alarms.arn]
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.alarm_prefix}*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# Each address gets a confirmation mail; nothing is delivered until its link is followed.
resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------------------------
# Alarms. All fire above their threshold, notify the topic when they fire and when they clear, and
# read missing data as healthy: SQS stops sending metrics for a queue that stays empty for hours,
# and a Lambda that is not invoked sends none.

locals {
  # The alarms on one metric each. The failure rate, metric math over two metrics, is below.
  metric_alarms = {
    dead_letter_messages = {
      name        = "shards-dead-lettered"
      description = "Shard messages are waiting in the dead-letter queue: their shards failed every receive and will not run until redriven."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.shards_dead_letter.name }
      statistic   = "Maximum"
      period      = 60
      threshold   = 0
    }
    # The handler turns every failure a caller or a shard can cause into an answer or an outcome,
    # so a Lambda error is a crash: a timeout, memory exhausted, an import or start-up failure.
    lambda_errors = {
      name        = "lambda-errors"
      description = "The runtime Lambda crashed (timeout, out of memory, start-up failure) in the last five minutes."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = aws_lambda_function.runtime.function_name }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    }
    lambda_throttles = {
      name        = "lambda-throttles"
      description = "Invocations of the runtime Lambda were throttled in the last five minutes: API callers got errors or shards waited."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = aws_lambda_function.runtime.function_name }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    }
    # A message that is retried keeps its first enqueue time, so age counts retries too: one
    # transient failure already adds a visibility timeout (six function timeouts) to a shard's age.
    shard_queue_age = {
      name        = "shard-queue-age"
      description = "The oldest shard message has waited more than ${var.shard_queue_age_alarm_seconds} s: workers are not keeping up, or shards keep being retried."
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = aws_sqs_queue.shards.name }
      statistic   = "Maximum"
      period      = 300
      threshold   = var.shard_queue_age_alarm_seconds
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.metric_alarms

  alarm_name        = "${local.alarm_prefix}${each.value.name}"
  alarm_description = "${each.value.description} ${local.alarm_runbook}"

  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = [aws_sns_topic.alarms.arn]
  ok_actions      = [aws_sns_topic.alarms.arn]
}

# The failure rate over five minutes, from the metric filters of logs.tf.
resource "aws_cloudwatch_metric_alarm" "shard_failure_rate" {
  alarm_name        = "${local.alarm_prefix}shard-failure-rate"
  alarm_description = "More than ${var.shard_failure_rate_alarm_percent}% of the shards that ended in five minutes recorded a failure outcome (cancelled shards not counted). ${local.alarm_runbook}"

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.shard_failure_rate_alarm_percent
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failure_rate"
    label       = "Failed shards (% of ended)"
    expression  = local.shard_failure_rate_expression
    return_data = true
  }

  metric_query {
    id = "failed"
    metric {
      namespace   = local.metrics_namespace
      metric_name = aws_cloudwatch_log_metric_filter.shard_failed.metric_transformation[0].name
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "finished"
    metric {
      namespace   = local.metrics_namespace
      metric_name = aws_cloudwatch_log_metric_filter.shard_finished.metric_transformation[0].name
      stat        = "Sum"
      period      = 300
    }
  }

  actions_enabled = true
  alarm_actions   = [aws_sns_topic.alarms.arn]
  ok_actions      = [aws_sns_topic.alarms.arn]
}
