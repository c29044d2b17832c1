"""The runtime Lambda's environment (docs/contract.md §6) against entrypoints.settings.Settings."""

from __future__ import annotations

import re
from typing import Any

import pytest

from entrypoints.settings import Settings
from tests.infra.conftest import Terraform, expression

CONTRACT_SETTINGS = {
    "SHARD_QUEUE_URL",
    "SWEEP_RESULTS_BUCKET",
    "SWEEP_RESULTS_PREFIX",
    "MAX_SHARDS",
    "MAX_TOTAL_POINTS",
    "ALLOW_FAILURE_INJECTION",
    "LOG_LEVEL",
}

# What terraform puts in for a resource attribute, in a realistic shape.
RESOURCE_VALUES = {
    "aws_sqs_queue.shards.url": "https://sqs.eu-west-1.amazonaws.com/123456789012/ridesweep-shards",
    "aws_s3_bucket.results.id": "ridesweep-results-123456789012-eu-west-1",
    "aws_s3_bucket.results.bucket": "ridesweep-results-123456789012-eu-west-1",
}


def env_names() -> set[str]:
    if hasattr(Settings, "env_names"):
        return set(Settings.env_names())
    if hasattr(Settings, "ENV_NAMES"):
        return set(Settings.ENV_NAMES)
    return {f.alias for f in Settings.model_fields.values() if f.alias}


def lambda_environment(tf: Terraform) -> dict[str, Any]:
    (environment,) = tf.resource("aws_lambda_function", "runtime")["environment"]
    variables = environment["variables"]
    reference = expression(variables)
    if reference is not None and reference.startswith("local."):
        variables = tf.locals[reference.removeprefix("local.")]
    assert isinstance(variables, dict), f"cannot read the Lambda environment: {variables!r}"
    return variables


def evaluate(value: Any, tf: Terraform) -> str:
    """Resolve the few expression forms the environment uses, with variables at their defaults."""
    expr = expression(value)
    if expr is None:
        return str(value)
    if expr in RESOURCE_VALUES:
        return RESOURCE_VALUES[expr]
    if match := re.fullmatch(r"tostring\(var\.(\w+)\)", expr):
        return str(tf.default(match.group(1)))
    if match := re.fullmatch(r"tostring\(local\.(\w+)\)", expr):
        return evaluate(tf.locals[match.group(1)], tf)
    if match := re.fullmatch(r'var\.(\w+) \? "(\w+)" : "(\w+)"', expr):
        return match.group(2) if tf.default(match.group(1)) else match.group(3)
    if match := re.fullmatch(r"var\.(\w+)", expr):
        return str(tf.default(match.group(1)))
    if match := re.fullmatch(r"local\.(\w+)", expr):
        return evaluate(tf.locals[match.group(1)], tf)
    raise AssertionError(f"the test cannot evaluate {expr!r}; extend evaluate()")


def test_every_lambda_environment_variable_is_a_settings_field(tf: Terraform) -> None:
    unknown = set(lambda_environment(tf)) - env_names()

    assert not unknown, f"the Lambda gets variables Settings does not read: {sorted(unknown)}"


def test_lambda_sets_every_contract_setting_explicitly(tf: Terraform) -> None:
    missing = CONTRACT_SETTINGS - set(lambda_environment(tf))

    assert not missing, f"docs/contract.md §6 settings left to code defaults: {sorted(missing)}"


def test_lambda_runs_the_aws_backend(tf: Terraform) -> None:
    assert lambda_environment(tf)["SWEEP_BACKEND"] == "aws"


def test_terraform_environment_starts_the_aws_backend(tf: Terraform) -> None:
    environ = {name: evaluate(value, tf) for name, value in lambda_environment(tf).items()}

    settings = Settings.from_env(environ)

    assert settings.backend == "aws"
    assert settings.shard_queue_url == RESOURCE_VALUES["aws_sqs_queue.shards.url"]
    assert settings.max_shards == tf.default("max_shards")
    assert settings.allow_failure_injection is tf.default("allow_failure_injection")


@pytest.mark.parametrize("name", sorted(CONTRACT_SETTINGS))
def test_every_setting_the_aws_backend_requires_is_provided(tf: Terraform, name: str) -> None:
    environ = {n: evaluate(v, tf) for n, v in lambda_environment(tf).items()}
    without = {n: v for n, v in environ.items() if n != name}

    try:
        Settings.from_env(without)
    except Exception:
        required = True
    else:
        required = False

    # A setting the aws backend cannot start without must come from terraform, never a default.
    assert not required or name in environ


def test_variable_ranges_fit_the_settings_ranges(tf: Terraform) -> None:
    base = {n: evaluate(v, tf) for n, v in lambda_environment(tf).items()}
    for variable, env_name, largest in (
        ("max_shards", "MAX_SHARDS", 100_000),
        ("max_total_points", "MAX_TOTAL_POINTS", 100_000_000),
    ):
        condition = tf.variables[variable]["validation"][0]["condition"]
        assert f"<= {largest}" in condition, f"{variable}: validation upper bound changed"
        Settings.from_env({**base, env_name: str(largest)})
        Settings.from_env({**base, env_name: "1"})
