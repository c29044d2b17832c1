"""`pip install .` gives a complete `ridesweep`, whatever directory it then runs in.

    python3 infra/install_check.py [--keep]

Copies the checkout's files (tracked, and new ones git does not ignore) to a temporary directory,
installs them with plain ``pip install`` (not editable, no extras) into a fresh virtual
environment, then, from another empty directory, runs what a new user runs: ``--version``,
``params``, ``plan``, ``run``, ``status``, every ``query`` preset and ``report``. Each must exit 0
(or as documented) without reading anything from the checkout. Prints one line per command and
ends with ``install-check: passed`` or ``install-check: failed``. ``make install-check`` runs it;
``.ci/run`` runs it after ``make test``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST = {
    "run_id": "install-check",
    "dimensions": {"num_drivers": [20, 40], "commission_rate": [0.1, 0.3]},
    "base_parameters": {"num_riders": 80, "request_window_minutes": 20, "simulation_minutes": 40},
    "shard_count": 2,
    "replicates": 2,
    "seed": 3,
}


def checkout_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


def copy_checkout(target: Path) -> None:
    for name in checkout_files():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination)


def step(label: str, argv: list[str], cwd: Path, expect: int = 0) -> bool:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    ok = done.returncode == expect
    print(f"{'ok  ' if ok else 'FAIL'} {label:<40} exit {done.returncode:<3} {seconds:5.1f} s", flush=True)
    if not ok:
        print((done.stdout + done.stderr).strip()[-2000:], file=sys.stderr)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="install-check-"))
    try:
        source, environment, elsewhere = tmp / "source", tmp / "venv", tmp / "elsewhere"
        copy_checkout(source)
        elsewhere.mkdir()
        venv.create(environment, with_pip=True)
        python = environment / "bin" / "python"
        cli = str(environment / "bin" / "ridesweep")
        started = time.monotonic()
        install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)]
        if not step("pip install . (fresh venv)", install, elsewhere):
            return 1
        print(f"     installed in {time.monotonic() - started:.0f} s", flush=True)
        shutil.rmtree(source)  # nothing may be read from the checkout's copy from here on
        (elsewhere / "request.json").write_text(json.dumps(REQUEST), encoding="utf-8")
        presets = subprocess.run(
            [str(python), "-c", "from application.analytics.query_pack import PRESETS; print(*PRESETS)"],
            cwd=elsewhere, capture_output=True, text=True, check=True,
        ).stdout.split()
        steps: list[tuple[str, list[str]]] = [
            ("--version", ["--version"]),
            ("params --format json", ["params", "--format", "json"]),
            ("plan", ["plan", "request.json"]),
            ("run", ["run", "request.json", "--workers", "2"]),
            ("status", ["status", "install-check"]),
            *[(f"query {p}", ["query", p, "--run", "install-check"]) for p in presets],
            ("report", ["report", "install-check"]),
        ]
        results = [step(label, [cli, *argv], elsewhere) for label, argv in steps]
        report = elsewhere / "results" / "reports" / "report-install-check.html"
        results.append(report.is_file() and report.stat().st_size > 10_000)
        if not results[-1]:
            print(f"FAIL the report page {report} is missing or empty", file=sys.stderr)
        passed = all(results)
        print(f"install-check: {'passed' if passed else 'failed'} ({len(steps)} commands from {elsewhere})")
        return 0 if passed else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
