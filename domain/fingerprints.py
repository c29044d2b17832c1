"""Canonical JSON, fingerprints, point seeds and replicate seeds (docs/contract.md §2)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from domain.contract import DEFAULT_REPLICATES, DEFAULT_SEED_STRATEGY, SeedStrategy, replication_fields
from domain.parameters import Scalar


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_fingerprint(
    dimensions: Mapping[str, tuple[Scalar, ...]],
    base_parameters: Mapping[str, Scalar],
    seed: int,
    replicates: int = DEFAULT_REPLICATES,
    seed_strategy: SeedStrategy = DEFAULT_SEED_STRATEGY,
) -> str:
    """Shared by two runs of the same experiment, whatever their run id or sharding.

    ``replicates`` and ``seed_strategy`` count only when they differ from their defaults, so a
    request without them keeps the fingerprint it had before they existed.
    """
    return sha256_hex(
        canonical_json(
            {
                "dimensions": {k: list(v) for k, v in dimensions.items()},
                "base_parameters": dict(base_parameters),
                "seed": seed,
                **replication_fields(replicates, seed_strategy),
            }
        )
    )


def request_fingerprint(canonical_request: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(canonical_request))


def parameter_fingerprint(effective_parameters: Mapping[str, Scalar], point_seed: int) -> str:
    return sha256_hex(
        canonical_json(
            {"effective_parameters": dict(effective_parameters), "point_seed": point_seed}
        )
    )


def point_seed(run_seed: int, point_index: int) -> int:
    """First 8 bytes, big-endian, of SHA-256 of ``"{seed}:{point_index}"``."""
    return _seed_from(f"{run_seed}:{point_index}")


def replicate_seed(
    run_seed: int, point_index: int, replicate: int, strategy: SeedStrategy
) -> int:
    """The seed of one simulation.

    ``independent``: replicate 0 uses the point seed (so a single-replicate run is unchanged) and
    replicate r ≥ 1 hashes ``"{seed}:{point_index}:{r}"``. ``common``: every point's replicate r
    hashes ``"{seed}:common:{r}"``, so neighbouring points are compared on the same random draws.
    """
    if strategy == "common":
        return _seed_from(f"{run_seed}:common:{replicate}")
    if replicate == 0:
        return point_seed(run_seed, point_index)
    return _seed_from(f"{run_seed}:{point_index}:{replicate}")


def _seed_from(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
