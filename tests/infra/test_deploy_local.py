"""infra/deploy_local.sh stops before building or applying anything without an AWS session."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.infra.conftest import ROOT

SCRIPT = ROOT / "infra" / "deploy_local.sh"


def shim(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """A PATH directory whose aws answers like an expired SSO session and whose terraform only
    records that it was called."""
    directory = tmp_path / "bin"
    directory.mkdir()
    calls = tmp_path / "calls.log"
    shim(
        directory,
        "aws",
        f'echo "aws $*" >> "{calls}"\n'
        'echo "Error when retrieving token from sso: Token has expired and refresh failed" >&2\n'
        "exit 255",
    )
    shim(directory, "terraform", f'echo "terraform $*" >> "{calls}"\nexit 0')
    return directory


def run_deploy(fake_bin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    python_dir = str(Path(shutil.which("python3") or "/usr/bin/python3").parent)
    env = {
        "PATH": os.pathsep.join([str(fake_bin), python_dir, "/usr/bin", "/bin"]),
        "HOME": str(fake_bin.parent),
        "AWS_CONFIG_FILE": str(fake_bin.parent / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(fake_bin.parent / "no-credentials"),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_without_credentials_it_stops_with_the_sso_login_message(fake_bin: Path) -> None:
    result = run_deploy(fake_bin)

    assert result.returncode != 0
    assert "aws sso login" in result.stderr
    assert "Token has expired" in result.stderr, "the AWS CLI's own reason is shown too"


def test_without_credentials_nothing_is_built_or_applied(fake_bin: Path) -> None:
    result = run_deploy(fake_bin, "--force-rebuild", "-var", "aws_region=eu-west-1")
    calls = (fake_bin.parent / "calls.log").read_text(encoding="utf-8").splitlines()

    assert result.returncode != 0
    assert calls == ["aws sts get-caller-identity --output text --query Arn"]
    assert "== Lambda package" not in result.stdout


def test_the_profile_in_use_is_named_in_the_login_command(fake_bin: Path) -> None:
    env_profile = {"AWS_PROFILE": "sandbox"}
    python_dir = str(Path(shutil.which("python3") or "/usr/bin/python3").parent)
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        env={
            "PATH": os.pathsep.join([str(fake_bin), python_dir, "/usr/bin", "/bin"]),
            "HOME": str(fake_bin.parent),
            **env_profile,
        },
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "aws sso login --profile sandbox" in result.stderr


def test_a_missing_tool_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    shim(empty, "aws", "exit 0")  # terraform is missing

    python_dir = str(Path(shutil.which("python3") or "/usr/bin/python3").parent)
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        env={"PATH": os.pathsep.join([str(empty), python_dir, "/bin"]), "HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "terraform is not installed" in result.stderr


def test_an_unknown_architecture_is_refused_before_anything_runs(fake_bin: Path) -> None:
    result = run_deploy(fake_bin, "-var", "lambda_architecture=sparc")

    assert result.returncode != 0
    assert "lambda_architecture must be arm64 or x86_64" in result.stderr
    assert not (fake_bin.parent / "calls.log").exists()
