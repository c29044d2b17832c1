"""A small IAM evaluator over the policy documents of infra/terraform, so tests ask "may this role
do that to this key?" instead of comparing statements by hand.

References are resolved to a sample deployment (account 111122223333, eu-west-1, variables at
their defaults). Evaluation follows IAM's rule for one identity policy: an explicit Deny wins,
then any Allow, else denied. Only the condition operators the module uses are implemented; any
other fails the test instead of being guessed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from tests.infra.conftest import Terraform

ACCOUNT = "111122223333"
REGION = "eu-west-1"
BUCKET = f"ridesweep-results-{ACCOUNT}-{REGION}"
API_ID = "a1b2c3d4e5"

LOG_GROUPS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"

SAMPLE_ATTRIBUTES = {
    "aws_s3_bucket.results.arn": f"arn:aws:s3:::{BUCKET}",
    "aws_s3_bucket.results.id": BUCKET,
    "aws_cloudwatch_log_group.runtime.arn": f"{LOG_GROUPS}/aws/lambda/ridesweep-runtime",
    "aws_cloudwatch_log_group.api_access.arn": f"{LOG_GROUPS}/aws/apigateway/ridesweep-access",
    "aws_sqs_queue.shards.arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ridesweep-shards",
    "aws_sqs_queue.shards_dead_letter.arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ridesweep-shards-dlq",
    "aws_kms_key.data.arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0000-key",
    "aws_api_gateway_rest_api.sweep.execution_arn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}",
    "aws_sns_topic.alarms.arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:ridesweep-alarms",
    "local.account_id": ACCOUNT,
    "local.region": REGION,
    "local.partition": "aws",
}

_REFERENCE = re.compile(r"\$\{([^{}]+)\}")


def resolve(text: str, tf: Terraform) -> str:
    """Replace every ``${...}`` by its sample value, following locals and variable defaults."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in SAMPLE_ATTRIBUTES:
            return SAMPLE_ATTRIBUTES[name]
        if name.startswith("local.") and name[6:] in tf.locals:
            return resolve(str(tf.locals[name[6:]]), tf)
        if name.startswith("var."):
            return str(tf.default(name[4:]))
        raise AssertionError(f"the simulator has no sample value for {name!r}; add it")

    for _ in range(10):
        resolved = _REFERENCE.sub(one, text)
        if resolved == text:
            return resolved
        text = resolved
    raise AssertionError(f"references do not resolve: {text}")


def _matches(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters (slashes included), ? one character.
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(condition: Mapping[str, Any], context: Mapping[str, str], tf: Terraform) -> bool:
    test, key = condition["test"], condition["variable"]
    values = [resolve(str(v), tf) for v in condition["values"]]
    present = key in context
    if test == "Null":
        expect_absent = values == ["true"]
        return expect_absent != present
    if not present:
        return False
    actual = context[key]
    if test in ("StringEquals", "ArnEquals", "Bool"):
        return actual in values
    if test in ("StringLike", "ArnLike"):
        return any(_matches(v, actual) for v in values)
    raise AssertionError(f"condition operator {test} is not simulated")


def _statement_applies(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str], tf: Terraform
) -> bool:
    if not any(_matches(a, action) for a in statement["actions"]):
        return False
    if not any(_matches(resolve(r, tf), resource) for r in statement["resources"]):
        return False
    return all(_condition_holds(c, context, tf) for c in statement.get("condition", []))


def allowed(
    tf: Terraform,
    document: str,
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> bool:
    context = context or {}
    statements = tf.policy_document(document)
    applying = [s for s in statements if _statement_applies(s, action, resource, context, tf)]
    if any(s.get("effect") == "Deny" for s in applying):
        return False
    return any(s.get("effect", "Allow") == "Allow" for s in applying)


def object_arn(key: str) -> str:
    return f"arn:aws:s3:::{BUCKET}/{key}"


def bucket_arn() -> str:
    return f"arn:aws:s3:::{BUCKET}"
