"""`--backend aws`: the same presets over S3 (moto server on loopback) through pyarrow's S3 filesystem."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

from application.analytics.query_pack import PRESETS
from entrypoints.cli import app
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.analytics.conftest import WrittenRun, same_answers

pytestmark = pytest.mark.moto
PRESET_VALUES = {"point_index": 7, "replicate": 1, "top_n": 20}


def upload(run: WrittenRun, s3: Any, bucket: str) -> None:
    results_dir = run.root.parent
    for path in results_dir.rglob("*"):
        if path.is_file() and f"run_id={run.run_id}" in path.as_posix():
            s3.put_object(Bucket=bucket, Key=path.relative_to(results_dir).as_posix(), Body=path.read_bytes())


@pytest.fixture
def bucket(aws_env: str, moto_s3: Any, written_runs: dict[str, WrittenRun]) -> str:
    name = f"analytics-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(Bucket=name)
    for run in written_runs.values():
        upload(run, moto_s3, name)
    return name


def test_presets_over_s3_answer_as_over_the_local_directory(bucket: str, written_run: WrittenRun) -> None:
    aws = Settings(
        SWEEP_BACKEND="aws",
        SWEEP_RESULTS_BUCKET=bucket,
        SWEEP_RESULTS_PREFIX=written_run.settings.results_prefix,
    )
    presets = PRESETS

    with build_container(aws).open_run_analytics(written_run.run_id) as over_s3:
        remote = {name: over_s3.preset(name, PRESET_VALUES).rows for name in presets}
    with build_container(written_run.settings).open_run_analytics(written_run.run_id) as local:
        expected = {name: local.preset(name, PRESET_VALUES).rows for name in presets}

    same_answers(remote, expected)
    assert all(remote[name] for name in presets)


def test_query_command_reads_the_bucket_named_by_the_settings(
    bucket: str, written_runs: dict[str, WrittenRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEP_RESULTS_BUCKET", bucket)
    run = written_runs["per_shard"]

    result = CliRunner().invoke(
        app,
        ["query", "shard-coverage", "--run", run.run_id, "--backend", "aws", "--format", "json"],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["missing_shard_ids"] == [1]
