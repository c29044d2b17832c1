#!/usr/bin/env bash
# Smoke test of a built Lambda package directory under CPython 3.12, laid out as the runtime does:
# the package first on sys.path, then the standard library, then boto3 (which the runtime provides
# and the package leaves out). No site-packages of this machine are visible.
#
#   infra/smoke_test_lambda.sh SITE_DIR [PYTHON312]
set -euo pipefail

SITE="$(cd "${1:?usage: smoke_test_lambda.sh SITE_DIR [PYTHON312]}" && pwd)"
PY312="${2:-python3.12}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNTIME_LIBS="$ROOT/infra/.build/runtime-boto3"

if [[ ! -d "$RUNTIME_LIBS/boto3" ]]; then
  "$PY312" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$RUNTIME_LIBS" boto3
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

env -i PATH="/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 \
  SWEEP_BACKEND=aws \
  SHARD_QUEUE_URL="https://sqs.eu-west-1.amazonaws.com/123456789012/ridesweep-shards" \
  SWEEP_RESULTS_BUCKET=ridesweep-smoke SWEEP_RESULTS_PREFIX=sweeps \
  MAX_SHARDS=1000 MAX_TOTAL_POINTS=1000000 ALLOW_FAILURE_INJECTION=false LOG_LEVEL=INFO \
  AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true \
  AWS_ACCESS_KEY_ID=smoke AWS_SECRET_ACCESS_KEY=smoke \
  "$PY312" -S -s -B - "$SITE" "$RUNTIME_LIBS" <<'PY'
import io
import sys

site, runtime_libs = sys.argv[1], sys.argv[2]
sys.path[:0] = [site]
sys.path.append(runtime_libs)

import entrypoints.lambda_handler as module  # noqa: E402

assert callable(module.handler), "entrypoints.lambda_handler.handler is not callable"

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pydantic_core  # noqa: E402
import scipy.optimize  # noqa: E402

for mod in (module, np, pa, pydantic_core, scipy):
    assert mod.__file__.startswith(site), f"{mod.__name__} came from {mod.__file__}, not the package"

table = pa.table({"point_index": pa.array([0, 1, 2], pa.int64()), "fare": [1.5, 2.5, None]})
buffer = io.BytesIO()
pq.write_table(table, buffer)
assert pq.read_table(io.BytesIO(buffer.getvalue())).equals(table), "Parquet round trip changed data"

try:
    from application import results_codec
except ImportError:
    results_codec = None
if results_codec is not None and hasattr(results_codec, "encode"):
    assert results_codec.decode(results_codec.encode(table)).equals(table)

from domain.parameters import SimulationParameters  # noqa: E402
from domain.simulation.engine import simulate  # noqa: E402

for algorithm in ("simple", "cost_based", "hungarian"):
    params = SimulationParameters(
        num_riders=60, num_drivers=15, request_window_minutes=20, simulation_minutes=40,
        matching_algorithm=algorithm, surge_enabled=True, traffic_profile="city",
    )
    output = simulate(params, seed=7)
    assert output.metrics["total_riders"] > 0, f"{algorithm}: the simulation produced no riders"

rows, cols = scipy.optimize.linear_sum_assignment(np.array([[4.0, 1.0], [2.0, 0.5]]))
assert list(rows) == [0, 1] and list(cols) == [1, 0]

print(
    f"smoke test passed: Python {sys.version.split()[0]}, pyarrow {pa.__version__}, "
    f"numpy {np.__version__}, handler {module.handler.__name__}"
)
PY
