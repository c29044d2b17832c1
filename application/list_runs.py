"""Use case: list runs newest first, one page at a time (docs/contract.md §1 GET /sweep-run).

What a page costs, whatever the store holds: one listing of the run index
(``runs/newest_first/``, keys ordered newest first, ``limit`` of them after the token), then for
each run on the page the three requests of a status read (its manifest, a listing of its own
records, a listing of its outcomes; application/run_status.py). Outcomes are counted from their
keys and never read; runs beyond the page are not touched. The per-run reads go out in parallel.
"""

from __future__ import annotations

import base64
import binascii
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from application.run_manifest import find_manifest
from application.run_status import RunState, status_of
from domain.errors import ErrorDetail, RequestValidationError
from domain.storage_keys import StorageKeys, run_id_of_newest_first_name
from ports.blob_store import BlobStore

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
READ_THREADS = 8


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: str
    state: RunState
    accepted_at: str
    run_date: str
    cancelled_at: str | None
    total_points: int
    replicates: int
    total_simulations: int
    simulations_succeeded: int
    shard_count: int
    shards_succeeded: int
    shards_failed: int
    shards_cancelled: int
    shards_pending: int


@dataclass(frozen=True, slots=True)
class RunsPage:
    runs: tuple[RunSummary, ...]
    next_token: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"runs": [asdict(run) for run in self.runs], "next_token": self.next_token}


def parse_limit(raw: str | None) -> int:
    """``limit`` as the caller typed it (a query parameter, a flag); raises naming it."""
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise _invalid("limit", f"must be an integer from 1 to {MAX_LIMIT}, got {raw!r}")
    return int(text)


def list_runs(
    *, store: BlobStore, keys: StorageKeys, limit: int = DEFAULT_LIMIT, next_token: str | None = None
) -> RunsPage:
    """Raises ``RequestValidationError`` naming ``limit`` or ``next_token`` when one is not valid."""
    if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise _invalid("limit", f"must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    index = keys.newest_first_prefix()
    start_after = index + _name_of_token(next_token) if next_token else None
    listed = store.list_page(index, start_after=start_after, limit=limit + 1)  # one more: is there more?
    names = [k.removeprefix(index) for k in listed[:limit]]
    run_ids = [r for r in (run_id_of_newest_first_name(n) for n in names) if r is not None]
    with ThreadPoolExecutor(max_workers=min(READ_THREADS, max(len(run_ids), 1))) as pool:
        summaries = list(pool.map(lambda run_id: _summary(store, keys, run_id), run_ids))
    more = len(listed) > limit
    return RunsPage(
        runs=tuple(s for s in summaries if s is not None),
        next_token=_token_of(names[-1]) if more else None,
    )


def _summary(store: BlobStore, keys: StorageKeys, run_id: str) -> RunSummary | None:
    manifest = find_manifest(store, keys, run_id)
    if manifest is None:  # an index entry is written only after its manifest: never expected
        return None
    status = status_of(manifest, store=store, keys=keys)
    return RunSummary(
        run_id=run_id,
        state=status.state,
        accepted_at=manifest.accepted_at.isoformat(),
        run_date=manifest.run_date,
        cancelled_at=status.cancelled_at,
        total_points=manifest.total_points,
        replicates=manifest.replicates,
        total_simulations=manifest.total_simulations,
        simulations_succeeded=status.points_succeeded * manifest.replicates,
        shard_count=manifest.shard_count,
        shards_succeeded=status.shards_succeeded,
        shards_failed=status.shards_failed,
        shards_cancelled=status.shards_cancelled,
        shards_pending=status.shards_pending,
    )


def _token_of(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("ascii")).decode("ascii").rstrip("=")


def _name_of_token(token: str) -> str:
    try:
        padded = token + "=" * (-len(token) % 4)
        name = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, ValueError, UnicodeError):
        name = ""
    if len(token) > 200 or run_id_of_newest_first_name(name) is None:
        raise _invalid("next_token", "is not a token this service returned; omit it for the first page")
    return name


def _invalid(parameter: str, message: str) -> RequestValidationError:
    return RequestValidationError([ErrorDetail(("query", parameter), message)])
