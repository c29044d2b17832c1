"""The secrets gate of ``make secrets`` fails on a secret the baseline does not list, and only then."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOOK = Path(sys.executable).with_name("detect-secrets-hook")


def gate(tmp_path: Path, *files: Path) -> int:
    """The hook as ``make secrets`` runs it: on a copy of the committed baseline."""
    baseline = tmp_path / "baseline.json"
    shutil.copy(REPO / ".secrets.baseline", baseline)
    return subprocess.run(
        [str(HOOK), "--baseline", str(baseline), *map(str, files)], capture_output=True, check=False
    ).returncode


@pytest.mark.skipif(not HOOK.exists(), reason="detect-secrets is not installed")
def test_a_new_secret_fails_the_gate_and_ordinary_code_passes(tmp_path: Path) -> None:
    # built at run time, so this file itself holds no secret for the scan to find
    access_key = "AKIA" + "J7QX2M4RB5TW9ZPL"
    leaky = tmp_path / "leaky.py"
    leaky.write_text(f'AWS_ACCESS_KEY_ID = "{access_key}"\n')
    plain = tmp_path / "plain.py"
    plain.write_text('RUN_ID = "demo-run-001"\n')
    assert gate(tmp_path, leaky) == 1
    assert gate(tmp_path, plain) == 0
