"""`ridesweep plan` and `run` count simulations (points × replicates), not only points."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from entrypoints.cli import app
from tests.fixtures import request

REPLICATED = request(
    run_id="replicated-run",
    dimensions={"num_drivers": [4, 8, 12], "commission_rate": [0.1, 0.25]},
    base_parameters={"num_riders": 30, "request_window_minutes": 15, "simulation_minutes": 25},
    shard_count=2,
    replicates=4,
    seed_strategy="common",
    failure_injection_shards=[],
)


def invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(REPLICATED))
    outcome = CliRunner().invoke(app, [args[0], str(request_file), *args[1:]])
    return outcome.exit_code, outcome.output


def test_plan_shows_points_replicates_and_simulations(tmp_path: Path) -> None:
    code, output = invoke(tmp_path, "plan")

    assert code == 0, output
    assert "6 points × 4 replicates = 24 simulations" in output
    assert "common seeds" in output
    # shard 0: start 0, end 3, 3 points, 12 simulations
    assert re.search(r"^\s*0\s+0\s+3\s+3\s+12\s*$", output, re.MULTILINE), output


def test_run_counts_simulations_and_prints_one_row_of_means_per_point(tmp_path: Path) -> None:
    code, output = invoke(tmp_path, "run", "--results", str(tmp_path / "results"))

    assert code == 0, output
    assert "6 points × 4 replicates = 24 simulations in 2 shards" in output
    assert "24/24" in output  # the progress bar counts simulations
    assert re.search(r"24 simulations in [\d.]+ s \([\d.]+ simulations/s\)", output), output
    assert "means of 4 replicates" in output
    assert re.search(r"ridesweep\s+query\s+precision\s+--run\s+replicated-run", output)  # the next step
    # point, shard, commission_rate, num_drivers, conversion %, ...
    rows = [line for line in output.splitlines() if re.match(r"\s*\d+\s+\d+\s+[\d.]+\s+\d+\s+[\d.]+%", line)]
    assert [int(r.split()[0]) for r in rows] == list(range(6))


def test_the_readmes_pilot_plans_120_simulations() -> None:
    pilot = Path(__file__).resolve().parents[2] / "examples" / "pilot.json"

    outcome = CliRunner().invoke(app, ["plan", str(pilot)])

    assert outcome.exit_code == 0, outcome.output
    assert "12 points × 10 replicates = 120 simulations" in outcome.output
    assert "common seeds" in outcome.output


def test_run_shows_each_points_conversion_with_the_interval_point_summary_gives(tmp_path: Path) -> None:
    results = tmp_path / "results"
    code, output = invoke(tmp_path, "run", "--results", str(results), "--workers", "1")
    assert code == 0, output
    row = re.compile(r"^\s*(\d+)\s+\d+\s+[\d.]+\s+\d+\s+([\d.]+)% ± ([\d.]+)\s", re.MULTILINE)
    shown = {int(match[1]): (float(match[2]), float(match[3])) for match in row.finditer(output)}
    assert sorted(shown) == list(range(6)), output

    summary = CliRunner().invoke(
        app,
        ["query", "point-summary", "--run", "replicated-run", "--results", str(results), "--format", "json"],
    )
    assert summary.exit_code == 0, summary.output
    rows = [row for row in json.loads(summary.output) if row["metric"] == "conversion_rate"]
    assert len(rows) == 6
    for row in rows:
        mean, half_width = shown[row["point_index"]]
        # shown to 0.1 point; the preset's sums may differ from the table's in the last bits
        assert abs(mean - 100 * row["mean"]) <= 0.05 + 1e-9
        assert abs(half_width - 100 * row["half_width"]) <= 0.05 + 1e-9
