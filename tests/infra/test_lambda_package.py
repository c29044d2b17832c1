"""The pure-Python steps of infra/build_lambda.sh (the full build downloads ~150 MB of wheels and
runs by hand; see docs/runbook.md)."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.infra.conftest import ROOT

BUILD_SCRIPT = ROOT / "infra" / "build_lambda.sh"


def _package_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lambda_package", ROOT / "infra" / "lambda_package.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lp = _package_module()


def make_site(root: Path) -> Path:
    site = root / "site"
    files = {
        "entrypoints/lambda_handler.py": "handler = None\n",
        "pyarrow/__init__.py": "",
        "pyarrow/lib.so": "\0" * 64,
        "pyarrow/tests/test_x.py": "assert True\n",
        "pyarrow/include/arrow/api.h": "#pragma once\n",
        "pyarrow/_flight.cpython-312-x86_64-linux-gnu.so": "flight",
        "pyarrow/libarrow_s3.so.2600": "s3",
        "pyarrow/__init__.pyi": "stub",
        "numpy/testing/__init__.py": "",
        "numpy/_core/tests/test_y.py": "",
        "scipy/optimize/__init__.py": "",
        "scipy/stats/__init__.py": "",
        "dependency_injector/providers.c": "/* generated */",
        "structlog/__pycache__/x.cpython-311.pyc": "old",
    }
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return site


def test_requirements_are_the_project_dependencies_without_boto3() -> None:
    requirements = lp.runtime_requirements(ROOT / "pyproject.toml")
    names = {lp._requirement_name(r) for r in requirements}

    assert "boto3" not in names
    assert {"pydantic", "dependency-injector", "pyarrow", "numpy", "scipy", "structlog"} <= names
    assert not {"typer", "rich", "duckdb", "matplotlib"} & names, "the command line's libraries stay out"


def test_a_plain_install_has_the_command_line_and_the_zip_does_not() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    core = {lp._requirement_name(d) for d in declared}
    runtime = {lp._requirement_name(r) for r in lp.runtime_requirements(ROOT / "pyproject.toml")}

    assert core >= lp.TERMINAL_ONLY, "`pip install .` must give a complete CLI"
    assert core - runtime == lp.TERMINAL_ONLY | {"boto3"}, "only what the runtime never loads is left out"


def test_every_runtime_dependency_is_pinned_in_the_constraints() -> None:
    pinned = {
        lp._requirement_name(line)
        for line in (ROOT / "infra" / "lambda-constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    required = {lp._requirement_name(r) for r in lp.runtime_requirements(ROOT / "pyproject.toml")}

    assert required <= pinned, f"unpinned: {required - pinned}"


def test_trim_removes_tests_headers_sources_flight_s3_and_unused_scipy(tmp_path: Path) -> None:
    site = make_site(tmp_path)

    lp.trim(site, readelf="true")

    remaining = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert remaining == {
        "entrypoints/lambda_handler.py",
        "pyarrow/__init__.py",
        "pyarrow/lib.so",
        "numpy/testing/__init__.py",
        "scipy/optimize/__init__.py",
    }


def test_zip_is_reproducible_whatever_the_file_times(tmp_path: Path) -> None:
    site = make_site(tmp_path / "a")
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    lp.write_zip(site, first)
    for path in site.rglob("*"):
        path.touch()
    lp.write_zip(site, second)

    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_input_hash_changes_with_sources_and_architecture(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for name in lp.HASHED_INPUTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, encoding="utf-8")
    for package in lp.OUR_PACKAGES:
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("", encoding="utf-8")
    before = lp.input_hash(root, "arm64")

    (root / "domain" / "__init__.py").write_text("x = 1\n", encoding="utf-8")

    assert lp.input_hash(root, "arm64") != before
    assert lp.input_hash(root, "arm64") != lp.input_hash(root, "x86_64")


def test_report_fails_above_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    archive = tmp_path / "p.zip"
    lp.write_zip(site, archive)

    assert lp.report(site, archive, limit=10**9) == 0
    assert lp.report(site, archive, limit=10) == 1
    assert "over the Lambda limit" in capsys.readouterr().err


def test_build_script_uses_both_manylinux_platforms_and_python312() -> None:
    text = BUILD_SCRIPT.read_text(encoding="utf-8")

    assert '--platform "manylinux2014_$WHEEL_ARCH" --platform "manylinux_2_28_$WHEEL_ARCH"' in text
    assert "--only-binary=:all: --python-version 3.12" in text
    assert "compileall" in text and "unchecked-hash" in text
    assert "LIMIT_BYTES=$((250 * 1024 * 1024))" in text


@pytest.mark.skipif(
    shutil.which("readelf") is None or shutil.which("cc") is None, reason="needs readelf and cc"
)
def test_linkcheck_reports_a_library_that_a_trim_removed(tmp_path: Path) -> None:
    import subprocess

    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n", encoding="utf-8")
    (tmp_path / "ext.c").write_text("int dep(void); int ext(void) { return dep(); }\n")
    subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            "-o",
            str(site / "libdep.so"),
            str(tmp_path / "dep.c"),
            "-Wl,-soname,libdep.so",
        ],
        check=True,
    )
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(site / "ext.so"), str(tmp_path / "ext.c"), f"-L{site}", "-ldep"],
        check=True,
    )
    assert lp.linkcheck(site, "readelf") == []

    (site / "libdep.so").unlink()

    assert lp.linkcheck(site, "readelf") == ["ext.so needs libdep.so, which is not shipped"]
