"""Fault injection for the drills: a blob store and a shard queue that fail on purpose, and a queue
that delivers the way SQS does (at least once, out of order, with visibility timeouts).

Every wrapper draws from its own seeded ``random.Random``, so a drill with the same seed injects the
same faults. A wrapper's random stream is used by one thread at a time (the worker that owns it);
the drills give a second, concurrent worker its own wrapper rather than sharing one.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domain.contract import ShardMessage
from ports.blob_store import BlobStore
from ports.errors import TransientError
from ports.queue import ShardQueue


@dataclass
class FaultCounts:
    """What a wrapper did, for the drill's figures."""

    calls: int = 0
    failed_before_write: int = 0
    failed_after_write: int = 0
    delayed: int = 0

    @property
    def injected(self) -> int:
        return self.failed_before_write + self.failed_after_write


class FaultyBlobStore:
    """A ``BlobStore`` whose calls fail with ``TransientError`` at ``failure_rate``.

    A failing write either never lands (the request was lost) or lands and then reports an error
    (the answer was lost): ``after_write_share`` picks between the two. ``put_many`` is one call: when
    it fails, a random leading part of its objects has been written, as with parallel puts that give
    up. Reads and existence checks fail too, before touching the store. ``latency_rate`` of the calls
    sleep up to ``max_latency_s`` first. ``on_write(key)`` is called after each object lands, so a
    drill can act in the middle of a shard (a visibility timeout, say).
    """

    def __init__(
        self,
        inner: BlobStore,
        rng: random.Random,
        *,
        failure_rate: float = 0.0,
        after_write_share: float = 0.5,
        latency_rate: float = 0.0,
        max_latency_s: float = 0.0,
        on_write: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.counts = FaultCounts()
        self._rng = rng
        self._failure_rate = failure_rate
        self._after_write_share = after_write_share
        self._latency_rate = latency_rate
        self._max_latency_s = max_latency_s
        self._on_write = on_write
        self._lock = threading.Lock()

    def _decide(self) -> str:
        """``"ok"``, ``"before"`` or ``"after"`` (the write), after any injected latency."""
        with self._lock:
            self.counts.calls += 1
            delay = (
                self._rng.uniform(0, self._max_latency_s) if self._rng.random() < self._latency_rate else 0.0
            )
            if delay:
                self.counts.delayed += 1
            verdict = "ok"
            if self._rng.random() < self._failure_rate:
                verdict = "after" if self._rng.random() < self._after_write_share else "before"
                if verdict == "after":
                    self.counts.failed_after_write += 1
                else:
                    self.counts.failed_before_write += 1
        if delay:
            time.sleep(delay)
        return verdict

    def _landed(self, key: str) -> None:
        if self._on_write is not None:
            self._on_write(key)

    def put(self, key: str, data: bytes) -> None:
        verdict = self._decide()
        if verdict == "before":
            raise TransientError(f"injected fault: put {key} (not written)")
        self.inner.put(key, data)
        self._landed(key)
        if verdict == "after":
            raise TransientError(f"injected fault: put {key} (written, answer lost)")

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        verdict = self._decide()
        if verdict == "ok":
            landed = len(items)
        else:
            with self._lock:
                landed = self._rng.randint(0, len(items)) if verdict == "after" else 0
        for key, data in items[:landed]:
            self.inner.put(key, data)
            self._landed(key)
        if verdict != "ok":
            raise TransientError(f"injected fault: put_many ({landed} of {len(items)} written)")

    def create_if_absent(self, key: str, data: bytes) -> bool:
        verdict = self._decide()
        if verdict == "before":
            raise TransientError(f"injected fault: create {key} (not written)")
        created = self.inner.create_if_absent(key, data)
        if created:
            self._landed(key)
        if verdict == "after":
            raise TransientError(f"injected fault: create {key} (answer lost)")
        return created

    def get(self, key: str) -> bytes | None:
        self._read_fault("get", key)
        return self.inner.get(key)

    def exists(self, key: str) -> bool:
        self._read_fault("exists", key)
        return self.inner.exists(key)

    def list_keys(self, prefix: str) -> list[str]:
        self._read_fault("list", prefix)
        return self.inner.list_keys(prefix)

    def _read_fault(self, operation: str, key: str) -> None:
        if self._decide() != "ok":
            raise TransientError(f"injected fault: {operation} {key}")


class FaultyShardQueue:
    """A ``ShardQueue`` whose sends fail with ``TransientError`` at ``failure_rate``; a failing send
    may have enqueued a leading part of its messages first (``SendMessageBatch`` is not atomic)."""

    def __init__(self, inner: ShardQueue, rng: random.Random, *, failure_rate: float = 0.0) -> None:
        self.inner = inner
        self.counts = FaultCounts()
        self._rng = rng
        self._failure_rate = failure_rate

    def send(self, messages: Sequence[ShardMessage]) -> None:
        self.counts.calls += 1
        if self._rng.random() >= self._failure_rate:
            self.inner.send(messages)
            return
        sent = self._rng.randint(0, len(messages))
        if sent:
            self.counts.failed_after_write += 1
            self.inner.send(messages[:sent])
        else:
            self.counts.failed_before_write += 1
        raise TransientError(f"injected fault: send ({sent} of {len(messages)} enqueued)")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One receive of one message: what a worker gets in an SQS event record."""

    message_id: str
    receipt: int
    body: bytes
    receive_count: int


@dataclass
class _Message:
    body: bytes
    receive_count: int = 0
    receipt: int | None = None  # the latest receipt handle while in flight


@dataclass
class QueueCounts:
    sent: int = 0
    deliveries: int = 0
    duplicated: int = 0
    expired_mid_shard: int = 0
    stale_acknowledgements: int = 0
    dead_lettered: int = 0
    redriven: int = 0


@dataclass
class SimulatedSqs:
    """A standard SQS queue as a worker experiences it, in one process and in logical time.

    - Out of order: a receive takes a random sample of the visible messages.
    - At least once: at ``duplicate_rate`` a received message is delivered twice, either in the same
      batch or as a copy that turns up in a later receive.
    - Visibility timeout: ``expire(delivery)`` makes an in-flight message visible again and receives
      it at once (another worker); the first worker's receipt goes stale, and acknowledging with a
      stale receipt leaves the message in the queue, as SQS does.
    - A released message (a batch item failure) becomes visible again; past ``max_receive_count``
      receives it moves to the dead-letter queue, and ``redrive()`` moves it back.

    It implements the ``ShardQueue`` port, so the submit use case enqueues into it directly.
    """

    rng: random.Random
    duplicate_rate: float = 0.0
    max_receive_count: int = 5
    counts: QueueCounts = field(default_factory=QueueCounts)

    def __post_init__(self) -> None:
        self._messages: dict[str, _Message] = {}
        self._visible: list[str] = []
        self._dead: list[str] = []
        self._ids = itertools.count()
        self._receipts = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, messages: Sequence[ShardMessage]) -> None:
        with self._lock:
            for message in messages:
                self._add(message.to_json_bytes())
                self.counts.sent += 1

    def _add(self, body: bytes) -> str:
        message_id = f"msg-{next(self._ids):06d}"
        self._messages[message_id] = _Message(body)
        self._visible.insert(self.rng.randint(0, len(self._visible)), message_id)
        return message_id

    def receive(self, max_messages: int = 10) -> list[Delivery]:
        with self._lock:
            taken = self.rng.sample(self._visible, min(max_messages, len(self._visible)))
            batch: list[Delivery] = []
            for message_id in taken:
                self._visible.remove(message_id)
                batch.append(self._deliver(message_id))
                if self.rng.random() < self.duplicate_rate:
                    self.counts.duplicated += 1
                    if self.rng.random() < 0.5:  # the same message twice in this batch
                        batch.insert(self.rng.randint(0, len(batch)), self._deliver(message_id))
                    else:  # a copy that arrives later, out of order
                        self._add(self._messages[message_id].body)
            return batch

    def _deliver(self, message_id: str) -> Delivery:
        message = self._messages[message_id]
        message.receive_count += 1
        message.receipt = next(self._receipts)
        self.counts.deliveries += 1
        return Delivery(message_id, message.receipt, message.body, message.receive_count)

    def acknowledge(self, delivery: Delivery) -> None:
        """DeleteMessage: only the latest receipt deletes."""
        with self._lock:
            message = self._messages.get(delivery.message_id)
            if message is None:
                return
            if message.receipt != delivery.receipt:
                self.counts.stale_acknowledgements += 1
                return
            del self._messages[delivery.message_id]

    def release(self, delivery: Delivery) -> None:
        """A batch item failure: visible again, or dead-lettered after too many receives."""
        with self._lock:
            message = self._messages.get(delivery.message_id)
            if message is None or message.receipt != delivery.receipt:
                return
            message.receipt = None
            if message.receive_count >= self.max_receive_count:
                self._dead.append(delivery.message_id)
                self.counts.dead_lettered += 1
            else:
                self._visible.insert(self.rng.randint(0, len(self._visible)), delivery.message_id)

    def expire(self, delivery: Delivery) -> Delivery | None:
        """The visibility timeout passes while ``delivery`` is being worked on: another worker
        receives the message now. ``None`` when the message is already gone."""
        with self._lock:
            message = self._messages.get(delivery.message_id)
            if message is None or message.receipt != delivery.receipt:
                return None
            self.counts.expired_mid_shard += 1
            return self._deliver(delivery.message_id)

    def redrive(self) -> int:
        """Move every dead-lettered message back, receive counts reset (as a DLQ redrive does)."""
        with self._lock:
            moved, self._dead = self._dead, []
            for message_id in moved:
                self._messages[message_id].receive_count = 0
                self._visible.insert(self.rng.randint(0, len(self._visible)), message_id)
            self.counts.redriven += len(moved)
            return len(moved)

    @property
    def visible(self) -> int:
        return len(self._visible)

    @property
    def dead(self) -> int:
        return len(self._dead)

    @property
    def in_flight(self) -> int:
        return sum(1 for m in self._messages.values() if m.receipt is not None)

    @property
    def remaining(self) -> int:
        """Messages not yet deleted, wherever they are."""
        return len(self._messages)
