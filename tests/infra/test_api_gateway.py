"""REST API: routes, IAM auth by default, body and parameter validation, throttling, access logs."""

from __future__ import annotations

import fnmatch
import re

from tests.infra.conftest import Terraform, expression

# method resource name -> (HTTP method, API Gateway resource, route of its Lambda permission)
ROUTES = {
    "submit": ("POST", "sweep_run", "POST/sweep-run"),
    "list": ("GET", "sweep_run", "GET/sweep-run"),
    "status": ("GET", "sweep_run_id", "GET/sweep-run/*"),
    "cancel": ("DELETE", "sweep_run_id", "DELETE/sweep-run/*"),
}


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


def test_every_route_is_a_method_on_its_resource(tf: Terraform) -> None:
    assert set(tf.of_type("aws_api_gateway_method")) == set(ROUTES)
    for name, (http_method, resource, _) in ROUTES.items():
        method = tf.resource("aws_api_gateway_method", name)
        assert method["http_method"] == http_method, name
        assert expression(method["resource_id"]) == f"aws_api_gateway_resource.{resource}.id", name


def test_a_run_id_equal_to_a_path_word_reaches_the_run(tf: Terraform) -> None:
    # /sweep-run/sweep-run must be the status of run "sweep-run": no static child of /sweep-run
    # may shadow {run_id}, and the status and cancel permissions must match such a path.
    children = [
        r
        for r in tf.of_type("aws_api_gateway_resource").values()
        if expression(r["parent_id"]) == "aws_api_gateway_resource.sweep_run.id"
    ]
    assert [c["path_part"] for c in children] == ["{run_id}"]
    for name in ("status", "cancel"):
        http_method, _, route = ROUTES[name]
        assert fnmatch.fnmatchcase(f"{http_method}/sweep-run/sweep-run", route), name


def test_cancel_and_status_require_the_run_id_and_list_declares_its_paging_parameters(
    tf: Terraform,
) -> None:
    validator = tf.resource("aws_api_gateway_request_validator", "parameters")
    assert validator["validate_request_parameters"] is True
    for name in ("list", "status", "cancel"):
        method = tf.resource("aws_api_gateway_method", name)
        assert expression(method["request_validator_id"]) == (
            "aws_api_gateway_request_validator.parameters.id"
        ), name
    for name in ("status", "cancel"):
        assert tf.resource("aws_api_gateway_method", name)["request_parameters"] == {
            "method.request.path.run_id": True
        }
    # Optional: a first page has no next_token, and limit has a default in the handler.
    assert tf.resource("aws_api_gateway_method", "list")["request_parameters"] == {
        "method.request.querystring.limit": False,
        "method.request.querystring.next_token": False,
    }


def test_a_missing_parameter_answers_with_the_contract_error_shape(tf: Terraform) -> None:
    response = tf.resource("aws_api_gateway_gateway_response", "bad_request_parameters")

    assert response["response_type"] == "BAD_REQUEST_PARAMETERS"
    assert response["status_code"] == "400"
    assert '"error": "validation_error"' in response["response_templates"]["application/json"]


def test_every_route_uses_iam_authorisation_by_default(tf: Terraform) -> None:
    for name in ROUTES:
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


def test_every_route_proxies_to_the_runtime_lambda(tf: Terraform) -> None:
    assert set(tf.of_type("aws_api_gateway_integration")) == set(ROUTES)
    for name in ROUTES:
        integration = tf.resource("aws_api_gateway_integration", name)
        assert expression(integration["http_method"]) == f"aws_api_gateway_method.{name}.http_method"
        assert integration["type"] == "AWS_PROXY"
        assert integration["integration_http_method"] == "POST"
        assert expression(integration["uri"]) == "aws_lambda_function.runtime.invoke_arn"


def test_lambda_permissions_are_scoped_to_stage_method_and_route(tf: Terraform) -> None:
    permission = tf.resource("aws_lambda_permission", "api")
    routes = tf.locals["api_routes"]

    assert expression(permission["for_each"]) == "local.api_routes"
    assert permission["source_arn"] == (
        "${aws_api_gateway_rest_api.sweep.execution_arn}/${var.api_stage_name}/${each.value.route}"
    )
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert {name: route["route"] for name, route in routes.items()} == {
        name: route for name, (_, _, route) in ROUTES.items()
    }
    assert len({route["statement"] for route in routes.values()}) == len(routes)


def test_existing_permissions_move_instead_of_being_replaced(tf: Terraform) -> None:
    text = tf.texts["lambda.tf"]

    for old, new in (("api_submit", "submit"), ("api_status", "status")):
        source = rf"from = aws_lambda_permission\.{old}"
        target = rf"to\s*= aws_lambda_permission\.api\[\"{new}\"\]"
        assert re.search(rf"moved \{{\s*{source}\s*{target}", text), old


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

    for type_ in (
        "aws_api_gateway_resource",
        "aws_api_gateway_method",
        "aws_api_gateway_integration",
        "aws_api_gateway_request_validator",
        "aws_api_gateway_gateway_response",
    ):
        for name in tf.of_type(type_):
            assert re.search(rf"\b{type_}\.{name}\b", triggers), f"{type_}.{name} changes no deployment"
    assert "aws_api_gateway_model.sweep_request.schema" in triggers
    assert deployment["lifecycle"][0]["create_before_destroy"] is True
