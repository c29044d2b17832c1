"""One set of behaviour checks for every BlobStore: the in-memory fake, the local file store, and
S3 through boto3 against moto server on loopback. If the fake drifts from S3, this module says so."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.aws.s3_blob_store import S3BlobStore
from adapters.local.file_blob_store import FileBlobStore
from adapters.memory.blob_store import InMemoryBlobStore
from ports.blob_store import BlobStore


@pytest.fixture(params=["memory", "file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "memory":
        yield InMemoryBlobStore()
    elif request.param == "file":
        yield FileBlobStore(tmp_path / "results")
    else:
        s3: Any = request.getfixturevalue("moto_s3")
        bucket = f"contract-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=bucket)
        # A page size of 2 makes every listing below cross page boundaries.
        s3_store = S3BlobStore(s3, bucket, list_page_size=2)
        yield s3_store
        s3_store.close()


def test_an_object_reads_back_byte_for_byte(store: BlobStore) -> None:
    data = bytes(range(256)) * 3

    store.put("runs/a/part-0.parquet", data)

    assert store.get("runs/a/part-0.parquet") == data


def test_an_empty_object_is_still_an_object(store: BlobStore) -> None:
    store.put("empty/part-0.parquet", b"")

    assert store.get("empty/part-0.parquet") == b""
    assert store.exists("empty/part-0.parquet")


def test_put_replaces_what_is_there(store: BlobStore) -> None:
    store.put("k/v.json", b"first")

    store.put("k/v.json", b"second")

    assert store.get("k/v.json") == b"second"


def test_a_missing_key_reads_as_none_and_does_not_exist(store: BlobStore) -> None:
    assert store.get("nothing/here.json") is None
    assert not store.exists("nothing/here.json")


def test_exists_sees_a_written_key_only(store: BlobStore) -> None:
    store.put("a/b/c.parquet", b"x")

    assert store.exists("a/b/c.parquet")
    assert not store.exists("a/b")
    assert not store.exists("a/b/c.parquet.tmp")


def test_create_if_absent_writes_once_and_keeps_the_first_object(store: BlobStore) -> None:
    assert store.create_if_absent("runs/run_id=r/manifest.json", b"first") is True

    assert store.create_if_absent("runs/run_id=r/manifest.json", b"second") is False
    assert store.get("runs/run_id=r/manifest.json") == b"first"


def test_create_if_absent_refuses_a_key_written_by_put(store: BlobStore) -> None:
    store.put("m.json", b"put")

    assert store.create_if_absent("m.json", b"create") is False
    assert store.get("m.json") == b"put"


def test_racing_creates_have_exactly_one_winner(store: BlobStore) -> None:
    barrier = threading.Barrier(6)
    wins: list[bytes] = []

    def create(data: bytes) -> None:
        barrier.wait()
        if store.create_if_absent("race/manifest.json", data):
            wins.append(data)

    threads = [threading.Thread(target=create, args=(f"writer-{i}".encode(),)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(wins) == 1
    assert store.get("race/manifest.json") == wins[0]


def test_put_many_writes_every_object(store: BlobStore) -> None:
    items = [(f"many/point_index={i}/part-0.parquet", f"payload {i}".encode()) for i in range(40)]

    store.put_many(items)

    assert {key: store.get(key) for key, _ in items} == dict(items)


def test_put_many_of_nothing_writes_nothing(store: BlobStore) -> None:
    store.put_many([])

    assert store.list_keys("") == []


def test_list_keys_returns_every_key_under_a_prefix_sorted(store: BlobStore) -> None:
    keys = [f"d/shard_id={s}/point_index={p}/part-0.parquet" for s in (2, 0, 1) for p in (1, 0)]
    store.put_many([(key, b"x") for key in keys])
    store.put("other/part-0.parquet", b"y")

    assert store.list_keys("d/") == sorted(keys)


def test_list_keys_matches_a_prefix_that_ends_inside_a_segment(store: BlobStore) -> None:
    store.put_many([("p/shard_id=1/a", b"1"), ("p/shard_id=10/a", b"2"), ("p/shard_id=2/a", b"3")])

    assert store.list_keys("p/shard_id=1") == ["p/shard_id=1/a", "p/shard_id=10/a"]


def test_list_keys_of_an_unknown_prefix_is_empty(store: BlobStore) -> None:
    store.put("a/b", b"1")

    assert store.list_keys("zzz/") == []


def test_a_page_lists_keys_in_order_after_the_given_key(store: BlobStore) -> None:
    for name in ["c", "a", "e", "b", "d"]:
        store.put(f"index/{name}", name.encode())
    store.put("indexed-elsewhere/x", b"")

    first = store.list_page("index/", start_after=None, limit=2)
    second = store.list_page("index/", start_after=first[-1], limit=2)
    last = store.list_page("index/", start_after=second[-1], limit=2)

    assert (first, second, last) == (["index/a", "index/b"], ["index/c", "index/d"], ["index/e"])
    assert store.list_page("index/", start_after="index/e", limit=2) == []
