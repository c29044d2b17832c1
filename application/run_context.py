"""The run_context record (docs/contract.md §5), built from the run manifest alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from application.results_codec import encode, run_context_table
from application.submit_sweep import manifest_replication, manifest_simulation_model
from domain.fingerprints import canonical_json


def encode_run_context(manifest: dict[str, Any]) -> bytes:
    request = manifest["request"]
    source = manifest["source"]
    replicates, seed_strategy = manifest_replication(manifest)
    record = {
        "accepted_at": datetime.fromisoformat(manifest["accepted_at"]),
        "total_points": manifest["total_points"],
        "replicates": replicates,
        "seed_strategy": seed_strategy,
        "simulation_model": manifest_simulation_model(manifest),
        "shard_count": manifest["shard_count"],
        "shard_strategy": "shard_count" if request["shard_count"] is not None else "shard_size",
        "shard_size": request["shard_size"],
        "max_shards": request["max_shards"],
        "seed": request["seed"],
        "dimensions_json": canonical_json(request["dimensions"]),
        "base_parameters_json": canonical_json(request["base_parameters"]),
        "config_fingerprint": manifest["config_fingerprint"],
        "request_fingerprint": manifest["request_fingerprint"],
        **source,
    }
    return encode(run_context_table(record))
