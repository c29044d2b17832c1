"""REST API: routes, IAM auth by default, body validation with the generated model, throttling,
access logs."""

from __future__ import annotations

from tests.infra.conftest import Terraform, expression


def test_routes_are_post_and_get_sweep_run(tf: Terraform) -> None:
    collection = tf.resource("aws_api_gateway_resource", "sweep_run")
    item = tf.resource("aws_api_gateway_resource", "sweep_run_id")
    submit = tf.resource("aws_api_gateway_method", "submit")
    status = tf.resource("aws_api_gateway_method", "status")

    assert collection["path_part"] == "sweep-run"
    assert expression(collection["parent_id"]) == "aws_api_gateway_rest_api.sweep.root_resource_id"
    assert item["path_part"] == "{run_id}"
    assert expression(item["parent_id"]) == "aws_api_gateway_resource.sweep_run.id"
    assert (submit["http_method"], expression(submit["resource_id"])) == (
        "POST",
        "aws_api_gateway_resource.sweep_run.id",
    )
    assert (status["http_method"], expression(status["resource_id"])) == (
        "GET",
        "aws_api_gateway_resource.sweep_run_id.id",
    )
    assert status["request_parameters"] == {"method.request.path.run_id": True}


def test_both_routes_use_iam_authorisation_by_default(tf: Terraform) -> None:
    for name in ("submit", "status"):
        method = tf.resource("aws_api_gateway_method", name)
        assert expression(method["authorization"]) == "var.api_authorization"
    assert tf.default("api_authorization") == "AWS_IAM"
    assert '["AWS_IAM", "NONE"]' in tf.variables["api_authorization"]["validation"][0]["condition"]


def test_submit_body_is_validated_against_the_generated_model(tf: Terraform) -> None:
    submit = tf.resource("aws_api_gateway_method", "submit")
    validator = tf.resource("aws_api_gateway_request_validator", "body_and_parameters")

    assert submit["request_models"] == {"application/json": "${aws_api_gateway_model.sweep_request.name}"}
    assert expression(submit["request_validator_id"]) == (
        "aws_api_gateway_request_validator.body_and_parameters.id"
    )
    assert validator["validate_request_body"] is True
    assert validator["validate_request_parameters"] is True


def test_both_routes_proxy_to_the_runtime_lambda(tf: Terraform) -> None:
    for name in ("submit", "status"):
        integration = tf.resource("aws_api_gateway_integration", name)
        assert integration["type"] == "AWS_PROXY"
        assert integration["integration_http_method"] == "POST"
        assert expression(integration["uri"]) == "aws_lambda_function.runtime.invoke_arn"


def test_lambda_permissions_are_scoped_to_stage_method_and_route(tf: Terraform) -> None:
    submit = tf.resource("aws_lambda_permission", "api_submit")["source_arn"]
    status = tf.resource("aws_lambda_permission", "api_status")["source_arn"]

    assert submit.endswith("/${var.api_stage_name}/POST/sweep-run")
    assert status.endswith("/${var.api_stage_name}/GET/sweep-run/*")


def test_stage_is_throttled(tf: Terraform) -> None:
    settings = tf.resource("aws_api_gateway_method_settings", "all")
    (values,) = settings["settings"]

    assert settings["method_path"] == "*/*"
    assert expression(values["throttling_rate_limit"]) == "var.api_throttle_rate_limit"
    assert expression(values["throttling_burst_limit"]) == "var.api_throttle_burst_limit"
    assert tf.default("api_throttle_rate_limit") > 0 and tf.default("api_throttle_burst_limit") > 0


def test_stage_writes_json_access_logs_including_the_validation_error(tf: Terraform) -> None:
    stage = tf.resource("aws_api_gateway_stage", "sweep")
    (access,) = stage["access_log_settings"]

    assert expression(access["destination_arn"]) == "aws_cloudwatch_log_group.api_access.arn"
    for variable in ("$context.requestId", "$context.status", "$context.error.validationErrorString"):
        assert variable in access["format"]


def test_malformed_body_answers_with_the_contract_error_shape(tf: Terraform) -> None:
    response = tf.resource("aws_api_gateway_gateway_response", "bad_request_body")

    assert response["response_type"] == "BAD_REQUEST_BODY"
    assert response["status_code"] == "400"
    assert '"error": "validation_error"' in response["response_templates"]["application/json"]


def test_deployment_follows_every_route_change(tf: Terraform) -> None:
    deployment = tf.resource("aws_api_gateway_deployment", "sweep")
    triggers = deployment["triggers"]["redeployment"]

    for part in (
        "aws_api_gateway_method.submit",
        "aws_api_gateway_integration.status",
        "aws_api_gateway_model.sweep_request.schema",
    ):
        assert part in triggers
    assert deployment["lifecycle"][0]["create_before_destroy"] is True
