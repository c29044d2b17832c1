#!/usr/bin/env bash
# Build the runtime Lambda's deployment zip (python3.12, arm64 or x86_64) from manylinux wheels.
#
#   infra/build_lambda.sh [--arch arm64|x86_64] [--output PATH] [--unpinned] [--no-smoke]
#
# Steps: resolve [project].dependencies minus boto3 (the runtime provides it) as manylinux wheels
# for CPython 3.12 (pinned by infra/lambda-constraints.txt), add our packages, trim what the runtime
# never loads, strip the big native libraries, byte-compile with Python 3.12, check that every
# native library still finds what it links against, zip reproducibly (same inputs, same hash),
# report the sizes and fail above 250 MB unzipped, then import the handler and round-trip Parquet
# under Python 3.12 (when the machine can run the target architecture).
#
# Environment: PYTHON312 (a CPython 3.12 interpreter; default: pyenv's 3.12, then python3.12),
# PYTHON (the tool interpreter, 3.11+; default python3), PIP_CACHE_DIR as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARCH="arm64"
OUTPUT=""
PINNED=1
SMOKE=1
LIMIT_BYTES=$((250 * 1024 * 1024)) # Lambda's limit on the unzipped package (262,144,000 bytes)

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --arch) ARCH="${2:?--arch needs a value}"; shift 2 ;;
    --arch=*) ARCH="${1#--arch=}"; shift ;;
    --output) OUTPUT="${2:?--output needs a value}"; shift 2 ;;
    --output=*) OUTPUT="${1#--output=}"; shift ;;
    --unpinned) PINNED=0; shift ;;
    --no-smoke) SMOKE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build_lambda: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$ARCH" in
  arm64) WHEEL_ARCH="aarch64" ;;
  x86_64) WHEEL_ARCH="x86_64" ;;
  *) echo "build_lambda: --arch must be arm64 or x86_64, got $ARCH" >&2; exit 2 ;;
esac

PYTHON="${PYTHON:-python3}"
find_python312() {
  if [[ -n "${PYTHON312:-}" ]]; then echo "$PYTHON312"; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    local candidate
    for candidate in "$(pyenv root)"/versions/3.12*/bin/python3.12; do
      [[ -x "$candidate" ]] && { echo "$candidate"; return; }
    done
  fi
  command -v python3.12 || true
}
PY312="$(find_python312)"
if [[ -z "$PY312" ]] || ! "$PY312" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
  echo "build_lambda: needs CPython 3.12 (set PYTHON312): bytecode must match the python3.12 runtime" >&2
  exit 1
fi

# strip for the target architecture: binutils' strip only knows the host's ELF, llvm-strip knows all.
HOST_ARCH="$(uname -m)"
find_tool() { # find_tool GNU_NAME LLVM_NAME
  local cross="${WHEEL_ARCH}-linux-gnu-$1"
  if [[ "$HOST_ARCH" == "$WHEEL_ARCH" ]] && command -v "$1" >/dev/null 2>&1; then command -v "$1"
  elif command -v "$cross" >/dev/null 2>&1; then command -v "$cross"
  elif command -v "$2" >/dev/null 2>&1; then command -v "$2"
  else ls /usr/bin/"$2"-[0-9]* 2>/dev/null | sort -V | tail -n 1; fi
}
STRIP="$(find_tool strip llvm-strip)"
READELF="$(find_tool readelf llvm-readelf)"
[[ -n "$READELF" ]] || READELF="readelf" # the GNU one reads any ELF's dynamic section
if [[ -z "$STRIP" ]]; then
  echo "build_lambda: no strip for $WHEEL_ARCH (install llvm or binutils-$WHEEL_ARCH-linux-gnu)" >&2
  exit 1
fi

BUILD="$ROOT/infra/.build/$ARCH"
SITE="$BUILD/site"
INPUT_HASH="$("$PYTHON" "$ROOT/infra/lambda_package.py" input-hash "$ROOT" "$ARCH")"
OUTPUT="${OUTPUT:-$ROOT/infra/.build/ridesweep-lambda-$ARCH-${INPUT_HASH:0:16}.zip}"

echo "== ridesweep Lambda package: $ARCH, Python $("$PY312" -c 'import platform; print(platform.python_version())'), inputs ${INPUT_HASH:0:16}"
rm -rf "$SITE"
mkdir -p "$SITE"
"$PYTHON" "$ROOT/infra/lambda_package.py" requirements "$ROOT/pyproject.toml" > "$BUILD/requirements.txt"
CONSTRAINTS=()
if [[ "$PINNED" == 1 ]]; then CONSTRAINTS=(--constraint "$ROOT/infra/lambda-constraints.txt"); fi

echo "== wheels (manylinux2014 + manylinux_2_28, $WHEEL_ARCH, cp312)"
# Both --platform flags are needed: with manylinux2014 alone pip silently picks years-old pyarrow
# and numpy, the last releases that still shipped manylinux2014 wheels.
"$PY312" -m pip install --quiet --disable-pip-version-check --no-compile \
  --platform "manylinux2014_$WHEEL_ARCH" --platform "manylinux_2_28_$WHEEL_ARCH" \
  --only-binary=:all: --python-version 3.12 --implementation cp \
  --target "$SITE" --report "$BUILD/pip-report.json" \
  --requirement "$BUILD/requirements.txt" "${CONSTRAINTS[@]}"
"$PYTHON" - "$BUILD/pip-report.json" <<'EOF'
import json, sys
for item in json.load(open(sys.argv[1]))["install"]:
    print(f"  {item['metadata']['name']}=={item['metadata']['version']}")
EOF
if [[ -d "$SITE/boto3" || -d "$SITE/botocore" ]]; then
  echo "build_lambda: boto3/botocore ended up in the package; the runtime provides them" >&2
  exit 1
fi
rm -rf "$SITE/bin"

echo "== our packages"
"$PYTHON" "$ROOT/infra/lambda_package.py" copy-sources "$ROOT" "$SITE"

echo "== trim"
"$PYTHON" "$ROOT/infra/lambda_package.py" trim "$SITE" --readelf "$READELF"

echo "== strip ($(basename "$STRIP")) pyarrow, pydantic_core, dependency_injector (never numpy: it breaks import numpy)"
stripped=0
while IFS= read -r -d '' library; do
  "$STRIP" --strip-unneeded "$library"
  stripped=$((stripped + 1))
done < <(find "$SITE/pyarrow" "$SITE/pydantic_core" "$SITE/dependency_injector" -name '*.so*' -type f -print0)
echo "stripped $stripped libraries"

echo "== link check ($(basename "$READELF"))"
"$PYTHON" "$ROOT/infra/lambda_package.py" linkcheck "$SITE" --readelf "$READELF"

echo "== byte-compile with Python 3.12"
# unchecked-hash: the .pyc does not embed the source's mtime (reproducible) and the runtime loads
# it without stat-ing the source; -d makes tracebacks show the runtime's path.
find "$SITE" -name '__pycache__' -type d -prune -exec rm -rf {} +
"$PY312" -m compileall -q -j 0 --invalidation-mode unchecked-hash -s "$SITE" -p /var/task "$SITE" >/dev/null

echo "== zip"
mkdir -p "$(dirname "$OUTPUT")"
"$PYTHON" "$ROOT/infra/lambda_package.py" zip "$SITE" "$OUTPUT"
"$PYTHON" "$ROOT/infra/lambda_package.py" report "$SITE" "$OUTPUT" "$LIMIT_BYTES"
echo "$INPUT_HASH" > "$OUTPUT.inputs"

if [[ "$SMOKE" == 1 ]]; then
  if [[ "$HOST_ARCH" == "$WHEEL_ARCH" ]]; then
    echo "== smoke test under Python 3.12: import the handler, round-trip Parquet"
    "$ROOT/infra/smoke_test_lambda.sh" "$SITE" "$PY312"
  else
    echo "== smoke test skipped: this $HOST_ARCH machine cannot run $WHEEL_ARCH libraries;"
    echo "   the link check above covered the trims, and the $HOST_ARCH build runs the same trims under the smoke test"
  fi
fi
echo "$OUTPUT"
