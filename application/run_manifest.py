"""Reading a run's manifest from the results store: the one place that finds and parses it."""

from __future__ import annotations

from domain.contract import check_run_id
from domain.errors import RunNotFound
from domain.manifest import RunManifest
from domain.storage_keys import StorageKeys
from ports.blob_store import BlobStore


def find_manifest(store: BlobStore, keys: StorageKeys, run_id: str) -> RunManifest | None:
    data = store.get(keys.manifest(run_id))
    return None if data is None else RunManifest.from_json_bytes(data)


def read_manifest(store: BlobStore, keys: StorageKeys, run_id: str) -> RunManifest:
    """Raises ``InvalidRunId`` (a ``RunNotFound``) for a run id that cannot name a run and
    ``RunNotFound`` for a run without manifest."""
    check_run_id(run_id)
    manifest = find_manifest(store, keys, run_id)
    if manifest is None:
        raise RunNotFound(run_id)
    return manifest
