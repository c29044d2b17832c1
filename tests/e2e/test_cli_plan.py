"""`ridesweep plan` says what a run will cost before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from domain.manifest import RequestSource
from entrypoints.cli import app
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.cli.options import local_settings
from entrypoints.container import build_container
from tests.fixtures import SMALL_REQUEST

ROOT = Path(__file__).resolve().parents[2]
MILLION = {
    "run_id": "million",
    "dimensions": {
        "num_drivers": list(range(100, 110)),
        "commission_rate": [0.05 * k for k in range(1, 11)],
        "start_hour": list(range(10)),
        "base_fare": list(range(10)),
        "per_km_rate": list(range(10)),
        "max_quote_rejections": list(range(10)),
    },
    "shard_count": 1000,
    "seed": 1,
}


def plan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plan", *args])
    return result.exit_code, " ".join(result.output.split())


def test_plan_prints_simulations_cpu_time_writes_and_the_aws_price(tmp_path: Path) -> None:
    code, output = plan(str(ROOT / "examples" / "demo.json"), "--region", "eu-west-1")

    assert code == 0, output
    for expected in (
        "24 points × 3 replicates = 72 simulations",
        "CPU time",
        "this machine's speed measured just now",
        "writes, per_point 105 objects",
        "(this request's layout)",
        "writes, per_shard",
        "AWS Lambda (eu-west-1) 6 invocations",
        "AWS SQS",
        "AWS S3 105 PUT",
        "list prices of",
    ):
        assert expected in output, expected
    assert "warning" not in output
    assert not (tmp_path / "results").exists()


def test_a_million_point_plan_warns_of_millions_of_objects_and_suggests_per_shard(tmp_path: Path) -> None:
    request = tmp_path / "million.json"
    request.write_text(json.dumps(MILLION))

    code, output = plan(str(request), "--no-calibrate", "--show", "0")

    assert code == 0, output
    assert "1,000,000 points" in output
    assert "writes, per_point 4,001,003 objects" in output
    assert "warning: the run writes 4,001,003 objects (over 100,000)" in output
    assert '"output_layout": "per_shard" writes 5,003 objects' in output


def test_an_unknown_region_is_an_invalid_flag(tmp_path: Path) -> None:
    code, output = plan(str(ROOT / "examples" / "demo.json"), "--region", "eu-wset-1", "--no-calibrate")

    assert code == ExitCode.INVALID
    assert "did you mean 'eu-west-1'" in output and "valid request" not in output


def _accept(request: dict[str, object], results: Path) -> None:
    """The run of ``request`` accepted in ``results``, as `run` or the API would, none of it run."""
    container = build_container(local_settings(results))
    container.submit_sweep(request, RequestSource(kind="cli"))


def _invoke(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output.strip().splitlines()


def test_plan_of_a_run_id_taken_by_another_request_ends_with_the_conflict_run_would_meet(
    tmp_path: Path,
) -> None:
    results = tmp_path / "results"
    _accept(SMALL_REQUEST, results)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**SMALL_REQUEST, "seed": SMALL_REQUEST["seed"] + 1}))

    code, lines = _invoke("plan", str(other), "--results", str(results), "--no-calibrate")
    run_code, run_lines = _invoke("run", str(other), "--results", str(results))

    assert code == run_code == ExitCode.CONFLICT
    assert lines[0] == "valid request for run small-run" and any("AWS total" in line for line in lines)
    assert lines[-1] == run_lines[-1]
    assert lines[-1].startswith(
        "conflict: run_id 'small-run' was already accepted with a different request (request_fingerprint"
    )
    assert not any("exists" in line for line in lines)


def test_plan_of_the_accepted_request_says_the_run_exists_and_run_resumes_it(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _accept(SMALL_REQUEST, results)
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))

    code, lines = _invoke("plan", str(request), "--results", str(results), "--no-calibrate")

    assert code == ExitCode.OK
    last = " ".join(" ".join(lines[-2:]).split())
    assert f"run small-run exists in {results} (accepted " in last
    assert "with this same request: `ridesweep run` resumes it" in last


def test_plan_of_a_free_run_id_says_nothing_of_a_run_and_writes_nothing(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SMALL_REQUEST))

    code, lines = _invoke("plan", str(request), "--results", str(tmp_path / "results"), "--no-calibrate")

    assert code == ExitCode.OK
    assert lines[-1].split()[:2] == ["AWS", "total"]
    assert not (tmp_path / "results").exists()
