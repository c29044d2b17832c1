"""Every user error of the CLI is one line on stderr and the exit code `ridesweep --help` documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.errors import RequestValidationError, RunConflict, RunNotFound
from entrypoints.cli import app
from entrypoints.cli.exit_codes import ExitCode, UsageError, failure_of
from entrypoints.settings import SettingsError
from ports.errors import TransientError
from ports.run_queries import QueryFailed
from tests.fixtures import SMALL_REQUEST


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RequestValidationError([]), ExitCode.INVALID),
        (SettingsError("MAX_SHARDS: not a number"), ExitCode.INVALID),
        (UsageError("give either a PRESET or --sql"), ExitCode.INVALID),
        (QueryFailed("syntax error"), ExitCode.INVALID),
        (RunConflict("r", "a" * 64, "b" * 64), ExitCode.CONFLICT),
        (RunNotFound("r"), ExitCode.INVALID),
        (TransientError("throttled"), ExitCode.ENVIRONMENT),
        (PermissionError("results: permission denied"), ExitCode.ENVIRONMENT),
    ],
)
def test_each_user_error_has_its_exit_code(error: Exception, code: ExitCode) -> None:
    failure = failure_of(error)

    assert failure is not None and failure.code == code


def test_a_bug_is_not_dressed_as_a_user_error() -> None:
    assert failure_of(KeyError("oops")) is None


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["--help"])

    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Exit codes:" in text and "4 the machine or AWS failed" in text
    assert "5 the run is not finished" in text


def test_status_on_aws_needs_only_the_bucket_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SWEEP_RESULTS_BUCKET", "SHARD_QUEUE_URL", "SWEEP_BACKEND"):
        monkeypatch.delenv(name, raising=False)

    result = CliRunner().invoke(app, ["status", "some-run", "--backend", "aws"])

    assert result.exit_code == ExitCode.INVALID
    assert "SWEEP_RESULTS_BUCKET" in result.output
    assert "SHARD_QUEUE_URL" not in result.output


def test_a_results_directory_that_cannot_be_written_exits_4_without_a_traceback(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")

    result = CliRunner().invoke(app, ["run", str(request), "--results", str(blocked / "results")])

    assert result.exit_code == ExitCode.ENVIRONMENT
    assert "Traceback" not in result.output
    assert "is not a directory" in result.output and str(blocked) in result.output


def test_workers_with_the_aws_backend_is_a_usage_error(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))

    result = CliRunner().invoke(app, ["run", str(request), "--backend", "aws", "--workers", "2"])

    assert result.exit_code == ExitCode.INVALID
    assert "ridesweep worker" in result.output


def test_a_request_with_one_fault_is_one_line_naming_the_field_and_the_closest_name(tmp_path: Path) -> None:
    request = {**SMALL_REQUEST, "base_parameters": {"num_driver": 50}}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))

    result = CliRunner().invoke(app, ["plan", str(path)])

    assert result.exit_code == ExitCode.INVALID
    assert result.output.strip().splitlines() == [
        "invalid request: base_parameters.num_driver: unknown parameter 'num_driver'; did you mean "
        "'num_drivers'? (docs/model.md lists every parameter)"
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["status", "../etc"],
        ["status", "../etc", "--backend", "aws", "--bucket", "some-bucket"],
        ["watch", "../etc"],
        ["cancel", "../etc"],
        ["logs", "../etc"],
        ["query", "run-profile", "--run", "../etc"],
        ["report", "../etc"],
    ],
)
def test_an_invalid_run_id_is_named_invalid_with_the_rule_not_looked_for(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(app, command)

    assert result.exit_code == ExitCode.INVALID
    assert result.output.strip().splitlines() == [
        "error: '../etc' is not a valid run id: a run id must be 1 to 64 characters of letters, "
        "digits, '.', '_' or '-', starting with a letter or digit (no spaces, '/' or '=')"
    ]
    assert not (tmp_path / "results").exists()
