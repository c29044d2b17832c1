# REST API, every route proxied to the runtime Lambda (docs/contract.md §1):
#   POST   /sweep-run             submit a run
#   GET    /sweep-run             list runs, newest first (?limit=&next_token=)
#   GET    /sweep-run/{run_id}    status of a run
#   DELETE /sweep-run/{run_id}    cancel a run
# The request model is generated from the pydantic SweepRequest (`make api-model` writes
# infra/api/sweep_request.schema.json), so API Gateway rejects a body of the wrong shape before the
# Lambda runs; the handler still checks every rule draft-4 cannot say.
#
# {run_id} is the only child of /sweep-run: a static sibling (say /sweep-run/search) would shadow
# the run of that name, so a run id equal to any word, "sweep-run" included, reaches the status
# and cancel methods.

locals {
  sweep_request_schema = file("${path.module}/../api/sweep_request.schema.json")
}

resource "aws_api_gateway_rest_api" "sweep" {
  name        = "${var.project_name}-api"
  description = "ridesweep: submit, list, follow and cancel parameter sweeps"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_model" "sweep_request" {
  rest_api_id  = aws_api_gateway_rest_api.sweep.id
  name         = "SweepRequest"
  description  = "docs/contract.md section 1, generated from domain.contract.SweepRequest"
  content_type = "application/json"
  schema       = local.sweep_request_schema
}

resource "aws_api_gateway_request_validator" "body_and_parameters" {
  rest_api_id                 = aws_api_gateway_rest_api.sweep.id
  name                        = "body-and-parameters"
  validate_request_body       = true
  validate_request_parameters = true
}

# GET and DELETE carry no body: API Gateway checks their declared parameters only. It can check
# that a required parameter is present, never the value of an optional one, so `limit` and
# `next_token` are declared here (documented, and passed through) and their values are checked by
# the handler.
resource "aws_api_gateway_request_validator" "parameters" {
  rest_api_id                 = aws_api_gateway_rest_api.sweep.id
  name                        = "parameters"
  validate_request_body       = false
  validate_request_parameters = true
}

resource "aws_api_gateway_resource" "sweep_run" {
  rest_api_id = aws_api_gateway_rest_api.sweep.id
  parent_id   = aws_api_gateway_rest_api.sweep.root_resource_id
  path_part   = "sweep-run"
}

resource "aws_api_gateway_resource" "sweep_run_id" {
  rest_api_id = aws_api_gateway_rest_api.sweep.id
  parent_id   = aws_api_gateway_resource.sweep_run.id
  path_part   = "{run_id}"
}

resource "aws_api_gateway_method" "submit" {
  rest_api_id          = aws_api_gateway_rest_api.sweep.id
  resource_id          = aws_api_gateway_resource.sweep_run.id
  http_method          = "POST"
  authorization        = var.api_authorization
  request_validator_id = aws_api_gateway_request_validator.body_and_parameters.id
  request_models = {
    "application/json" = aws_api_gateway_model.sweep_request.name
  }
}

resource "aws_api_gateway_method" "list" {
  rest_api_id          = aws_api_gateway_rest_api.sweep.id
  resource_id          = aws_api_gateway_resource.sweep_run.id
  http_method          = "GET"
  authorization        = var.api_authorization
  request_validator_id = aws_api_gateway_request_validator.parameters.id
  request_parameters = {
    "method.request.querystring.limit"      = false
    "method.request.querystring.next_token" = false
  }
}

resource "aws_api_gateway_method" "status" {
  rest_api_id          = aws_api_gateway_rest_api.sweep.id
  resource_id          = aws_api_gateway_resource.sweep_run_id.id
  http_method          = "GET"
  authorization        = var.api_authorization
  request_validator_id = aws_api_gateway_request_validator.parameters.id
  request_parameters = {
    "method.request.path.run_id" = true
  }
}

resource "aws_api_gateway_method" "cancel" {
  rest_api_id          = aws_api_gateway_rest_api.sweep.id
  resource_id          = aws_api_gateway_resource.sweep_run_id.id
  http_method          = "DELETE"
  authorization        = var.api_authorization
  request_validator_id = aws_api_gateway_request_validator.parameters.id
  request_parameters = {
    "method.request.path.run_id" = true
  }
}

resource "aws_api_gateway_integration" "submit" {
  rest_api_id             = aws_api_gateway_rest_api.sweep.id
  resource_id             = aws_api_gateway_resource.sweep_run.id
  http_method             = aws_api_gateway_method.submit.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.runtime.invoke_arn
}

resource "aws_api_gateway_integration" "list" {
  rest_api_id             = aws_api_gateway_rest_api.sweep.id
  resource_id             = aws_api_gateway_resource.sweep_run.id
  http_method             = aws_api_gateway_method.list.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.runtime.invoke_arn
}

resource "aws_api_gateway_integration" "status" {
  rest_api_id             = aws_api_gateway_rest_api.sweep.id
  resource_id             = aws_api_gateway_resource.sweep_run_id.id
  http_method             = aws_api_gateway_method.status.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.runtime.invoke_arn
}

resource "aws_api_gateway_integration" "cancel" {
  rest_api_id             = aws_api_gateway_rest_api.sweep.id
  resource_id             = aws_api_gateway_resource.sweep_run_id.id
  http_method             = aws_api_gateway_method.cancel.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.runtime.invoke_arn
}

# A body the model rejects gets the contract's error shape instead of API Gateway's default.
# The field-level reason is in the access log (validationError); gateway response templates
# cannot escape it safely into JSON, so the body carries API Gateway's quoted message.
resource "aws_api_gateway_gateway_response" "bad_request_body" {
  rest_api_id   = aws_api_gateway_rest_api.sweep.id
  response_type = "BAD_REQUEST_BODY"
  status_code   = "400"
  response_templates = {
    "application/json" = "{\"error\": \"validation_error\", \"message\": $context.error.messageString, \"details\": [], \"request_id\": \"$context.requestId\"}"
  }
}

# A missing required parameter gets the same shape (the path's run_id is the only one today).
resource "aws_api_gateway_gateway_response" "bad_request_parameters" {
  rest_api_id   = aws_api_gateway_rest_api.sweep.id
  response_type = "BAD_REQUEST_PARAMETERS"
  status_code   = "400"
  response_templates = {
    "application/json" = "{\"error\": \"validation_error\", \"message\": $context.error.messageString, \"details\": [], \"request_id\": \"$context.requestId\"}"
  }
}

resource "aws_api_gateway_deployment" "sweep" {
  rest_api_id = aws_api_gateway_rest_api.sweep.id

  # A new deployment whenever a route, the model or an integration changes.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.sweep_run.id,
      aws_api_gateway_resource.sweep_run_id.id,
      aws_api_gateway_method.submit,
      aws_api_gateway_method.list,
      aws_api_gateway_method.status,
      aws_api_gateway_method.cancel,
      aws_api_gateway_integration.submit,
      aws_api_gateway_integration.list,
      aws_api_gateway_integration.status,
      aws_api_gateway_integration.cancel,
      aws_api_gateway_model.sweep_request.schema,
      aws_api_gateway_request_validator.body_and_parameters,
      aws_api_gateway_request_validator.parameters,
      aws_api_gateway_gateway_response.bad_request_body,
      aws_api_gateway_gateway_response.bad_request_parameters,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "sweep" {
  rest_api_id          = aws_api_gateway_rest_api.sweep.id
  deployment_id        = aws_api_gateway_deployment.sweep.id
  stage_name           = var.api_stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      caller             = "$context.identity.caller"
      userArn            = "$context.identity.userArn"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      path               = "$context.path"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      responseLatency    = "$context.responseLatency"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      errorMessage       = "$context.error.message"
      validationError    = "$context.error.validationErrorString"
    })
  }

  #checkov:skip=CKV_AWS_120:Responses must not be cached: submits and cancels change state, and a run's status and the list of runs change while runs run.
  #checkov:skip=CKV2_AWS_29:Every route requires SigV4 (AWS_IAM) and the stage is throttled; a WAF web ACL adds cost without a public anonymous surface to protect.
  #checkov:skip=CKV2_AWS_4:Execution logging needs the account-wide API Gateway CloudWatch role, which one stack must not overwrite; access logs are always on. Set api_execution_log_level where that role exists.
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the only backend is a Lambda proxy integration.
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.sweep.id
  stage_name  = aws_api_gateway_stage.sweep.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.api_throttle_rate_limit
    throttling_burst_limit = var.api_throttle_burst_limit
    metrics_enabled        = true
    logging_level          = var.api_execution_log_level
    data_trace_enabled     = false
    caching_enabled        = false
    cache_data_encrypted   = true
  }

  #checkov:skip=CKV_AWS_225:Caching stays off on purpose: submits and cancels change state, and status and lists must be fresh.
}
