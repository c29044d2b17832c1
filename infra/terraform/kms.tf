# One customer managed key encrypts everything the stack stores: results objects, both queues,
# the log groups, the Lambda environment, Athena query results and the alarm topic.

resource "aws_kms_key" "data" {
  description             = "${var.project_name}: results, queues, logs, Athena results and alarms"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.project_name}-data"
  target_key_id = aws_kms_key.data.key_id
}

data "aws_iam_policy_document" "kms_key" {
  # In a key policy, Resource "*" means "this key" and is the only value KMS accepts, so the
  # statements below use it. That trips checkov's generic IAM-document checks:
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key; administration stays with the account root.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key; writes are scoped by principal.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is the only resource a key policy accepts.

  statement {
    sid    = "AccountAdministersAndDelegatesTheKey"
    effect = "Allow"
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
    # Every action is listed (no kms:*), so a new KMS action is not granted by surprise.
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListGrants",
      "kms:ListKeyPolicies",
      "kms:ListKeyRotations",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:RetireGrant",
      "kms:RevokeGrant",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateKeyDescription",
    ]
    # Key policy: "*" is this key (the only value a key policy accepts).
    resources = ["*"]
  }

  statement {
    sid    = "CloudWatchLogsEncryptsOurLogGroups"
    effect = "Allow"
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    # Key policy: "*" is this key; the condition limits use to our two log groups.
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = local.log_group_arns
    }
  }

  # An alarm publishing to the encrypted topic makes SNS call KMS as CloudWatch; the AWS managed
  # SNS key cannot grant that, which is why the topic uses this key.
  statement {
    sid    = "CloudWatchAlarmsPublishToTheEncryptedAlarmTopic"
    effect = "Allow"
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    actions = ["kms:Decrypt", "kms:GenerateDataKey"]
    # Key policy: "*" is this key; the condition limits use to this account's alarms.
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}
