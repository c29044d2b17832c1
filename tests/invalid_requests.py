"""A catalogue of invalid sweep requests, one per rule of docs/contract.md §1, for tests at every layer."""

from __future__ import annotations

from typing import Any

from tests.fixtures import request

WIDE = [1 + i * 0.0123456789123 for i in range(10_000)]

INVALID_REQUESTS: dict[str, Any] = {
    "not an object": [1, 2],
    "schema_version v2": request(schema_version="v2"),
    "run_id missing": request(run_id=...),
    "run_id with leading space": request(run_id=" demo"),
    "run_id with slash": request(run_id="a/b"),
    "run_id dot-dot": request(run_id=".."),
    "run_id too long": request(run_id="x" * 65),
    "run_id not a string": request(run_id=12),
    "dimensions missing": request(dimensions=...),
    "dimensions empty": request(dimensions={}),
    "unknown parameter": request(dimensions={"num_cars": [1]}),
    "empty value list": request(dimensions={"num_drivers": []}),
    "string is not a number": request(dimensions={"commission_rate": ["0.1"]}),
    "true is not an integer": request(dimensions={"num_drivers": [True]}),
    "fraction for an integer": request(dimensions={"num_drivers": [100, 100.5]}),
    "duplicate values": request(dimensions={"num_drivers": [100, 100]}),
    "out of range": request(dimensions={"commission_rate": [1.0]}),
    "enum outside choices": request(dimensions={"matching_algorithm": ["greedy"]}),
    "bad base parameter": request(base_parameters={"match_radius_km": 0.0}),
    "dimension and base": request(base_parameters={"num_drivers": 50}),
    "min above max": request(dimensions={"min_trip_km": [1.0, 20.0], "max_trip_km": [15.0]}),
    "no shard control": request(shard_count=...),
    "both shard controls": request(shard_size=2),
    "shard_count zero": request(shard_count=0),
    "shard_count float": request(shard_count=2.0),
    "max_shards above cap": request(max_shards=100_000),
    "plan above max_shards": request(shard_count=..., shard_size=1, max_shards=4),
    "negative seed": request(seed=-1),
    "seed too large": request(seed=2**63),
    "unknown layout": request(output_layout="per_run"),
    "replicates zero": request(replicates=0),
    "replicates above a thousand": request(replicates=1001),
    "replicates float": request(replicates=2.0),
    "replicates true": request(replicates=True),
    "unknown seed strategy": request(seed_strategy="paired"),
    "simulations above the limit": request(
        dimensions={"num_drivers": list(range(1, 1002))}, replicates=1000
    ),
    "injected shard out of plan": request(failure_injection_shards=[4]),
    "injected shard duplicated": request(failure_injection_shards=[1, 1]),
    "unknown field": request(priority="high"),
    "message over the queue limit": request(
        dimensions={"city_width_km": WIDE[:5000], "city_height_km": WIDE[:5000]},
        base_parameters={},
        shard_count=1,
        failure_injection_shards=[],
    ),
}
