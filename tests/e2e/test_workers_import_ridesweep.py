"""Local workers run ridesweep's own code whatever the directory `ridesweep run` is started from:
a user's project may well hold a `domain/` or `adapters/` package of its own (or be a checkout of
another version of ridesweep), and the workers' forkserver must not import it instead."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures import SMALL_REQUEST

CLI = str(Path(sys.executable).with_name("ridesweep"))


def test_a_run_started_in_a_directory_with_packages_of_the_same_names_runs_ridesweeps_code(
    tmp_path: Path,
) -> None:
    project = tmp_path / "someone-elses-project"
    for package in ("domain", "adapters", "application", "entrypoints"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text(
            f"raise RuntimeError('imported the project\\'s own {package} package')\n"
        )
    (project / "request.json").write_text(json.dumps(SMALL_REQUEST))

    done = subprocess.run(
        [CLI, "run", "request.json", "--results", str(tmp_path / "results"), "--workers", "2"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported the project" not in done.stdout + done.stderr
