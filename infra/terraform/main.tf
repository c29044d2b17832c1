# Shared lookups and names. Resources live in the file of their concern (s3.tf, sqs.tf, ...).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = var.aws_region

  function_name = "${var.project_name}-runtime"

  results_bucket_name      = coalesce(var.results_bucket_name, "${var.project_name}-results-${local.account_id}-${local.region}")
  access_log_bucket_name   = "${var.project_name}-access-logs-${local.account_id}-${local.region}"
  results_prefix           = var.results_prefix
  artifacts_prefix         = "deploy/lambda"
  athena_results_prefix    = "athena-results"
  access_log_object_prefix = "s3-access/${local.results_bucket_name}/"

  # Log group names are spelled out (not read from the resources) because the KMS key policy,
  # which the log groups depend on, has to name them.
  runtime_log_group_name = "/aws/lambda/${local.function_name}"
  api_log_group_name     = "/aws/apigateway/${var.project_name}-access"
  log_group_arns = [
    for name in [local.runtime_log_group_name, local.api_log_group_name] :
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
  ]

  tags = merge({ project = var.project_name, managed_by = "terraform" }, var.tags)
}
