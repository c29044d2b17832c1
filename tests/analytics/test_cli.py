"""`ridesweep query` and `ridesweep report` as a user runs them (typer's runner, no subprocess)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from entrypoints.cli import app
from tests.analytics.conftest import REPLICATES, WrittenRun


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_json_output_is_an_array_of_row_objects(written_run: WrittenRun) -> None:
    code, output = invoke(
        "query", "health-ranking", "--run", written_run.run_id,
        "--results", written_run.settings.results_dir, "--top", "3", "--format", "json",
    )

    assert code == 0, output
    rows = json.loads(output)
    assert [r["health_rank"] for r in rows] == [1, 2, 3]
    assert isinstance(json.loads(rows[0]["selected_dimensions_json"]), dict)


def test_csv_output_has_a_header_and_one_line_per_row(written_run: WrittenRun) -> None:
    code, output = invoke(
        "query", "metrics-by-parameter", "--run", written_run.run_id,
        "--results", written_run.settings.results_dir, "--format", "csv",
    )

    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert len(rows) == 9 * REPLICATES  # nine points with results, every replicate
    assert (rows[0]["point_index"], rows[0]["replicate"]) == ("0", "0")


def test_sql_runs_with_named_parameters_and_prints_a_table(written_run: WrittenRun) -> None:
    code, output = invoke(
        "query", "--run", written_run.run_id, "--results", written_run.settings.results_dir,
        "--sql", "SELECT count(*) AS trips FROM trip_data WHERE run_id = :run_id",
    )

    assert code == 0, output
    assert "trips" in output and "1 row(s)" in output


def test_an_unknown_run_a_bad_preset_or_run_id_exits_2(written_run: WrittenRun) -> None:
    results = written_run.settings.results_dir
    assert invoke("query", "run-profile", "--run", "no-such-run", "--results", results)[0] == 2
    assert invoke("query", "nope", "--run", written_run.run_id, "--results", results)[0] == 2
    assert invoke("query", "run-profile", "--run", "x' OR 1=1 --", "--results", results)[0] == 2
    code, output = invoke("query", "--run", written_run.run_id, "--results", results, "--sql", "SELEC 1")
    assert code == 2 and "query failed" in output


def test_report_writes_one_html_page_with_embedded_figures(written_run: WrittenRun, tmp_path: Path) -> None:
    code, output = invoke(
        "report", written_run.run_id, "--results", written_run.settings.results_dir,
        "--out", str(tmp_path),
    )

    assert code == 0, output
    page = (tmp_path / f"report-{written_run.run_id}.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 3  # heat maps, time series, shard coverage
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert "num_drivers (drivers)" in page  # axis named with its unit
    assert "Health ranking" in page and "injected_failure" in page
    assert f"{REPLICATES} · common seeds" in page
    assert "overlaps the best cell" in page  # the legend of the heat maps' marks
    assert re.search(r"The top point \(#\d+\) is (not )?separable from the next", page)
    assert "Precision" in page and "replicates for ±5 %" in page
    assert "10th to 90th percentile" in page  # the band of the time series
    assert "http://" not in page and "https://" not in page  # self-contained


def test_report_of_a_run_without_any_result_still_shows_coverage(tmp_path: Path) -> None:
    from tests.analytics.conftest import run_sweep, sweep_request

    request = {**sweep_request("all-failed", "per_shard"), "failure_injection_shards": [0, 1, 2, 3]}
    settings = run_sweep(tmp_path / "results", request)

    code, output = invoke("report", "all-failed", "--results", settings.results_dir, "--out", str(tmp_path))

    assert code == 0, output
    page = (tmp_path / "report-all-failed.html").read_text(encoding="utf-8")
    assert "No point of this run has results yet" in page
    assert "Precision" not in page
    assert "0 of 4 shards succeeded" in page and page.count("injected_failure") == 4
