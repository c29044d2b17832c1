# One message per shard (docs/contract.md §3). A message the worker keeps failing on moves to the
# dead-letter queue after max_receive_count receives; a redrive (docs/runbook.md) replays it.

locals {
  max_receive_count = 5
  # The queue hides a received message for six function timeouts, so a message is not handed to a
  # second worker while the first may still be running (AWS's guidance for SQS event sources).
  shard_visibility_timeout_seconds = 6 * var.lambda_timeout_seconds
}

resource "aws_sqs_queue" "shards" {
  name                       = "${var.project_name}-shards"
  visibility_timeout_seconds = local.shard_visibility_timeout_seconds
  message_retention_seconds  = 345600 # 4 days
  max_message_size           = 262144 # 256 KiB, the contract's limit for a shard message
  receive_wait_time_seconds  = 20

  kms_master_key_id                 = aws_kms_key.data.arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.shards_dead_letter.arn
    maxReceiveCount     = local.max_receive_count
  })
}

resource "aws_sqs_queue" "shards_dead_letter" {
  name = "${var.project_name}-shards-dlq"
  # Longer than the source queue's retention: a message keeps its first enqueue time when it moves.
  message_retention_seconds = 1209600 # 14 days, the SQS maximum
  max_message_size          = 262144

  kms_master_key_id                 = aws_kms_key.data.arn
  kms_data_key_reuse_period_seconds = 300
}

# A separate resource, because the dead-letter queue and its source would otherwise name each other.
resource "aws_sqs_queue_redrive_allow_policy" "shards_dead_letter" {
  queue_url = aws_sqs_queue.shards_dead_letter.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.shards.arn]
  })
}
