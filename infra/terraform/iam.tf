# Least privilege. Allow statements name every action (no wildcard action) and the narrowest
# resource the API accepts; a "*" resource stands only where the action accepts nothing narrower,
# commented where it stands.

locals {
  cancellation_marker_arn = "${aws_s3_bucket.results.arn}/${local.results_prefix}/runs/run_id=*/cancelled.json"
}

# A run's cancellation marker sits next to its manifest (docs/contract.md §5). It is only ever
# created, never overwritten: a conditional write (If-None-Match: *), so the first cancel wins and
# a second answers with the same marker. Part of every policy that may write one.
data "aws_iam_policy_document" "cancellation_markers_only_created" {
  statement {
    sid       = "CancellationMarkersAreOnlyCreated"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = [local.cancellation_marker_arn]
    condition {
      test     = "Null"
      variable = "s3:if-none-match"
      values   = ["true"]
    }
  }
}

# Listing runs (GET /sweep-run, `ridesweep runs`) lists the run index <prefix>/runs/newest_first/
# one page at a time, then each listed run's own records and outcomes; a status lists the latter. Also what makes S3 answer 404 (not 403) for a missing key under the prefix, such
# as the manifest of a new run: S3 checks ListBucket with the requested key as s3:prefix.
data "aws_iam_policy_document" "list_results_under_prefix" {
  statement {
    sid       = "ListResultsUnderPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.results.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.results_prefix, "${local.results_prefix}/*"]
    }
  }
}

resource "aws_iam_role" "runtime" {
  name               = "${var.project_name}-runtime"
  assume_role_policy = data.aws_iam_policy_document.runtime_assume.json
}

data "aws_iam_policy_document" "runtime_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role_policy" "runtime" {
  name   = "runtime"
  role   = aws_iam_role.runtime.id
  policy = data.aws_iam_policy_document.runtime.json
}

data "aws_iam_policy_document" "runtime" {
  source_policy_documents = [
    data.aws_iam_policy_document.list_results_under_prefix.json,
    data.aws_iam_policy_document.cancellation_markers_only_created.json,
  ]

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.runtime.arn}:*"]
  }

  # Results, manifests and, for DELETE /sweep-run/{run_id}, the cancellation marker.
  statement {
    sid       = "ReadWriteResultsUnderPrefix"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
  }

  statement {
    sid    = "SendAndConsumeOwnShardQueue"
    effect = "Allow"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = [aws_sqs_queue.shards.arn]
  }

  statement {
    sid       = "UseDataKeyForS3AndSqs"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }

  statement {
    sid     = "XRayTraces"
    effect  = "Allow"
    actions = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    # X-Ray has no resource-level permissions for these actions: "*" is the only value it accepts.
    resources = ["*"]
  }
}

# ---------------------------------------------------------------------------------------------
# Analysts: attach this policy to the people or roles that query results with Athena.

resource "aws_iam_policy" "athena_query" {
  name        = "${var.project_name}-athena-query"
  description = "Query ridesweep results with Athena in the ${var.project_name} workgroup (read-only on results)."
  policy      = data.aws_iam_policy_document.athena_query.json
}

data "aws_iam_policy_document" "athena_query" {
  statement {
    sid    = "RunQueriesInWorkgroup"
    effect = "Allow"
    actions = [
      "athena:BatchGetQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:GetWorkGroup",
      "athena:ListQueryExecutions",
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
    ]
    resources = [aws_athena_workgroup.results.arn]
  }

  statement {
    sid    = "ReadResultTables"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
    ]
    resources = concat(
      [
        "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog",
        aws_glue_catalog_database.results.arn,
      ],
      [for table in aws_glue_catalog_table.results : table.arn],
    )
  }

  statement {
    sid       = "ReadResultObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
  }

  statement {
    sid       = "LocateResultsBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketLocation"]
    resources = [aws_s3_bucket.results.arn]
  }

  statement {
    sid       = "ListResultsAndAthenaResults"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.results.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = [
        local.results_prefix,
        "${local.results_prefix}/*",
        local.athena_results_prefix,
        "${local.athena_results_prefix}/*",
      ]
    }
  }

  statement {
    sid    = "WriteAthenaResults"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${aws_s3_bucket.results.arn}/${local.athena_results_prefix}/*"]
  }

  statement {
    sid       = "DecryptResultsAndEncryptAthenaResults"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }
}

# ---------------------------------------------------------------------------------------------
# Operators: attach this policy to the people or roles that run the `ridesweep` commands against
# the deployment (status, runs, watch, logs, cancel, redrive) or call the API.

resource "aws_iam_policy" "operator" {
  name        = "${var.project_name}-operator"
  description = "Operate ${var.project_name} runs: call the API, read runs, follow their logs, cancel runs, redrive dead-lettered shards."
  policy      = data.aws_iam_policy_document.operator.json
}

data "aws_iam_policy_document" "operator" {
  source_policy_documents = [
    data.aws_iam_policy_document.list_results_under_prefix.json,
    data.aws_iam_policy_document.cancellation_markers_only_created.json,
  ]

  statement {
    sid       = "CallEveryRoute"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_api_gateway_rest_api.sweep.execution_arn}/${var.api_stage_name}/*/sweep-run", "${aws_api_gateway_rest_api.sweep.execution_arn}/${var.api_stage_name}/*/sweep-run/*"]
  }

  # `ridesweep logs RUN`: CloudWatch Logs Insights over the runtime log group only, and
  # `aws logs tail` of it. (Reading a KMS-encrypted group needs no key permission: CloudWatch Logs
  # decrypts with its own grant.)
  statement {
    sid       = "ReadTheRunStory"
    effect    = "Allow"
    actions   = ["logs:FilterLogEvents", "logs:GetQueryResults", "logs:StartQuery"]
    resources = [aws_cloudwatch_log_group.runtime.arn, "${aws_cloudwatch_log_group.runtime.arn}:*"]
  }

  statement {
    sid     = "StopAQueryThatTimedOut"
    effect  = "Allow"
    actions = ["logs:StopQuery"]
    # StopQuery takes only a query id and has no resource-level permissions: "*" is all it accepts.
    resources = ["*"]
  }

  statement {
    sid       = "ReadRunsAndResults"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
  }

  statement {
    sid       = "CancelRuns"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = [local.cancellation_marker_arn]
  }

  statement {
    sid       = "WatchBothQueues"
    effect    = "Allow"
    actions   = ["sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.shards.arn, aws_sqs_queue.shards_dead_letter.arn]
  }

  # A message move task acts with its starter's permissions: it receives and deletes on the
  # dead-letter queue and sends to the shard queue. `ridesweep redrive` does the same by hand where
  # move tasks are not offered.
  statement {
    sid    = "RedriveTheDeadLetterQueue"
    effect = "Allow"
    actions = [
      "sqs:CancelMessageMoveTask",
      "sqs:DeleteMessage",
      "sqs:ListMessageMoveTasks",
      "sqs:ReceiveMessage",
      "sqs:StartMessageMoveTask",
    ]
    resources = [aws_sqs_queue.shards_dead_letter.arn]
  }

  statement {
    sid       = "RedriveIntoTheShardQueue"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.shards.arn]
  }

  statement {
    sid       = "UseDataKeyForS3AndSqs"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }
}

