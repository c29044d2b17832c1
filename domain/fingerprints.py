"""Canonical JSON, fingerprints and point seeds (CONTRACT.md §2)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from domain.parameters import Scalar


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_fingerprint(
    dimensions: Mapping[str, tuple[Scalar, ...]], base_parameters: Mapping[str, Scalar], seed: int
) -> str:
    """Shared by two runs of the same experiment, whatever their run id or sharding."""
    return sha256_hex(
        canonical_json(
            {
                "dimensions": {k: list(v) for k, v in dimensions.items()},
                "base_parameters": dict(base_parameters),
                "seed": seed,
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
    digest = hashlib.sha256(f"{run_seed}:{point_index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
