"""Each failure a user can meet on this machine, as the CLI reports it: one line on stderr naming the
cause and the fix, and its documented exit code (never 1, which means a shard failed)."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from adapters.local.file_blob_store import FileBlobStore
from entrypoints.cli import app
from entrypoints.cli.diagnoses import Where, diagnose
from entrypoints.cli.exit_codes import ExitCode, failure_of
from ports.errors import TransientError
from tests.fixtures import SMALL_REQUEST


def ridesweep(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(SMALL_REQUEST))
    return path


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SWEEP_BACKEND", "SWEEP_RESULTS_DIR", "MAX_SHARDS", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SWEEP_BACKEND", "bogus", "SWEEP_BACKEND='bogus': must be one of memory, local, aws"),
        ("SWEEP_BACKEND", "AWS", "did you mean 'aws'?"),
        ("SWEEP_BACKEND", "memory", "SWEEP_BACKEND=memory keeps results only inside one process"),
        ("MAX_SHARDS", "many", "MAX_SHARDS='many': must be a whole number from 1 to 100,000"),
        ("ALLOW_FAILURE_INJECTION", "maybe", "must be true or false"),
    ],
)
def test_an_invalid_setting_is_named_with_what_it_must_be(
    clean_env: None, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    code, output = ridesweep("status", "some-run", "--results", str(tmp_path), env={variable: value})

    assert code == ExitCode.INVALID
    assert expected in one_line_error(output)


def test_sweep_backend_chooses_the_backend_of_every_command(clean_env: None, tmp_path: Path) -> None:
    code, output = ridesweep(
        "status", "some-run", env={"SWEEP_BACKEND": "aws", "SWEEP_RESULTS_BUCKET": ""}
    )

    assert code == ExitCode.INVALID
    assert "SWEEP_RESULTS_BUCKET" in one_line_error(output)


def test_a_request_file_that_is_missing_or_not_json_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")

    missing_code, missing = ridesweep("run", str(tmp_path / "nope.json"), "--results", str(tmp_path))
    broken_code, not_json = ridesweep("run", str(broken), "--results", str(tmp_path))

    assert (missing_code, broken_code) == (ExitCode.INVALID, ExitCode.INVALID)
    assert "does not exist" in one_line_error(missing)
    assert "is not valid JSON" in one_line_error(not_json)


@pytest.mark.parametrize(
    ("error_number", "expected"),
    [
        (errno.ENOSPC, "no space left on the device of"),
        (errno.EACCES, "permission denied on"),
        (errno.EROFS, "read-only file system on"),
    ],
)
def test_a_results_directory_that_cannot_take_the_results_exits_4(
    request_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error_number: int, expected: str
) -> None:
    def refuse(self: FileBlobStore, path: str, data: bytes) -> str:
        raise OSError(error_number, errno.errorcode[error_number], path)

    monkeypatch.setattr(FileBlobStore, "_write_temp", refuse)

    code, output = ridesweep("run", str(request_file), "--results", str(tmp_path / "results"))

    assert code == ExitCode.ENVIRONMENT
    line = one_line_error(output)
    assert expected in line and str(tmp_path / "results") in line


def test_report_out_that_cannot_be_written_exits_4_naming_the_path(
    request_file: Path, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    assert ridesweep("run", str(request_file), "--results", str(results))[0] == 0
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")

    code, output = ridesweep("report", "small-run", "--results", str(results), "--out", str(in_the_way / "x"))

    assert code == ExitCode.ENVIRONMENT
    assert f"{in_the_way / 'x'} is not a directory (a file is in the way)" in one_line_error(output)


class FullDisk:
    """A file whose writes fail as on a full device: OSError(ENOSPC) naming no file."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        pass

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    def write(self, _data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_names_the_results_directory_and_leaves_no_partial_file(
    request_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.local.file_blob_store as file_blob_store

    results = tmp_path / "results"
    monkeypatch.setattr(file_blob_store.os, "fdopen", FullDisk)

    code, output = ridesweep("run", str(request_file), "--results", str(results))

    assert code == ExitCode.ENVIRONMENT
    line = one_line_error(output)
    assert "no space left on the device of" in line and str(results) in line
    assert not list(results.rglob("*.part"))


def test_report_on_a_full_disk_names_the_page_and_leaves_no_partial_page(
    request_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results"
    assert ridesweep("run", str(request_file), "--results", str(results))[0] == 0
    write_text = Path.write_text

    def full_disk(self: Path, data: str, *args: object, **kwargs: object) -> int:
        if self.suffix != ".html":
            return write_text(self, data, *args, **kwargs)  # type: ignore[arg-type]
        write_text(self, data[:10], encoding="utf-8")  # the device filled up part-way
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    out = tmp_path / "reports"

    code, output = ridesweep("report", "small-run", "--results", str(results), "--out", str(out))

    assert code == ExitCode.ENVIRONMENT
    assert f"no space left on the device of {out / 'report-small-run.html'}" in one_line_error(output)
    assert not list(out.iterdir())


def test_report_out_that_is_a_file_says_a_file_is_in_the_way(request_file: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    assert ridesweep("run", str(request_file), "--results", str(results))[0] == 0
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")

    code, output = ridesweep("report", "small-run", "--results", str(results), "--out", str(in_the_way))

    assert code == ExitCode.ENVIRONMENT
    assert f"{in_the_way} is not a directory (a file is in the way)" in one_line_error(output)


def test_a_damaged_results_file_names_the_file_and_how_to_recompute_it(
    request_file: Path, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    assert ridesweep("run", str(request_file), "--results", str(results))[0] == 0
    damaged = sorted(results.rglob("dataset=shard_metrics/**/*.parquet"))[0]
    damaged.write_bytes(b"not parquet")

    code, output = ridesweep("query", "run-profile", "--run", "small-run", "--results", str(results))

    assert code == ExitCode.ENVIRONMENT
    line = one_line_error(output)
    assert str(damaged) in line and "success outcome" in line and "run the same request again" in line


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))

    quiet = CliRunner().invoke(app, ["run", str(request), "--results", str(in_the_way / "r")])
    loud = CliRunner().invoke(app, ["--debug", "run", str(request), "--results", str(in_the_way / "r")])

    assert quiet.exit_code == loud.exit_code == ExitCode.ENVIRONMENT
    assert "Traceback" not in quiet.output
    assert "Traceback" in loud.output and "NotADirectoryError" in loud.output


def client_error(code: str, operation: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("AccessDenied", "PutObject", 403), "access denied: s3:PutObject on s3://results"),
        (client_error("AccessDenied", "SendMessageBatch", 403), "access denied: sqs:SendMessageBatch"),
        (client_error("ExpiredToken", "GetObject", 400), "the AWS credentials have expired: run `aws sso"),
        (client_error("InvalidAccessKeyId", "GetObject", 403), "AWS rejected the credentials"),
        (client_error("NoSuchBucket", "GetObject", 404), "the results bucket s3://results does not exist"),
        (
            TransientError("receive: throttled"),
            "AWS kept failing after retries (receive: throttled): wait a little",
        ),
    ],
)
def test_aws_refusals_name_the_cause_and_the_fix(error: Exception, expected: str) -> None:
    diagnosis = diagnose(error, Where(bucket="results", queue_url="https://sqs/q"))
    failure = failure_of(error)

    assert diagnosis is not None and expected in diagnosis.line()
    assert failure is not None and failure.code == ExitCode.ENVIRONMENT
    assert "\n" not in diagnosis.line()
