"""The fault-injection wrappers and the queue model do what the drills rely on."""

from __future__ import annotations

import json
import random

import pytest
from dependency_injector import providers

from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.queue import InMemoryShardQueue
from ports.errors import TransientError
from tests.drills.faults import FaultyBlobStore, FaultyShardQueue, SimulatedSqs
from tests.drills.hostile import VALID_REQUEST
from tests.harness import Harness


def test_a_blob_store_with_no_faults_is_the_store_it_wraps() -> None:
    inner = InMemoryBlobStore()
    store = FaultyBlobStore(inner, random.Random(1))
    store.put_many([("a/1", b"1"), ("a/2", b"2")])
    assert store.create_if_absent("a/3", b"3") and not store.create_if_absent("a/3", b"x")
    assert (store.get("a/1"), store.exists("a/2"), store.list_keys("a/")) == (
        b"1",
        True,
        ["a/1", "a/2", "a/3"],
    )
    assert store.counts.injected == 0


def test_failing_puts_either_never_land_or_land_and_still_report_an_error() -> None:
    inner = InMemoryBlobStore()
    store = FaultyBlobStore(inner, random.Random(7), failure_rate=1.0, after_write_share=0.5)
    for i in range(200):
        with pytest.raises(TransientError):
            store.put(f"k/{i}", b"x")
    landed = len(inner.objects)
    assert landed == store.counts.failed_after_write
    assert 60 < landed < 140  # about half


def test_the_same_seed_injects_the_same_faults() -> None:
    def pattern(seed: int) -> list[bool]:
        store = FaultyBlobStore(InMemoryBlobStore(), random.Random(seed), failure_rate=0.2)
        out = []
        for i in range(100):
            try:
                store.put(f"k/{i}", b"x")
                out.append(True)
            except TransientError:
                out.append(False)
        return out

    assert pattern(3) == pattern(3) != pattern(4)


def test_a_failing_send_may_enqueue_part_of_the_batch_and_a_resend_completes_the_run() -> None:
    harness = Harness()
    inner: InMemoryShardQueue = harness.container.shard_inbox()
    queue = FaultyShardQueue(inner, random.Random(5), failure_rate=1.0)
    harness.container.shard_queue.override(providers.Object(queue))
    status, body = harness.post(VALID_REQUEST)
    assert status == 503 and body["error"] == "service_unavailable"
    harness.container.shard_queue.reset_override()
    status, body = harness.post(VALID_REQUEST)  # the client resends, as the 503 says
    assert (status, body["status"]) == (200, "already_accepted")
    harness.drain()
    assert harness.get(VALID_REQUEST["run_id"])[1]["state"] == "succeeded"


def _queue_with(n: int, *, duplicate_rate: float = 0.0, max_receive_count: int = 5) -> SimulatedSqs:
    """A simulated queue holding the ``n`` shard messages of a submitted run."""
    harness = Harness()
    sqs = SimulatedSqs(random.Random(2), duplicate_rate=duplicate_rate, max_receive_count=max_receive_count)
    harness.container.shard_queue.override(providers.Object(sqs))
    request = dict(VALID_REQUEST, dimensions={"num_riders": list(range(30, 30 + n))}, shard_count=n)
    assert harness.post(request)[0] == 202
    return sqs


def test_the_queue_delivers_out_of_order() -> None:
    sqs = _queue_with(10)
    shard_ids = [json.loads(d.body)["shard_id"] for d in sqs.receive(10)]
    assert sorted(shard_ids) == list(range(10)) and shard_ids != sorted(shard_ids)


def test_an_expired_visibility_timeout_hands_the_message_to_another_worker_and_stales_the_first() -> None:
    sqs = _queue_with(1)
    [first] = sqs.receive()
    second = sqs.expire(first)
    assert second is not None and second.receive_count == 2
    sqs.acknowledge(first)  # stale receipt: the message stays
    assert sqs.remaining == 1 and sqs.counts.stale_acknowledgements == 1
    sqs.acknowledge(second)
    assert sqs.remaining == 0


def test_a_message_that_keeps_failing_is_dead_lettered_and_redriven() -> None:
    sqs = _queue_with(1, max_receive_count=3)
    for _ in range(3):
        [delivery] = sqs.receive()
        sqs.release(delivery)
    assert (sqs.visible, sqs.dead) == (0, 1)
    assert sqs.redrive() == 1 and sqs.visible == 1
    assert sqs.receive()[0].receive_count == 1


def test_duplicates_arrive_in_the_same_batch_or_later() -> None:
    sqs = _queue_with(20, duplicate_rate=1.0)
    first = sqs.receive(20)
    assert len(first) > 20 or sqs.visible > 0
    assert sqs.counts.duplicated == 20
