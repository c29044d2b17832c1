# Least privilege. Allow statements name every action (no wildcard action) and the narrowest
# resource the API accepts; the only "*" resource is X-Ray's, commented where it stands.

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
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.runtime.arn}:*"]
  }

  statement {
    sid       = "ReadWriteResultsUnderPrefix"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.results.arn}/${local.results_prefix}/*"]
  }

  # Also what makes S3 answer 404 (not 403) for a missing key under the prefix, such as the
  # manifest of a new run: S3 checks ListBucket with the requested key as s3:prefix.
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
