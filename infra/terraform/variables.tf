# Inputs of the ridesweep stack. Every variable is validated here, so a bad value fails at plan
# time with a message instead of half-way through an apply.

variable "aws_region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region code such as eu-west-1."
  }
}

variable "project_name" {
  description = "Prefix of every resource name; lower-case letters, digits and hyphens."
  type        = string
  default     = "ridesweep"

  validation {
    # Short enough that "<project>-access-logs-<account>-<region>" stays within S3's 63 characters.
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 3 to 20 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "results_bucket_name" {
  description = "Name of the S3 bucket for results; null derives <project>-results-<account>-<region>."
  type        = string
  default     = null

  validation {
    condition = var.results_bucket_name == null || (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.results_bucket_name)) &&
      !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$|^xn--|-s3alias$", var.results_bucket_name))
    )
    error_message = "results_bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)."
  }
}

variable "results_bucket_force_destroy" {
  description = "Let terraform destroy delete a non-empty results bucket (sandboxes only)."
  type        = bool
  default     = false
}

variable "results_prefix" {
  description = "Key prefix of everything the service writes (SWEEP_RESULTS_PREFIX); no leading or trailing slash."
  type        = string
  default     = "sweeps"

  validation {
    condition = (
      can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$", var.results_prefix)) &&
      length(var.results_prefix) <= 200 &&
      !contains(["deploy", "athena-results"], split("/", var.results_prefix)[0])
    )
    error_message = "results_prefix must be non-empty path segments of letters, digits, '.', '_' or '-' joined by '/', without '=' and not under deploy/ or athena-results/ (those prefixes hold the Lambda package and Athena results)."
  }
}

variable "runtime_lambda_zip" {
  description = "Path of the deployment zip built by infra/build_lambda.sh."
  type        = string

  validation {
    condition     = can(regex("\\.zip$", var.runtime_lambda_zip)) && fileexists(var.runtime_lambda_zip)
    error_message = "runtime_lambda_zip must be the path of an existing .zip file (build it with infra/build_lambda.sh)."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of the runtime Lambda; the zip must be built for the same one."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the runtime Lambda in MB (CPU scales with it)."
  type        = number
  default     = 2048

  validation {
    condition     = var.lambda_memory_mb >= 512 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be an integer from 512 (pyarrow needs it) to 10240."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the runtime Lambda; the shard queue's visibility timeout is six times this."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout_seconds >= 30 && var.lambda_timeout_seconds <= 900 && floor(var.lambda_timeout_seconds) == var.lambda_timeout_seconds
    error_message = "lambda_timeout_seconds must be an integer from 30 to 900."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the runtime Lambda; -1 leaves it unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.lambda_reserved_concurrency == -1 || (var.lambda_reserved_concurrency >= 1 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency)
    error_message = "lambda_reserved_concurrency must be -1 (unreserved) or a positive integer."
  }
}

variable "sqs_batch_size" {
  description = "Shard messages handed to one worker invocation."
  type        = number
  default     = 1

  validation {
    condition     = var.sqs_batch_size >= 1 && var.sqs_batch_size <= 10 && floor(var.sqs_batch_size) == var.sqs_batch_size
    error_message = "sqs_batch_size must be an integer from 1 to 10 (larger batches need a batching window and risk the timeout)."
  }
}

variable "sqs_maximum_concurrency" {
  description = "Most worker invocations the SQS event source runs at once."
  type        = number
  default     = 50

  validation {
    condition     = var.sqs_maximum_concurrency >= 2 && var.sqs_maximum_concurrency <= 1000 && floor(var.sqs_maximum_concurrency) == var.sqs_maximum_concurrency
    error_message = "sqs_maximum_concurrency must be an integer from 2 to 1000 (the limits of the SQS event source)."
  }
}

variable "max_shards" {
  description = "Deployment cap on the shards of one run (MAX_SHARDS)."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_shards >= 1 && var.max_shards <= 100000 && floor(var.max_shards) == var.max_shards
    error_message = "max_shards must be an integer from 1 to 100000."
  }
}

variable "max_total_points" {
  description = "Deployment cap on the points of one run (MAX_TOTAL_POINTS)."
  type        = number
  default     = 1000000

  validation {
    condition     = var.max_total_points >= 1 && var.max_total_points <= 100000000 && floor(var.max_total_points) == var.max_total_points
    error_message = "max_total_points must be an integer from 1 to 100000000."
  }
}

variable "allow_failure_injection" {
  description = "Accept failure_injection_shards in requests (ALLOW_FAILURE_INJECTION); for sandboxes and drills."
  type        = bool
  default     = false
}

variable "log_level" {
  description = "Log level of the runtime Lambda (LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda and API access log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ..., 365, ..., 3653)."
  }
}

variable "api_stage_name" {
  description = "Stage of the REST API; part of the URL."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,64}$", var.api_stage_name))
    error_message = "api_stage_name must be 1 to 64 letters, digits or underscores."
  }
}

variable "api_authorization" {
  description = "Authorisation of every route: AWS_IAM (SigV4 callers) or NONE (sandboxes only)."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.api_authorization)
    error_message = "api_authorization must be AWS_IAM or NONE."
  }
}

variable "api_throttle_rate_limit" {
  description = "Steady-state requests per second the API stage accepts."
  type        = number
  default     = 10

  validation {
    condition     = var.api_throttle_rate_limit > 0 && var.api_throttle_rate_limit <= 10000
    error_message = "api_throttle_rate_limit must be greater than 0 and at most 10000."
  }
}

variable "api_throttle_burst_limit" {
  description = "Burst of requests the API stage accepts."
  type        = number
  default     = 20

  validation {
    condition     = var.api_throttle_burst_limit >= 1 && var.api_throttle_burst_limit <= 5000 && floor(var.api_throttle_burst_limit) == var.api_throttle_burst_limit
    error_message = "api_throttle_burst_limit must be an integer from 1 to 5000."
  }
}

variable "api_execution_log_level" {
  description = "API Gateway execution logging (OFF, ERROR, INFO); needs the account-wide API Gateway CloudWatch role."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.api_execution_log_level)
    error_message = "api_execution_log_level must be OFF, ERROR or INFO."
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic by email (each confirms by a link first); empty subscribes nobody."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_emails must hold email addresses such as ops@example.com."
  }
}

variable "shard_failure_rate_alarm_percent" {
  description = "Share of the shards ended in five minutes that may fail (cancelled ones aside) before the failure-rate alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.shard_failure_rate_alarm_percent >= 0 && var.shard_failure_rate_alarm_percent < 100
    error_message = "shard_failure_rate_alarm_percent must be from 0 (any failure) to below 100."
  }
}

variable "shard_queue_age_alarm_seconds" {
  description = "Age of the oldest shard message, in seconds, above which the queue-age alarm fires."
  type        = number
  default     = 3600

  validation {
    # Below the shard queue's four-day retention, or messages would expire before the alarm fires.
    condition     = var.shard_queue_age_alarm_seconds >= 300 && var.shard_queue_age_alarm_seconds < 345600 && floor(var.shard_queue_age_alarm_seconds) == var.shard_queue_age_alarm_seconds
    error_message = "shard_queue_age_alarm_seconds must be an integer from 300 to 345599."
  }
}

variable "athena_database" {
  description = "Glue database that holds the result tables."
  type        = string
  default     = "ridesweep"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,200}$", var.athena_database))
    error_message = "athena_database must be 1 to 200 lower-case letters, digits or underscores."
  }
}

variable "athena_table_prefix" {
  description = "Prefix of the Glue table names (the table of dataset trip_data is <prefix>trip_data)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z][a-z0-9_]{0,40})?$", var.athena_table_prefix))
    error_message = "athena_table_prefix must be empty or up to 41 lower-case letters, digits or underscores, starting with a letter."
  }
}

variable "athena_bytes_scanned_cutoff" {
  description = "Bytes one Athena query of the workgroup may scan before it is cancelled."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10485760 (10 MB, the Athena minimum)."
  }
}

variable "athena_results_retention_days" {
  description = "Days Athena query results are kept under athena-results/."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_retention_days >= 1 && floor(var.athena_results_retention_days) == var.athena_results_retention_days
    error_message = "athena_results_retention_days must be a positive integer."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
