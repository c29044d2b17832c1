"""Cold-import time of the Lambda handler's paths, measured on a built package under Python 3.12.

    python3 infra/measure_cold_import.py [--site infra/.build/arm64/site] [--python python3.12] [--runs 7]

Each run is a fresh interpreter laid out like the Lambda runtime (the package first on sys.path,
no site-packages, boto3 from infra/.build/runtime-boto3 after the standard library, the .pyc files
the build compiled), started with ``-X importtime``. For each path it prints the median cumulative
import time of the module and whether pyarrow or numpy were imported:

* ``api``: ``entrypoints.lambda_handler`` as the runtime loads it at init (settings read, container
  built for the aws backend with dummy settings; no AWS call is made); an API event needs nothing
  more, so this is the API path's cold import, and it must not pull in pyarrow or numpy;
* ``worker``: the same, plus ``application.execute_shard``, which the SQS route imports on its
  first record (simulation, numpy, scipy, pyarrow).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = {
    "api": ("entrypoints.lambda_handler",),
    "worker": ("entrypoints.lambda_handler", "application.execute_shard"),
}
HEAVY = ("pyarrow", "numpy", "scipy")
ENV = {
    "SWEEP_BACKEND": "aws",
    "SHARD_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/ridesweep-shards",
    "SWEEP_RESULTS_BUCKET": "ridesweep-measure",
    "SWEEP_RESULTS_PREFIX": "sweeps",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "measure",
    "AWS_SECRET_ACCESS_KEY": "measure",  # pragma: allowlist secret (a dummy: no AWS call is made)
    "LANG": "C.UTF-8",
    "PATH": "/usr/bin:/bin",
}
PROBE = """
import sys
sys.path[:0] = [sys.argv[1]]
sys.path.append(sys.argv[2])
for name in sys.argv[3].split(","):
    __import__(name)  # the import statement's path, which -X importtime times
print("HEAVY=" + ",".join(m for m in sys.argv[4].split(",") if m in sys.modules))
"""


def measure(python: str, site: Path, runtime_libs: Path, modules: tuple[str, ...]) -> tuple[float, list[str]]:
    result = subprocess.run(
        [python, "-S", "-s", "-B", "-X", "importtime", "-c", PROBE,
         str(site), str(runtime_libs), ",".join(modules), ",".join(HEAVY)],
        capture_output=True, text=True, env={**ENV, "HOME": str(site.parent)}, check=True,
    )  # fmt: skip
    # Top-level lines (one space before the name) are the modules the probe imported, and
    # everything they pulled in that was not loaded yet: their sum is the cold import time.
    total_us = 0
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\S+)$", line)
        if match:
            total_us += int(match.group(2))
    heavy = result.stdout.strip().removeprefix("HEAVY=")
    return total_us / 1000.0, [m for m in heavy.split(",") if m]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "infra" / ".build" / "x86_64" / "site")
    parser.add_argument("--python", default=os.environ.get("PYTHON312", "python3.12"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runtime_libs = ROOT / "infra" / ".build" / "runtime-boto3"

    print(f"site {args.site}  python {args.python}  runs {args.runs} (median, first run discarded)")
    print(f"{'path':<7} {'import ms':>10}  {'heavy modules':<22} modules imported")
    for path, modules in PATHS.items():
        timings = []
        heavy: list[str] = []
        for _ in range(args.runs + 1):
            ms, heavy = measure(args.python, args.site, runtime_libs, modules)
            timings.append(ms)
        median = statistics.median(timings[1:])
        print(f"{path:<7} {median:>10.1f}  {', '.join(heavy) or 'none':<22} {' + '.join(modules)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
