"""The run_context record (docs/contract.md §5), built from the run manifest alone."""

from __future__ import annotations

from application.results_codec import encode, run_context_table
from domain.fingerprints import canonical_json
from domain.manifest import RunManifest


def encode_run_context(manifest: RunManifest) -> bytes:
    request = manifest.request
    record = {
        "accepted_at": manifest.accepted_at,
        "total_points": manifest.total_points,
        "replicates": manifest.replicates,
        "seed_strategy": manifest.seed_strategy,
        "simulation_model": manifest.simulation_model,
        "shard_count": manifest.shard_count,
        "shard_strategy": manifest.shard_strategy,
        "shard_size": request.shard_size,
        "max_shards": request.max_shards,
        "seed": request.seed,
        "dimensions_json": canonical_json(request.dimensions),
        "base_parameters_json": canonical_json(request.base_parameters),
        "config_fingerprint": manifest.config_fingerprint,
        "request_fingerprint": manifest.request_fingerprint,
        **manifest.source.model_dump(),
    }
    return encode(run_context_table(record))
