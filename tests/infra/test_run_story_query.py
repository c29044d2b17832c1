"""The "run story" Logs Insights query: one file in the package, read by the CLI and by Terraform's
saved query definition, so the console and `ridesweep logs` always run the same query."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from setuptools import find_packages

from domain.contract import RUN_ID_PATTERN
from tests.infra.conftest import ROOT, TERRAFORM_DIR, Terraform, expression

QUERY_PACKAGE = "adapters.aws.queries"
QUERY_FILE = "run_story.logsinsights"
PLACEHOLDER = "RUN_ID"
FIELDS = [
    "@timestamp",
    "level",
    "event",
    "run_id",
    "shard_id",
    "point_index",
    "error_code",
    "aws_request_id",
    "sqs_message_id",
    "receive_count",
    "message",
    "@message",  # the whole JSON line: `ridesweep logs` reads every field of the event from it
]


def package_text() -> str:
    return (resources.files(QUERY_PACKAGE) / QUERY_FILE).read_text(encoding="utf-8")


def terraform_text(tf: Terraform) -> str:
    """What Terraform's `file()` reads for the saved definition, path.module being infra/terraform."""
    definition = tf.resource("aws_cloudwatch_query_definition", "run_story")
    assert expression(definition["query_string"]) == "local.run_story_query"
    match = re.fullmatch(
        r'file\("\$\{path\.module\}/([^"]+)"\)', expression(tf.locals["run_story_query"]) or ""
    )
    assert match, f"the saved query must be file() of the package's query: {tf.locals['run_story_query']}"
    path = (TERRAFORM_DIR / match.group(1)).resolve()
    assert path.is_file(), f"{path} does not exist"
    return path.read_text(encoding="utf-8")


def test_terraform_saves_exactly_the_query_the_package_ships(tf: Terraform) -> None:
    assert terraform_text(tf) == package_text()


def test_terraform_reads_the_file_inside_the_python_package(tf: Terraform) -> None:
    expected = ROOT / "adapters" / "aws" / "queries" / QUERY_FILE
    relative = re.search(r'\}/([^"]+)"', tf.locals["run_story_query"])

    assert relative and (TERRAFORM_DIR / relative.group(1)).resolve() == expected.resolve()


def test_the_saved_query_runs_over_the_runtime_log_group(tf: Terraform) -> None:
    definition = tf.resource("aws_cloudwatch_query_definition", "run_story")

    assert definition["log_group_names"] == ["${aws_cloudwatch_log_group.runtime.name}"]
    assert definition["name"] == "${var.project_name}/run-story"
    assert tf.outputs["run_story_query_name"]["value"] == (
        "${aws_cloudwatch_query_definition.run_story.name}"
    )


def test_the_query_shows_the_story_fields_of_one_run_in_time_order() -> None:
    commands = [c.strip() for c in package_text().split("|")]

    assert commands[0] == "fields " + ", ".join(FIELDS)
    assert commands[1] == f'filter run_id = "{PLACEHOLDER}"'
    assert commands[2] == "sort @timestamp asc"
    assert len(commands) == 3, "a limit or filter here would hide part of the story"


def test_the_placeholder_appears_once_and_any_valid_run_id_fills_it_as_is() -> None:
    text = package_text()

    assert text.count(PLACEHOLDER) == 1
    for run_id in ("demo-run-001", "A", "a.b_c-9", "x" * 64):
        assert re.fullmatch(RUN_ID_PATTERN, run_id)
        filled = text.replace(PLACEHOLDER, run_id)
        assert f'| filter run_id = "{run_id}"' in filled
    # Run ids cannot hold a quote, a backslash or a pipe, so the id cannot break out of the string.
    for hostile in ('a"b', "a\\b", "a|b", "a b"):
        assert not re.fullmatch(RUN_ID_PATTERN, hostile)


def test_the_query_file_ships_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    find = pyproject["tool"]["setuptools"]["packages"]["find"]

    assert "*.logsinsights" in package_data["*"]
    assert QUERY_PACKAGE in find_packages(where=str(ROOT), include=find["include"])


@pytest.mark.parametrize("path", sorted((ROOT / "adapters").rglob("*.logsinsights")), ids=lambda p: p.name)
def test_every_query_file_is_plain_text_ending_in_one_newline(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\t" not in text and all(line == line.rstrip() for line in text.splitlines())
