"""Alarms, their encrypted SNS topic, the metric filters over the run's story, and the dashboard."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.infra.conftest import ROOT, Terraform, expression

METRIC_ALARMS = {"dead_letter_messages", "lambda_errors", "lambda_throttles", "shard_queue_age"}
ALARMS = METRIC_ALARMS | {"shard_failure_rate"}
TOPIC_ARN = "${aws_sns_topic.alarms.arn}"


def alarm(tf: Terraform, name: str) -> dict[str, Any]:
    """An alarm's settings: the one-metric alarms are a for_each over local.metric_alarms."""
    if name in METRIC_ALARMS:
        return tf.locals["metric_alarms"][name]  # type: ignore[no-any-return]
    return tf.resource("aws_cloudwatch_metric_alarm", name)


def alarm_name(tf: Terraform, name: str) -> str:
    """The alarm's name with the default project name."""
    if name in METRIC_ALARMS:
        template = tf.resource("aws_cloudwatch_metric_alarm", "metric")["alarm_name"]
        template = template.replace("${each.value.name}", alarm(tf, name)["name"])
    else:
        template = alarm(tf, name)["alarm_name"]
    return template.replace("${local.alarm_prefix}", "ridesweep-")


# --- the topic ----------------------------------------------------------------------------------


def test_the_alarm_topic_is_encrypted_with_the_stack_key(tf: Terraform) -> None:
    topic = tf.resource("aws_sns_topic", "alarms")

    assert expression(topic["kms_master_key_id"]) == "aws_kms_key.data.arn"


def test_the_key_policy_lets_cloudwatch_alarms_use_the_key_for_this_account_only(tf: Terraform) -> None:
    (statement,) = [
        s
        for s in tf.policy_document("kms_key")
        if s["principals"][0]["identifiers"] == ["cloudwatch.amazonaws.com"]
    ]

    assert statement["principals"][0]["type"] == "Service"
    assert set(statement["actions"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    (condition,) = statement["condition"]
    assert (condition["variable"], condition["values"]) == ("aws:SourceAccount", ["${local.account_id}"])


def test_only_this_stacks_alarms_may_publish_to_the_topic(tf: Terraform) -> None:
    policy = tf.resource("aws_sns_topic_policy", "alarms")
    (statement,) = tf.policy_document("alarm_topic")
    conditions = {c["variable"]: c for c in statement["condition"]}

    assert policy["policy"] == "${data.aws_iam_policy_document.alarm_topic.json}"
    assert statement["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert statement["actions"] == ["sns:Publish"]
    assert statement["resources"] == [TOPIC_ARN]
    source = conditions["aws:SourceArn"]
    assert source["test"] == "ArnLike"
    assert source["values"] == [
        "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.alarm_prefix}*"
    ]
    for name in ALARMS:  # so every alarm is covered by that condition
        assert alarm_name(tf, name).startswith("ridesweep-"), name
    assert tf.locals["alarm_prefix"] == "${var.project_name}-"


def test_email_subscriptions_are_optional(tf: Terraform) -> None:
    subscription = tf.resource("aws_sns_topic_subscription", "alarm_email")

    assert expression(subscription["for_each"]) == "toset(var.alarm_emails)"
    assert subscription["protocol"] == "email"
    assert tf.default("alarm_emails") == []
    assert tf.variables["alarm_emails"]["validation"], "a typo'd address should fail at plan time"


def test_outputs_name_the_topic_and_the_dashboard(tf: Terraform) -> None:
    assert tf.outputs["alarm_topic_arn"]["value"] == TOPIC_ARN
    assert tf.outputs["dashboard_name"]["value"] == "${aws_cloudwatch_dashboard.operations.dashboard_name}"
    assert expression(tf.outputs["dashboard_url"]["value"]) == "local.dashboard_url"
    assert "#dashboards/dashboard/${local.dashboard_name}" in tf.locals["dashboard_url"]


# --- the alarms ---------------------------------------------------------------------------------


def test_the_alarms_are_exactly_these(tf: Terraform) -> None:
    assert set(tf.of_type("aws_cloudwatch_metric_alarm")) == {"metric", "shard_failure_rate"}
    assert expression(tf.resource("aws_cloudwatch_metric_alarm", "metric")["for_each"]) == (
        "local.metric_alarms"
    )
    assert set(tf.locals["metric_alarms"]) == METRIC_ALARMS
    assert len({alarm_name(tf, name) for name in ALARMS}) == len(ALARMS)


@pytest.mark.parametrize("resource", ["metric", "shard_failure_rate"])
def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears(
    tf: Terraform, resource: str
) -> None:
    body = tf.resource("aws_cloudwatch_metric_alarm", resource)

    assert body["actions_enabled"] is True
    assert body["alarm_actions"] == [TOPIC_ARN]
    assert body["ok_actions"] == [TOPIC_ARN]
    assert body["comparison_operator"] == "GreaterThanThreshold"
    # A quiet stack sends no metric at all; that is health, not an alarm.
    assert body["treat_missing_data"] == "notBreaching"
    assert body["alarm_description"].endswith("${local.alarm_runbook}")
    assert body["evaluation_periods"] == 1


@pytest.mark.parametrize(
    ("name", "namespace", "metric", "dimension", "statistic", "threshold"),
    [
        ("dead_letter_messages", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
         {"QueueName": "${aws_sqs_queue.shards_dead_letter.name}"}, "Maximum", 0),
        ("lambda_errors", "AWS/Lambda", "Errors",
         {"FunctionName": "${aws_lambda_function.runtime.function_name}"}, "Sum", 0),
        ("lambda_throttles", "AWS/Lambda", "Throttles",
         {"FunctionName": "${aws_lambda_function.runtime.function_name}"}, "Sum", 0),
        ("shard_queue_age", "AWS/SQS", "ApproximateAgeOfOldestMessage",
         {"QueueName": "${aws_sqs_queue.shards.name}"}, "Maximum", "${var.shard_queue_age_alarm_seconds}"),
    ],
)  # fmt: skip
def test_metric_alarms_watch_the_right_metric(
    tf: Terraform,
    name: str,
    namespace: str,
    metric: str,
    dimension: dict[str, str],
    statistic: str,
    threshold: object,
) -> None:
    spec = alarm(tf, name)
    body = tf.resource("aws_cloudwatch_metric_alarm", "metric")

    assert (spec["namespace"], spec["metric"]) == (namespace, metric)
    assert spec["dimensions"] == dimension
    assert spec["statistic"] == statistic
    assert spec["threshold"] == threshold
    assert spec["description"], name
    for argument, key in (
        ("namespace", "namespace"),
        ("metric_name", "metric"),
        ("dimensions", "dimensions"),
        ("statistic", "statistic"),
        ("period", "period"),
        ("threshold", "threshold"),
    ):
        assert expression(body[argument]) == f"each.value.{key}", argument


def test_queue_age_alarm_fires_before_messages_expire(tf: Terraform) -> None:
    retention = tf.resource("aws_sqs_queue", "shards")["message_retention_seconds"]
    condition = tf.variables["shard_queue_age_alarm_seconds"]["validation"][0]["condition"]

    assert tf.default("shard_queue_age_alarm_seconds") < retention
    assert f"< {retention}" in condition


def test_failure_rate_alarm_divides_failed_by_ended_shards_over_five_minutes(tf: Terraform) -> None:
    body = alarm(tf, "shard_failure_rate")
    queries = {q["id"]: q for q in body["metric_query"]}

    assert body["threshold"] == "${var.shard_failure_rate_alarm_percent}"
    assert [q["id"] for q in queries.values() if q.get("return_data")] == ["failure_rate"]
    assert expression(queries["failure_rate"]["expression"]) == "local.shard_failure_rate_expression"
    for query_id, filter_name in (("failed", "shard_failed"), ("finished", "shard_finished")):
        (metric,) = queries[query_id]["metric"]
        assert metric["namespace"] == "${local.metrics_namespace}"
        assert metric["metric_name"] == (
            f"${{aws_cloudwatch_log_metric_filter.{filter_name}.metric_transformation[0].name}}"
        )
        assert (metric["stat"], metric["period"]) == ("Sum", 300)


def failure_rate(tf: Terraform, failed: float | None, finished: float | None) -> float:
    """The alarm's metric math for one window; None is a metric with no data point."""
    text = tf.locals["shard_failure_rate_expression"]
    text = re.sub(r"FILL\((\w+), 0\)", r"(\1 or 0)", text)
    match = re.fullmatch(r"IF\((.*) > 0, (.*), 0\)", text)
    assert match, f"the test reads IF(cond > 0, rate, 0): {tf.locals['shard_failure_rate_expression']}"
    names = {"failed": failed, "finished": finished}
    condition = eval(match.group(1), {}, names)
    return float(eval(match.group(2), {}, names)) if condition > 0 else 0.0


def test_failure_rate_is_a_percentage_of_ended_shards_and_zero_when_none_ended(tf: Terraform) -> None:
    assert failure_rate(tf, 1, 9) == pytest.approx(10.0)
    assert failure_rate(tf, 3, 0) == pytest.approx(100.0)
    assert failure_rate(tf, 0, 50) == 0.0
    assert failure_rate(tf, None, 4) == 0.0
    assert failure_rate(tf, None, None) == 0.0
    assert failure_rate(tf, 2, None) == pytest.approx(100.0)
    assert 0 < tf.default("shard_failure_rate_alarm_percent") < 100


# --- metric filters over the JSON log events ----------------------------------------------------


def _filter_matches(pattern: str, event: dict[str, Any]) -> bool:
    """CloudWatch JSON filter patterns, the subset the module uses: ``$.field = "v"``, ``!=``,
    ``NOT EXISTS``, ``&&``, ``||`` and parentheses. A comparison on a missing field is false."""
    tokens = re.findall(r'\(|\)|&&|\|\||!=|=|"[^"]*"|\$\.\w+|NOT EXISTS', pattern.strip()[1:-1])
    position = 0

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def term() -> bool:
        token = take()
        if token == "(":
            value = disjunction()
            assert take() == ")"
            return value
        field = token.removeprefix("$.")
        operator = take()
        if operator == "NOT EXISTS":
            return field not in event
        literal = take().strip('"')
        if field not in event:
            return False
        return (event[field] == literal) == (operator == "=")

    def conjunction() -> bool:
        value = term()
        while peek() == "&&":
            take()
            value = term() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "||":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    assert position == len(tokens), f"unread tokens in {pattern}"
    return result


EVENTS = {
    "finished": {"event": "shard_finished", "run_id": "r", "shard_id": 0},
    "failed": {"event": "shard_failed", "run_id": "r", "shard_id": 1, "error_code": "injected_failure"},
    "failed without a code": {"event": "shard_failed", "run_id": "r", "shard_id": 2},
    "cancelled": {"event": "shard_failed", "run_id": "r", "shard_id": 3, "error_code": "cancelled"},
    "retried": {"event": "shard_retried", "run_id": "r", "shard_id": 4, "error_code": "transient"},
    "shard cancelled": {"event": "shard_cancelled", "run_id": "r", "shard_id": 5},
    "started": {"event": "shard_started", "run_id": "r", "shard_id": 6},
}


@pytest.mark.parametrize(
    ("filter_name", "counted"),
    [
        ("shard_finished", {"finished"}),
        ("shard_failed", {"failed", "failed without a code"}),
        ("shard_failed_by_error_code", {"failed", "failed without a code", "cancelled"}),
    ],
)
def test_metric_filters_count_the_story_events(tf: Terraform, filter_name: str, counted: set[str]) -> None:
    body = tf.resource("aws_cloudwatch_log_metric_filter", filter_name)

    assert expression(body["log_group_name"]) == "aws_cloudwatch_log_group.runtime.name"
    matched = {name for name, event in EVENTS.items() if _filter_matches(body["pattern"], event)}
    assert matched == counted


def test_filters_feeding_the_alarm_report_zero_when_logs_arrive_without_outcomes(tf: Terraform) -> None:
    for name in ("shard_finished", "shard_failed"):
        (transformation,) = tf.resource("aws_cloudwatch_log_metric_filter", name)["metric_transformation"]
        assert (transformation["value"], transformation["default_value"]) == ("1", "0"), name
        assert transformation["namespace"] == "${local.metrics_namespace}"
    (by_code,) = tf.resource("aws_cloudwatch_log_metric_filter", "shard_failed_by_error_code")[
        "metric_transformation"
    ]
    assert by_code["dimensions"] == {"error_code": "$.error_code"}


def test_the_filtered_event_names_are_the_services_story_events() -> None:
    # The names are fixed for the service and listed for operators in the runbook.
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    for event in ("shard_finished", "shard_failed", "shard_retried", "shard_dead_lettered"):
        assert f"`{event}`" in runbook, event


# --- the dashboard ------------------------------------------------------------------------------


def panels(tf: Terraform) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = tf.locals["metric_panels"]
    return found


def plotted(tf: Terraform) -> set[tuple[str, str, str]]:
    """(namespace, metric, dimension value or "") of every metric a panel draws."""
    out = set()
    for panel in panels(tf):
        for row in panel["metrics"]:
            names = [item for item in row if isinstance(item, str)]
            if len(names) >= 2:
                out.add((names[0], names[1], names[3] if len(names) >= 4 else ""))
    return out


def test_dashboard_body_is_the_widget_list(tf: Terraform) -> None:
    dashboard = tf.resource("aws_cloudwatch_dashboard", "operations")

    assert expression(dashboard["dashboard_body"]) == "jsonencode({widgets = local.dashboard_widgets})"
    json.dumps(panels(tf))  # plain data: lists, maps, strings and numbers


def test_dashboard_shows_queues_shard_outcomes_and_the_lambda(tf: Terraform) -> None:
    shards, dlq, function = "${local.shard_queue_name}", "${local.dlq_name}", "${local.runtime_function_name}"
    expected = {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", shards),
        ("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", shards),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage", shards),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq),
        ("${local.metrics_namespace}", "${local.shards_finished_metric}", ""),
        ("${local.metrics_namespace}", "${local.shards_failed_metric}", ""),
        ("AWS/Lambda", "Duration", function),
        ("AWS/Lambda", "Errors", function),
        ("AWS/Lambda", "Throttles", function),
        ("AWS/Lambda", "ConcurrentExecutions", function),
    }

    assert expected <= plotted(tf), expected - plotted(tf)
    assert tf.locals["shard_queue_name"] == "${aws_sqs_queue.shards.name}"
    assert tf.locals["dlq_name"] == "${aws_sqs_queue.shards_dead_letter.name}"
    assert tf.locals["runtime_function_name"] == "${aws_lambda_function.runtime.function_name}"
    for local, filter_name in (
        ("shards_finished_metric", "shard_finished"),
        ("shards_failed_metric", "shard_failed"),
        ("shards_failed_by_code", "shard_failed_by_error_code"),
    ):
        assert tf.locals[local] == (
            f"${{aws_cloudwatch_log_metric_filter.{filter_name}.metric_transformation[0].name}}"
        )


def test_every_panel_is_titled_and_draws_with_a_statistic_and_period(tf: Terraform) -> None:
    for panel in panels(tf):
        assert panel["title"] and panel["stat"] and panel["period"] in (60, 300), panel


def test_the_failure_rate_panel_draws_the_alarms_math(tf: Terraform) -> None:
    (panel,) = [p for p in panels(tf) if p["title"].startswith("Shard failure rate")]
    ids = {row[-1].get("id"): row for row in panel["metrics"]}

    assert ids["rate"][0]["expression"] == "${local.shard_failure_rate_expression}"
    assert ids["failed"][1] == "${local.shards_failed_metric}"
    assert ids["finished"][1] == "${local.shards_finished_metric}"


def test_dashboard_lists_every_alarm_and_lays_panels_on_the_grid(tf: Terraform) -> None:
    layout = re.sub(r"\s+", " ", expression(tf.locals["dashboard_widgets"]) or "")

    assert "for alarm in aws_cloudwatch_metric_alarm.metric : alarm.arn" in layout
    assert "aws_cloudwatch_metric_alarm.shard_failure_rate.arn" in layout
    # three panels of 8 columns to a row of 24, below the 3-high alarm row, 6 high each
    assert "x = (index % 3) * 8, y = 3 + floor(index / 3) * 6, width = 8, height = 6" in layout
    assert "y = 3 + local.panel_rows * 6" in layout
    assert tf.locals["panel_rows"] == "${ceil(length(local.metric_panels) / 3)}"


# --- the runbook --------------------------------------------------------------------------------


def runbook_sections(heading_prefix: str, text: str) -> dict[str, str]:
    parts = re.split(rf"^{re.escape(heading_prefix)} ", text, flags=re.M)
    return {part.splitlines()[0]: part for part in parts[1:]}


def test_the_runbook_says_what_each_alarm_means_and_what_to_do(tf: Terraform) -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    chapters = runbook_sections("##", runbook)
    (alarms_chapter,) = [body for title, body in chapters.items() if title.startswith("8. Alarms")]
    sections = runbook_sections("###", alarms_chapter)

    assert tf.locals["alarm_runbook"] == "What to do: docs/runbook.md §8"
    for name in ALARMS:
        title = alarm_name(tf, name)
        (section,) = [body for heading, body in sections.items() if heading.startswith(f"`{title}`")]
        assert "**Means:**" in section and "**Do:**" in section, title
        assert re.search(r"ridesweep (status|watch|logs|cancel|redrive|runs|query) ", section), title
