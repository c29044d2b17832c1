"""Same simulations, same bytes, on every CPU: fingerprints of a few simulations' outputs.

    .venv/bin/python infra/simulation_bytes.py            # one line per simulation: name, sha256
    .venv/bin/python infra/simulation_bytes.py --compare  # natively, without AVX-512, and as arm64

``--compare`` (what ``make bytes-check`` runs) computes the fingerprints three ways: with this
interpreter, with numpy's AVX-512 code paths disabled (NPY_DISABLE_CPU_FEATURES), and under
``infra/arm64-python`` (Debian's arm64 CPython under qemu). It prints a table and exits 0 when all
agree, 1 when a simulation's bytes differ somewhere, 2 when a way could not run at all (the line
says why). A fingerprint covers every metric (floats by their exact bits), and every trip and
snapshot column's dtype and raw bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from domain.parameters import SimulationParameters  # noqa: E402
from domain.simulation import SimulationOutput, simulate  # noqa: E402

SIMULATIONS: dict[str, tuple[dict[str, object], int]] = {
    # Small enough for the emulator (a few seconds each there), varied enough to reach every rule:
    # valuations, surge, repositioning, refusals, idle credit, each matching algorithm, traffic.
    "default point": ({}, 1),
    "surge shortage": ({"num_riders": 300, "num_drivers": 30, "surge_enabled": True,
                        "request_window_minutes": 40, "simulation_minutes": 90}, 7),
    "fair cost-based": ({"num_riders": 250, "num_drivers": 120, "idle_time_weight": 4.0,
                         "matching_algorithm": "cost_based", "commission_rate": 0.5,
                         "willingness_to_pay_sigma": 1.2, "request_window_minutes": 40,
                         "simulation_minutes": 90}, 2**64 - 1),
    "simple at night": ({"num_riders": 200, "num_drivers": 40, "start_day": "saturday",
                         "start_hour": 1, "matching_algorithm": "simple",
                         "demand_hotspot_share": 0.9, "request_window_minutes": 60,
                         "simulation_minutes": 120}, 12345),
}

NO_AVX512 = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"}


def fingerprint(output: SimulationOutput) -> str:
    digest = hashlib.sha256()
    for name, value in output.metrics.items():
        shown = value.hex() if isinstance(value, float) else str(value)
        digest.update(f"{name}={shown};".encode())
    for table in (output.trips, output.snapshots):
        for name, column in table.items():
            digest.update(f"{name}:{column.dtype.str}:".encode())
            digest.update(column.tobytes())
    return digest.hexdigest()


def fingerprints() -> dict[str, str]:
    return {
        name: fingerprint(simulate(SimulationParameters(**changes), seed))  # type: ignore[arg-type]
        for name, (changes, seed) in SIMULATIONS.items()
    }


def run_way(command: list[str], extra_env: dict[str, str]) -> dict[str, str] | str:
    """The fingerprints one way computes them, or why it could not run."""
    done = subprocess.run(
        [*command, str(Path(__file__).resolve())],
        capture_output=True, text=True, check=False, cwd=PROJECT, env={**os.environ, **extra_env},
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit code {done.returncode}"
    pairs = (line.rsplit(" ", 1) for line in done.stdout.strip().splitlines())
    return {name: digest for name, digest in pairs}


def compare() -> int:
    ways = {
        "native": ([sys.executable], {}),
        "no AVX-512": ([sys.executable], NO_AVX512),
        "arm64": ([str(PROJECT / "infra" / "arm64-python")], {}),
    }
    results = {way: run_way(command, env) for way, (command, env) in ways.items()}
    failed = {way: why for way, why in results.items() if isinstance(why, str)}
    for way, why in failed.items():
        print(f"bytes-check: the {way} run failed: {why}", file=sys.stderr)
    if failed:
        return 2
    found = {way: result for way, result in results.items() if isinstance(result, dict)}
    width = max(len(name) for name in SIMULATIONS)
    print(f"{'simulation':<{width}}  " + "  ".join(f"{way:<12}" for way in found) + "  same bytes")
    differ = 0
    for name in SIMULATIONS:
        digests = [found[way].get(name, "missing") for way in found]
        same = len(set(digests)) == 1
        differ += not same
        print(f"{name:<{width}}  " + "  ".join(f"{d[:12]:<12}" for d in digests)
              + f"  {'yes' if same else 'NO'}")
    verdict = "every way agrees" if not differ else f"{differ} simulation(s) differ"
    print(f"bytes-check: {verdict} ({len(SIMULATIONS)} simulations, ways: {', '.join(found)})")
    print(f"{len(SIMULATIONS) - differ} passed, {differ} failed")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--compare", action="store_true",
                        help="compute the fingerprints natively, without AVX-512 and as arm64")
    if parser.parse_args().compare:
        sys.exit(compare())
    for name, digest in fingerprints().items():
        print(f"{name} {digest}")


if __name__ == "__main__":
    main()
