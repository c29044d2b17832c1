"""Guard for speed work on the simulation: the full outputs of a few dozen varied simulations must
keep their exact bytes.

    .venv/bin/python bench/simulation_fingerprints.py --write   # record the current fingerprints
    .venv/bin/python bench/simulation_fingerprints.py           # check against the recorded ones

A fingerprint covers every metric (floats by their exact bits) and every trip and snapshot column's
dtype and raw bytes (``infra/simulation_bytes.py``'s). The simulations reach every path of the
engine: each matching algorithm, surge on and off, repositioning on and off, idle-time credit,
shortage and surplus markets, small and large cities, few and many drivers on the move, several
seeds. The check exits 1 naming every simulation whose bytes changed. Unlike ``make bytes-check``
(the same bytes on every CPU) this compares one machine's outputs before and after a change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from domain.parameters import SimulationParameters  # noqa: E402
from domain.simulation import simulate  # noqa: E402
from infra.simulation_bytes import fingerprint  # noqa: E402

RECORD = Path(__file__).with_suffix(".json")

SMALL_CITY: dict[str, Any] = {"city_width_km": 12.0, "city_height_km": 10.0, "max_trip_km": 8.0}
SHORT: dict[str, Any] = {"request_window_minutes": 40, "simulation_minutes": 90}
LARGE: dict[str, Any] = {
    "num_riders": 10_000, "num_drivers": 7_000, "request_window_minutes": 240,
    "simulation_minutes": 300, "surge_enabled": True, "surge_zone_km": 2.0,
    "surge_max_multiplier": 1.3, "commission_rate": 0.15, "match_radius_km": 1.5,
    "city_width_km": 46.0, "city_height_km": 38.0,
}

SIMULATIONS: dict[str, tuple[dict[str, Any], int]] = {
    **{f"default point, seed {seed}": ({}, seed) for seed in (1, 2, 3, 2024)},
    **{f"surge on, seed {seed}": ({"surge_enabled": True}, seed) for seed in (1, 5)},
    **{f"{algorithm}, seed {seed}": ({"matching_algorithm": algorithm}, seed)
       for algorithm in ("simple", "cost_based") for seed in (1, 4)},
    **{f"{algorithm}, surge, no repositioning": (
        {"matching_algorithm": algorithm, "surge_enabled": True, "reposition_policy": "none"}, 6)
       for algorithm in ("simple", "cost_based", "hungarian")},
    **{f"repositioning none, seed {seed}": ({"reposition_policy": "none"}, seed) for seed in (1, 8)},
    **{f"idle credit {weight}, {algorithm}": (
        {"idle_time_weight": weight, "matching_algorithm": algorithm}, 3)
       for weight in (0.5, 4.0) for algorithm in ("simple", "cost_based", "hungarian")},
    "idle credit, surge, 200 drivers": (
        {"idle_time_weight": 10.0, "surge_enabled": True, "num_drivers": 200}, 9),
    "surplus: 300 drivers": ({"num_drivers": 300}, 10),
    "surplus, hotspot 0.9, quick repositioning": (
        {"num_drivers": 250, "demand_hotspot_share": 0.9, "reposition_after_seconds": 0}, 11),
    "long legs, wide radius": (
        {"reposition_max_km": 12.0, "match_radius_km": 6.0, "num_drivers": 200}, 12),
    "short legs, narrow radius": (
        {"reposition_max_km": 0.5, "match_radius_km": 0.8, "num_drivers": 150}, 13),
    "shortage: 30 drivers, surge": ({"num_drivers": 30, "surge_enabled": True, **SHORT}, 7),
    "small city, cost_based, credit": (
        {"num_riders": 250, "num_drivers": 120, "idle_time_weight": 4.0,
         "matching_algorithm": "cost_based", "commission_rate": 0.5,
         "willingness_to_pay_sigma": 1.2, **SMALL_CITY, **SHORT}, 2**64 - 1),
    "small city, simple, Saturday night": (
        {"num_riders": 200, "num_drivers": 40, "start_day": "saturday", "start_hour": 1,
         "matching_algorithm": "simple", "demand_hotspot_share": 0.9, **SMALL_CITY}, 12345),
    "small city, short patience, refusals": (
        {"num_riders": 300, "num_drivers": 60, "rider_patience_min_seconds": 20,
         "rider_patience_max_seconds": 90, "driver_reservation_wage": 60.0, **SMALL_CITY}, 14),
    "slow batches, slow zones, no traffic": (
        {"batch_interval_seconds": 60, "surge_update_seconds": 600, "surge_enabled": True,
         "traffic_profile": "none"}, 15),
    "one-second batches, quick zones": (
        {"batch_interval_seconds": 1, "surge_update_seconds": 5, "surge_enabled": True,
         "surge_zone_km": 0.5}, 16),
    "evening peak, Friday, 2000 riders": (
        {"num_riders": 2_000, "num_drivers": 400, "start_day": "friday", "start_hour": 18,
         "surge_enabled": True}, 17),
    "many riders, hungarian conflicts": (
        {"num_riders": 3_000, "num_drivers": 300, "match_radius_km": 5.0, **SHORT}, 18),
    "many waiting, few on the move": (
        {"num_riders": 3_000, "num_drivers": 300, "match_radius_km": 0.5,
         "reposition_after_seconds": 0}, 21),
    "window equals the run": ({"request_window_minutes": 90, "simulation_minutes": 90}, 19),
    "large scenario": (LARGE, 1),
    "large scenario, hungarian credit, no surge": (
        {**LARGE, "num_riders": 5_000, "num_drivers": 3_500, "surge_enabled": False,
         "idle_time_weight": 2.0, "simulation_minutes": 240}, 20),
}


def fingerprints(verbose: bool = False) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, (changes, seed) in SIMULATIONS.items():
        start = time.perf_counter()
        found[name] = fingerprint(simulate(SimulationParameters.from_values(changes), seed))
        if verbose:
            print(f"{time.perf_counter() - start:7.3f} s  {name}", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="record the current fingerprints")
    parser.add_argument("--verbose", action="store_true", help="time each simulation")
    args = parser.parse_args()
    found = fingerprints(args.verbose)
    if args.write:
        RECORD.write_text(json.dumps(found, indent=1) + "\n")
        print(f"recorded {len(found)} fingerprints in {RECORD.relative_to(PROJECT)}")
        return
    recorded: dict[str, str] = json.loads(RECORD.read_text())
    changed = [name for name in SIMULATIONS if recorded.get(name) != found[name]]
    for name in changed:
        print(f"bytes changed: {name}")
    print(f"{len(SIMULATIONS) - len(changed)} of {len(SIMULATIONS)} simulations keep their bytes")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
