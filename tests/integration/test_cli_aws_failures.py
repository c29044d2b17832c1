"""AWS failures as the CLI reports them, against moto server: a missing bucket or queue is found
before anything starts, and credentials, region and endpoint problems are one line with the fix."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app
from entrypoints.cli.exit_codes import ExitCode
from tests.fixtures import SMALL_REQUEST
from tests.integration.conftest import AwsStack

pytestmark = pytest.mark.moto


def ridesweep(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


def test_run_on_a_missing_bucket_stops_before_submitting(aws_stack: AwsStack, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))

    code, output = ridesweep("run", str(request), "--bucket", "no-such-bucket")

    assert code == ExitCode.ENVIRONMENT
    assert "the results bucket s3://no-such-bucket does not exist: create it" in error_line(output)
    assert aws_stack.queue_depth(aws_stack.queue_url) == 0


def test_worker_on_a_missing_queue_stops_before_polling(aws_stack: AwsStack) -> None:
    missing = aws_stack.queue_url.rsplit("/", 1)[0] + "/no-such-queue"

    code, output = ridesweep("worker", "--drain", "--queue-url", missing)

    assert code == ExitCode.ENVIRONMENT
    assert f"the shard queue {missing} does not exist" in error_line(output)


@pytest.mark.parametrize("missing", ["bucket", "queue"])
def test_serve_on_a_missing_bucket_or_queue_stops_before_serving(aws_stack: AwsStack, missing: str) -> None:
    flag, value, expected = (
        ("--bucket", "no-such-bucket", "the results bucket s3://no-such-bucket does not exist")
        if missing == "bucket"
        else (
            "--queue-url",
            aws_stack.queue_url + "-gone",
            f"the shard queue {aws_stack.queue_url}-gone does not exist",
        )
    )
    cli = str(Path(sys.executable).with_name("ridesweep"))

    # A subprocess with a bound: a serve that did not check would serve until stopped.
    done = subprocess.run(
        [cli, "serve", "--backend", "aws", "--port", "0", flag, value],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )

    assert done.returncode == ExitCode.ENVIRONMENT, done.stdout + done.stderr
    assert expected in error_line(done.stderr)
    assert "serving on" not in done.stdout


@pytest.mark.parametrize(
    "command",
    [("query", "run-profile", "--run", "some-run"), ("report", "some-run")],
    ids=["query", "report"],
)
def test_query_and_report_take_the_bucket_flag_as_every_aws_command_does(
    aws_stack: AwsStack, command: tuple[str, ...]
) -> None:
    code, output = ridesweep(*command, "--backend", "aws", "--bucket", "no-such-bucket", "--prefix", "p")

    assert code == ExitCode.ENVIRONMENT
    assert "the results bucket s3://no-such-bucket does not exist" in error_line(output)


@pytest.mark.parametrize("command", [["watch"], ["status"], ["cancel"], ["logs"]])
def test_a_missing_bucket_is_the_one_line_of_output(aws_stack: AwsStack, command: list[str]) -> None:
    code, output = ridesweep(*command, "demo-run-001", "--backend", "aws", "--bucket", "no-such-bucket")

    assert code == ExitCode.ENVIRONMENT
    assert output.splitlines() == [error_line(output)]
    assert "the results bucket s3://no-such-bucket does not exist" in output


def test_plan_looks_its_run_id_up_in_the_bucket_run_would_use(aws_stack: AwsStack, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**SMALL_REQUEST, "seed": SMALL_REQUEST["seed"] + 1}))

    missing_code, missing = ridesweep("plan", str(request), "--no-calibrate", "--bucket", "no-such-bucket")
    free_code, _ = ridesweep("plan", str(request), "--no-calibrate")
    ridesweep("run", str(request))
    taken_code, taken = ridesweep("plan", str(other), "--no-calibrate")

    assert missing_code == ExitCode.ENVIRONMENT
    assert missing.splitlines() == [error_line(missing)]
    assert "the results bucket s3://no-such-bucket does not exist" in missing
    assert free_code == ExitCode.OK
    assert taken_code == ExitCode.CONFLICT
    assert taken.splitlines()[-1].startswith("conflict: run_id 'small-run' was already accepted with a")


def test_redrive_names_a_missing_dead_letter_queue(aws_stack: AwsStack) -> None:
    missing = aws_stack.dlq_url + "-gone"

    code, output = ridesweep("redrive", "--dlq-url", missing)

    assert code == ExitCode.ENVIRONMENT
    assert f"the dead-letter queue {missing} does not exist" in error_line(output)


def test_no_credentials_say_how_to_log_in(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    code, output = ridesweep("status", "some-run")

    assert code == ExitCode.ENVIRONMENT
    assert "no AWS credentials were found: run `aws sso login`" in error_line(output)


def test_no_region_says_which_variable_to_set(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    code, output = ridesweep("worker", "--drain")

    assert code == ExitCode.ENVIRONMENT
    assert "no AWS region is set: export AWS_DEFAULT_REGION" in error_line(output)


def test_an_unreachable_endpoint_is_named(aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")

    code, output = ridesweep("status", "some-run")

    assert code == ExitCode.ENVIRONMENT
    assert f"cannot reach http://127.0.0.1:{port}: check the network and AWS_ENDPOINT_URL" in error_line(
        output
    )


def test_an_unknown_run_on_s3_names_the_bucket(aws_stack: AwsStack) -> None:
    code, output = ridesweep("status", "no-such-run")

    assert code == ExitCode.INVALID
    assert f"s3://{aws_stack.bucket}" in error_line(output)


def test_the_worker_summary_names_a_shard_that_failed_for_good_and_exits_1(aws_stack: AwsStack) -> None:
    harness = aws_stack.harness()
    harness.post({**SMALL_REQUEST, "run_id": "summary-run", "failure_injection_shards": [1]})

    code, output = ridesweep("worker", "--drain")

    assert code == ExitCode.FAILED, output
    text = " ".join(output.split())
    assert "3 deliveries: 2 succeeded, 1 failed for good" in text
    assert "failed for good: run summary-run shard 1 (injected_failure)" in text
    assert "none handed back to the queue" in text
