# One runtime Lambda serves both paths: API Gateway proxy events (submit, list, status, cancel)
# and SQS shard messages (worker). entrypoints.lambda_handler.handler routes by event shape.

locals {
  # docs/contract.md §6 plus the backend switch; names must be fields of entrypoints.settings.Settings
  # (tests/infra checks it).
  runtime_environment = {
    SWEEP_BACKEND           = "aws"
    SHARD_QUEUE_URL         = aws_sqs_queue.shards.url
    SWEEP_RESULTS_BUCKET    = aws_s3_bucket.results.id
    SWEEP_RESULTS_PREFIX    = local.results_prefix
    MAX_SHARDS              = tostring(var.max_shards)
    MAX_TOTAL_POINTS        = tostring(var.max_total_points)
    ALLOW_FAILURE_INJECTION = var.allow_failure_injection ? "true" : "false"
    LOG_LEVEL               = var.log_level
    # What the 202 answer checks shard estimates against; the worker reads its own invocation's
    # remaining time from the Lambda context.
    WORKER_TIMEOUT_SECONDS = tostring(var.lambda_timeout_seconds)
    # The receive after which a transient failure is logged as shard_dead_lettered, not retried.
    SHARD_MAX_RECEIVE_COUNT = tostring(local.max_receive_count)
  }
}

resource "aws_lambda_function" "runtime" {
  function_name = local.function_name
  description   = "ridesweep API (submit, list, status, cancel) and shard worker"
  role          = aws_iam_role.runtime.arn

  runtime       = "python3.12"
  architectures = [var.lambda_architecture]
  handler       = "entrypoints.lambda_handler.handler"
  memory_size   = var.lambda_memory_mb
  timeout       = var.lambda_timeout_seconds

  s3_bucket        = aws_s3_object.runtime_package.bucket
  s3_key           = aws_s3_object.runtime_package.key
  source_code_hash = filebase64sha256(var.runtime_lambda_zip)

  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = aws_kms_key.data.arn

  environment {
    variables = local.runtime_environment
  }

  logging_config {
    log_format = "Text" # structlog already writes one JSON object per line
    log_group  = aws_cloudwatch_log_group.runtime.name
  }

  tracing_config {
    mode = "Active"
  }

  #checkov:skip=CKV_AWS_115:Concurrency is capped where it matters: scaling_config.maximum_concurrency on the SQS source and stage throttling on the API; reserving by default would fail on new accounts whose quota is 10 (set lambda_reserved_concurrency to reserve).
  #checkov:skip=CKV_AWS_116:No asynchronous invocations: API Gateway calls synchronously and SQS failures go to the shard queue's own dead-letter queue.
  #checkov:skip=CKV_AWS_117:The function only calls S3, SQS and CloudWatch public endpoints over TLS with IAM; a VPC would add NAT or endpoint cost and cold-start latency without protecting anything.
  #checkov:skip=CKV_AWS_272:The zip is built reproducibly by infra/build_lambda.sh and uploaded by terraform; AWS Signer is not part of this pipeline.

  depends_on = [
    aws_iam_role_policy.runtime,
    aws_cloudwatch_log_group.runtime,
  ]
}

resource "aws_lambda_event_source_mapping" "shards" {
  event_source_arn = aws_sqs_queue.shards.arn
  function_name    = aws_lambda_function.runtime.arn
  batch_size       = var.sqs_batch_size
  enabled          = true

  # The worker returns {"batchItemFailures": [...]}: only transiently failed shards are retried.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_maximum_concurrency
  }
}

# One permission per route: API Gateway may invoke the function for these four and nothing else.
locals {
  api_routes = {
    submit = { statement = "AllowApiGatewaySubmit", route = "POST/sweep-run" }
    list   = { statement = "AllowApiGatewayList", route = "GET/sweep-run" }
    status = { statement = "AllowApiGatewayStatus", route = "GET/sweep-run/*" }
    cancel = { statement = "AllowApiGatewayCancel", route = "DELETE/sweep-run/*" }
  }
}

resource "aws_lambda_permission" "api" {
  for_each = local.api_routes

  statement_id  = each.value.statement
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.runtime.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.sweep.execution_arn}/${var.api_stage_name}/${each.value.route}"
}

# The submit and status permissions were single resources before the routes became a map; these
# keep an existing deployment's permissions in place instead of replacing them.
moved {
  from = aws_lambda_permission.api_submit
  to   = aws_lambda_permission.api["submit"]
}

moved {
  from = aws_lambda_permission.api_status
  to   = aws_lambda_permission.api["status"]
}
