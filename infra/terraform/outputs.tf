output "api_url" {
  description = "Invoke URL of the API stage: POST and GET <api_url>/sweep-run, GET and DELETE <api_url>/sweep-run/<run_id>."
  value       = aws_api_gateway_stage.sweep.invoke_url
}

output "results_bucket" {
  description = "S3 bucket of the results (SWEEP_RESULTS_BUCKET)."
  value       = aws_s3_bucket.results.id
}

output "results_prefix" {
  description = "Key prefix of the results (SWEEP_RESULTS_PREFIX)."
  value       = local.results_prefix
}

output "shard_queue_url" {
  description = "URL of the shard queue (SHARD_QUEUE_URL)."
  value       = aws_sqs_queue.shards.url
}

output "dead_letter_queue_url" {
  description = "URL of the shard dead-letter queue; redrive it after fixing a transient cause."
  value       = aws_sqs_queue.shards_dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the shard dead-letter queue (aws sqs start-message-move-task --source-arn)."
  value       = aws_sqs_queue.shards_dead_letter.arn
}

output "athena_workgroup" {
  description = "Athena workgroup with the enforced result location and scan cutoff."
  value       = aws_athena_workgroup.results.name
}

output "athena_database" {
  description = "Glue database of the result tables."
  value       = aws_glue_catalog_database.results.name
}

output "athena_query_policy_arn" {
  description = "Managed policy to attach to analysts who query results with Athena."
  value       = aws_iam_policy.athena_query.arn
}

output "operator_policy_arn" {
  description = "Managed policy to attach to operators: call the API, read runs, ridesweep logs (Logs Insights), cancel, redrive."
  value       = aws_iam_policy.operator.arn
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (KMS-encrypted); subscribe with alarm_emails or aws sns subscribe."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of queues, shard outcomes and the runtime Lambda."
  value       = aws_cloudwatch_dashboard.operations.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = local.dashboard_url
}

output "run_story_query_name" {
  description = "Saved Logs Insights query of one run's story (replace RUN_ID); ridesweep logs RUN runs the same query."
  value       = aws_cloudwatch_query_definition.run_story.name
}

output "lambda_function_name" {
  description = "Name of the runtime Lambda (API and worker)."
  value       = aws_lambda_function.runtime.function_name
}

output "lambda_package_key" {
  description = "S3 key of the deployed Lambda package (its name carries the zip's SHA-256)."
  value       = aws_s3_object.runtime_package.key
}

output "runtime_log_group" {
  description = "Log group of the runtime Lambda."
  value       = aws_cloudwatch_log_group.runtime.name
}

output "api_access_log_group" {
  description = "Log group of the API access logs."
  value       = aws_cloudwatch_log_group.api_access.name
}
