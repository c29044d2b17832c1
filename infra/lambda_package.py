"""Steps of ``infra/build_lambda.sh`` that are easier to get right in Python than in bash.

Subcommands (all paths are directories or files on the build machine):

* ``requirements PYPROJECT``: the runtime dependencies of ``[project].dependencies`` minus boto3,
  which the Lambda runtime provides, and minus the command line's libraries (``TERMINAL_ONLY``),
  which the runtime never imports;
* ``input-hash ROOT ARCH``: SHA-256 over every input of the package (build scripts, pyproject,
  constraints, the sources of our packages, the architecture), the cache key of deploy_local.sh;
* ``copy-sources ROOT SITE``: our packages' ``.py``/``.json``/``.sql`` files into the package;
* ``trim SITE``: delete what the runtime never loads (tests, caches, C/Cython sources and headers,
  pyarrow's Flight and S3 bindings) and print what it removed;
* ``linkcheck SITE``: every ``DT_NEEDED`` of every ELF file in the package is either shipped in it
  or a library the manylinux policy lets wheels take from the system (works for any architecture);
* ``zip SITE OUT``: a reproducible zip (sorted entries, fixed timestamps and permissions);
* ``report SITE ZIP LIMIT_BYTES``: unzipped and zipped size, the largest packages; exit 1 above the limit.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

OUR_PACKAGES = ("domain", "application", "ports", "adapters", "entrypoints")
SOURCE_SUFFIXES = (".py", ".json", ".sql")
PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})
TERMINAL_ONLY = frozenset({"typer", "rich", "duckdb", "matplotlib"})
"""Core dependencies for the person at a terminal (the CLI, queries, the report): not in the zip."""
HASHED_INPUTS = (
    "pyproject.toml",
    "infra/build_lambda.sh",
    "infra/lambda_package.py",
    "infra/lambda-constraints.txt",
)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Directories and files the runtime never loads. Names are matched against path parts.
TRIM_DIR_NAMES = frozenset({"tests", "test", "__pycache__", "include", "src"})
TRIM_DIR_KEEP = frozenset(
    {
        # A directory that only looks like a test suite or headers.
        "numpy/testing",
        "scipy/_lib/_testutils",
    }
)
TRIM_SUFFIXES = (".pyc", ".pyo", ".pyx", ".pxd", ".pxi", ".c", ".cc", ".cpp", ".h", ".hpp")
# All S3 access goes through boto3, and nothing uses Arrow Flight; type stubs are for editors.
TRIM_GLOBS = (
    "pyarrow/_flight*.so",
    "pyarrow/libarrow_flight.so*",
    "pyarrow/libarrow_python_flight.so*",
    "pyarrow/_s3fs*.so",
    "pyarrow/libarrow_s3.so*",
    "pyarrow/flight.py",
    "pyarrow/_pyarrow_cpp_tests*.so",
    "**/*.pyi",
)
# scipy subpackages the service never imports. The simulation needs only
# scipy.optimize.linear_sum_assignment, whose import pulls in _lib, linalg, sparse, special,
# spatial, fft and constants; the smoke test runs the simulation with every matching algorithm, so
# a later use of a removed subpackage fails the build, not a Lambda.
SCIPY_UNUSED = (
    "cluster",
    "datasets",
    "differentiate",
    "fftpack",
    "integrate",
    "interpolate",
    "io",
    "misc",
    "ndimage",
    "odr",
    "signal",
    "stats",
)
# Libraries a manylinux wheel may take from the system (PEP 599/600), plus the dynamic loaders.
SYSTEM_LIBRARIES = re.compile(
    r"^(libc|libm|libdl|libpthread|librt|libutil|libgcc_s|libstdc\+\+|libcrypt|libnsl|libz"
    r"|libexpat|libresolv|ld-linux[-a-z0-9_]*|ld-linux)\.so(\.\d+)*$"
)


def runtime_requirements(pyproject: Path) -> list[str]:
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    left_out = PROVIDED_BY_RUNTIME | TERMINAL_ONLY
    return [d for d in dependencies if _requirement_name(d) not in left_out]


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def source_files(root: Path) -> list[Path]:
    files = [
        path
        for package in OUR_PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file()
        and path.suffix in SOURCE_SUFFIXES
        and "__pycache__" not in path.relative_to(root).parts
    ]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def input_hash(root: Path, arch: str) -> str:
    digest = hashlib.sha256(f"arch={arch}\n".encode())
    inputs = [root / name for name in HASHED_INPUTS] + source_files(root)
    for path in inputs:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def copy_sources(root: Path, site: Path) -> int:
    files = source_files(root)
    for path in files:
        target = site / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return len(files)


def trim(site: Path, readelf: str = "readelf") -> list[tuple[str, int]]:
    """Delete what the runtime never loads; return (relative path, bytes) of each removal."""
    removed: list[tuple[str, int]] = []
    unused = [site / "scipy" / name for name in SCIPY_UNUSED]
    for directory in sorted([*_trimmable_dirs(site), *unused], key=lambda p: len(p.parts)):
        if directory.exists():
            removed.append((directory.relative_to(site).as_posix() + "/", _tree_size(directory)))
            shutil.rmtree(directory)
    candidates = [p for p in site.rglob("*") if p.is_file() and p.suffix in TRIM_SUFFIXES]
    candidates += [p for pattern in TRIM_GLOBS for p in site.glob(pattern)]
    for path in sorted(set(candidates)):
        if path.exists():
            removed.append((path.relative_to(site).as_posix(), path.stat().st_size))
            path.unlink()
    removed += _dedupe_shared_libraries(site, readelf)
    return removed


def _dedupe_shared_libraries(site: Path, readelf: str) -> list[tuple[str, int]]:
    """Wheels cannot hold symlinks, so ``libX.so``, ``libX.so.N`` and ``libX.so.N.M`` are three
    copies of one library. Loaders ask for the SONAME, so the other identical copies go."""
    removed = []
    for path in sorted(site.rglob("lib*.so*")):
        if not path.is_file() or path.suffix == ".py":
            continue
        soname = _soname(path, readelf)
        twin = path.with_name(soname) if soname else None
        if twin is None or twin == path or not twin.is_file():
            continue
        if twin.read_bytes() == path.read_bytes():
            removed.append((path.relative_to(site).as_posix(), path.stat().st_size))
            path.unlink()
    return removed


def _soname(path: Path, readelf: str) -> str | None:
    with path.open("rb") as handle:
        if handle.read(4) != b"\x7fELF":
            return None
    output = subprocess.run([readelf, "-d", str(path)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", output)
    return match.group(1) if match else None


def _trimmable_dirs(site: Path) -> Iterator[Path]:
    for directory in site.rglob("*"):
        if not directory.is_dir() or directory.name not in TRIM_DIR_NAMES:
            continue
        relative = directory.relative_to(site).as_posix()
        if relative in TRIM_DIR_KEEP or relative.split("/")[0] in OUR_PACKAGES:
            continue
        if directory.name in ("include", "src") and not _only_sources(directory):
            continue
        yield directory


def _only_sources(directory: Path) -> bool:
    """``include``/``src`` go only when they hold nothing but C/C++/Cython sources and headers."""
    return all(
        p.suffix in TRIM_SUFFIXES or p.suffix in ("", ".txt", ".md", ".cmake") or p.is_dir()
        for p in directory.rglob("*")
    ) and not any(p.suffix in (".py", ".so") for p in directory.rglob("*"))


def _tree_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def elf_files(site: Path) -> list[Path]:
    found = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_libraries(path: Path, readelf: str) -> list[str]:
    output = subprocess.run([readelf, "-d", str(path)], check=True, capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output)


def linkcheck(site: Path, readelf: str) -> list[str]:
    shipped = {p.name for p in site.rglob("*.so*")}
    problems = []
    for path in elf_files(site):
        for library in needed_libraries(path, readelf):
            if library not in shipped and not SYSTEM_LIBRARIES.match(library):
                problems.append(f"{path.relative_to(site)} needs {library}, which is not shipped")
    return problems


def write_zip(site: Path, out: Path) -> None:
    files = sorted((p for p in site.rglob("*") if p.is_file()), key=lambda p: p.relative_to(site).as_posix())
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(site).as_posix(), date_time=FIXED_ZIP_TIME)
            executable = path.stat().st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.create_system = 3  # unix, so the permissions above are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    os.replace(tmp, out)


def sizes_by_top_level(site: Path) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file():
            top = path.relative_to(site).parts[0]
            totals[top] = totals.get(top, 0) + path.stat().st_size
    return sorted(totals.items(), key=lambda item: -item[1])


def report(site: Path, archive: Path, limit: int) -> int:
    unzipped = _tree_size(site)
    zipped = archive.stat().st_size
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    print(f"package   {archive}")
    print(f"sha256    {digest}")
    print(f"unzipped  {unzipped:>13,} bytes  {unzipped / 2**20:8.1f} MiB  (limit {limit / 2**20:.0f} MiB)")
    print(f"zipped    {zipped:>13,} bytes  {zipped / 2**20:8.1f} MiB")
    print("largest top-level entries (unzipped):")
    for name, size in sizes_by_top_level(site)[:12]:
        print(f"  {size / 2**20:8.1f} MiB  {name}")
    if unzipped > limit:
        print(
            f"error: {unzipped:,} bytes unzipped is over the Lambda limit of {limit:,}",
            file=sys.stderr,
        )
        return 1
    return 0


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="helpers of infra/build_lambda.sh")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("requirements").add_argument("pyproject", type=Path)
    hashing = commands.add_parser("input-hash")
    hashing.add_argument("root", type=Path)
    hashing.add_argument("arch")
    copying = commands.add_parser("copy-sources")
    copying.add_argument("root", type=Path)
    copying.add_argument("site", type=Path)
    trimming = commands.add_parser("trim")
    trimming.add_argument("site", type=Path)
    trimming.add_argument("--readelf", default="readelf")
    linking = commands.add_parser("linkcheck")
    linking.add_argument("site", type=Path)
    linking.add_argument("--readelf", default="readelf")
    zipping = commands.add_parser("zip")
    zipping.add_argument("site", type=Path)
    zipping.add_argument("out", type=Path)
    reporting = commands.add_parser("report")
    reporting.add_argument("site", type=Path)
    reporting.add_argument("zip", type=Path)
    reporting.add_argument("limit", type=int)
    args = parser.parse_args(argv)

    if args.command == "requirements":
        _print_lines(runtime_requirements(args.pyproject))
    elif args.command == "input-hash":
        print(input_hash(args.root, args.arch))
    elif args.command == "copy-sources":
        print(f"copied {copy_sources(args.root, args.site)} source files")
    elif args.command == "trim":
        removed = trim(args.site, args.readelf)
        total = sum(size for _, size in removed)
        print(f"trimmed {len(removed)} paths, {total / 2**20:.1f} MiB")
        for path, size in sorted(removed, key=lambda item: -item[1])[:15]:
            print(f"  {size / 2**20:8.1f} MiB  {path}")
    elif args.command == "linkcheck":
        problems = linkcheck(args.site, args.readelf)
        _print_lines(problems)
        if problems:
            return 1
        print(f"linkcheck: {len(elf_files(args.site))} ELF files, every needed library resolves")
    elif args.command == "zip":
        write_zip(args.site, args.out)
    elif args.command == "report":
        return report(args.site, args.zip, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
