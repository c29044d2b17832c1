"""The service over the wire: moto server in its own process on loopback, each figure beside the
plain boto3 calls that do the same work on the same server.

- POST → 202 for a 1,000-shard run, through the Lambda handler (target < 2 s), and the same POST
  with the queue in memory (what the service itself costs, S3 still over the wire);
- shard messages enqueued per second, timed inside that POST;
- S3 puts per second from one worker's blob store;
- the worker's share of time outside the simulation for the default point (target ≤ 20 %):
  receive → Lambda handler → Parquet → S3 → delete, against the time ``simulate`` took; for a
  shard of that one point (its five round trips to moto are not amortised) and for a shard of 50
  default points (a shard's usual shape: per-point writes overlap the next point's simulation).

moto bounds the absolute numbers: its SendMessage scans the whole queue for every message, so
enqueueing 1,000 messages costs it O(n²); the ratios show what the adapters add or save.

Run: .venv/bin/python bench/bench_aws.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from timing import simulation_seconds

SHARDS = 1000
OBJECT_BYTES = 8 * 1024
OBJECTS = 400
SHARD_POINTS = 50


@contextmanager
def moto_server() -> Iterator[str]:
    """`moto_server` in a child process (its own interpreter, as a real endpoint would be)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def post_event(body: dict[str, Any]) -> dict[str, Any]:
    from entrypoints.local_server import proxy_event

    return proxy_event("POST", "/sweep-run", json.dumps(body).encode(), "127.0.0.1", "bench")


def big_request() -> dict[str, Any]:
    return {
        "run_id": f"bench-{uuid.uuid4().hex[:8]}",
        "dimensions": {"num_drivers": list(range(1, SHARDS + 1))},
        "base_parameters": {"num_riders": 50},
        "shard_count": SHARDS,
        "seed": 1,
    }


class Stack:
    """A fresh bucket and queue (moto's send cost grows with queue depth, so every measure starts
    from an empty queue) and the service's container and Lambda handler over them."""

    def __init__(self, *, queue_in_memory: bool = False) -> None:
        from dependency_injector import providers

        from adapters.aws.clients import make_client
        from adapters.memory.queue import InMemoryShardQueue
        from entrypoints.container import build_container
        from entrypoints.handler import make_handler
        from entrypoints.settings import Settings

        self.s3 = make_client("s3")
        self.sqs = make_client("sqs")
        self.bucket = f"bench-{uuid.uuid4().hex[:10]}"
        self.s3.create_bucket(Bucket=self.bucket)
        self.queue_url: str = self.sqs.create_queue(
            QueueName=f"{self.bucket}-shards", Attributes={"VisibilityTimeout": "60"}
        )["QueueUrl"]
        settings = Settings(
            SWEEP_BACKEND="aws", SHARD_QUEUE_URL=self.queue_url, SWEEP_RESULTS_BUCKET=self.bucket
        )
        self.container = build_container(settings)
        self.send_seconds: list[float] = []
        queue = InMemoryShardQueue() if queue_in_memory else self.container.shard_queue()
        self.container.shard_queue.override(providers.Object(_TimedQueue(queue, self.send_seconds)))
        handler = make_handler(self.container)
        self.handler: Callable[[dict[str, Any]], dict[str, Any]] = lambda event: handler(event, None)


class _TimedQueue:
    def __init__(self, inner: Any, seconds: list[float]) -> None:
        self.inner, self.seconds = inner, seconds

    def send(self, messages: Sequence[Any]) -> None:
        started = time.perf_counter()
        self.inner.send(messages)
        self.seconds.append(time.perf_counter() - started)


# --- POST → 202 and enqueue rate ----------------------------------------------------------------


def timed_post(*, queue_in_memory: bool = False) -> tuple[float, float]:
    """(seconds from POST to 202, seconds of it spent enqueueing)."""
    stack = Stack(queue_in_memory=queue_in_memory)
    event = post_event(big_request())
    started = time.perf_counter()
    answer = stack.handler(event)
    elapsed = time.perf_counter() - started
    assert answer["statusCode"] == 202, answer
    return elapsed, stack.send_seconds[0]


def timed_raw_post() -> tuple[float, float]:
    """The S3 and SQS calls of a submit as plain sequential boto3 calls (planning and encoding
    done beforehand and not timed): conditional put, put, 100 × SendMessageBatch."""
    from domain.contract import Limits, parse_sweep_request
    from domain.planning import plan_sweep

    stack = Stack()
    limits = Limits()
    plan = plan_sweep(parse_sweep_request(big_request(), limits), limits)
    bodies = [m.model_dump_json() for m in plan.shard_messages("2026-01-01")]
    started = time.perf_counter()
    stack.s3.put_object(Bucket=stack.bucket, Key="raw/manifest.json", Body=b"{}" * 600, IfNoneMatch="*")
    stack.s3.put_object(Bucket=stack.bucket, Key="raw/run_context.parquet", Body=b"\0" * 6000)
    sending = time.perf_counter()
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
        assert not stack.sqs.send_message_batch(QueueUrl=stack.queue_url, Entries=entries).get("Failed")
    done = time.perf_counter()
    return done - started, done - sending


# --- S3 puts per second -----------------------------------------------------------------------


def put_rates(repeats: int) -> tuple[float, float, float]:
    """Objects/s: one put_many of every object; put_many one point (4 objects) at a time, as a
    worker's background writer issues them; plain sequential put_object calls."""
    stack = Stack()
    store = stack.container.blob_store()
    payload = os.urandom(OBJECT_BYTES)

    def items() -> list[tuple[str, bytes]]:
        prefix = uuid.uuid4().hex
        return [(f"puts/{prefix}/point_index={i}/part-0.parquet", payload) for i in range(OBJECTS)]

    def timed(write: Callable[[list[tuple[str, bytes]]], None]) -> float:
        batch = items()
        started = time.perf_counter()
        write(batch)
        return OBJECTS / (time.perf_counter() - started)

    def per_point(batch: list[tuple[str, bytes]]) -> None:
        for start in range(0, len(batch), 4):
            store.put_many(batch[start : start + 4])

    def raw(batch: list[tuple[str, bytes]]) -> None:
        for key, data in batch:
            stack.s3.put_object(Bucket=stack.bucket, Key=key, Body=data)

    timed(store.put_many)  # warm the connection pool
    return (
        statistics.median(timed(store.put_many) for _ in range(repeats)),
        statistics.median(timed(per_point) for _ in range(repeats)),
        statistics.median(timed(raw) for _ in range(repeats)),
    )


# --- worker overhead --------------------------------------------------------------------------


def default_point_request(points: int = 1) -> dict[str, Any]:
    """A one-shard run of ``points`` copies of the default point: surge is off by default, so its
    multiplier changes nothing but the point (and with it the point seed)."""
    multipliers = [2.0] if points == 1 else [round(1.0 + i / points, 4) for i in range(points)]
    run_id = f"bench-worker-{uuid.uuid4().hex[:8]}"
    return {
        "run_id": run_id,
        "dimensions": {"surge_max_multiplier": multipliers},
        "shard_count": 1,
        "seed": 7,
    }


def worker_overhead(stack: Stack, repeats: int, points: int = 1) -> tuple[float, float]:
    """(worker seconds per point, share of them outside ``simulate``): each repeat is a fresh run
    whose one shard the worker receives, runs through the Lambda handler, writes and deletes."""
    from adapters.aws.sqs_poller import SqsPoller

    poller = SqsPoller(stack.sqs, stack.queue_url)
    wall = simulated = 0.0
    for _ in range(repeats):
        assert stack.handler(post_event(default_point_request(points)))["statusCode"] == 202
        with simulation_seconds(stack.container) as spent:
            started = time.perf_counter()
            report = poller.poll_once(stack.handler, wait_seconds=1)
            wall += time.perf_counter() - started
        assert report.succeeded == 1, report
        simulated += sum(spent)
    return wall / (repeats * points), 1.0 - simulated / wall


def raw_worker_seconds(stack: Stack, repeats: int) -> float:
    """The default point by hand with plain boto3: receive, simulate, encode the four per-point
    tables and the outcome, put them one after another, delete."""
    from application import results_codec as codec
    from application.execute_shard import point_tables_for
    from domain.contract import ShardMessage, normalise_space
    from domain.planning import ParameterSpace

    wall = 0.0
    for _ in range(repeats):
        assert stack.handler(post_event(default_point_request()))["statusCode"] == 202
        started = time.perf_counter()
        [received] = stack.sqs.receive_message(QueueUrl=stack.queue_url, WaitTimeSeconds=1)["Messages"]
        message = ShardMessage.model_validate_json(received["Body"])
        space = ParameterSpace(*normalise_space(message.dimensions, message.base_parameters))
        tables = point_tables_for(message, space, 0)
        for dataset, table in tables.items():
            key = f"raw/{message.run_id}/{dataset}/part-0.parquet"
            stack.s3.put_object(Bucket=stack.bucket, Key=key, Body=codec.encode(table))
        stack.s3.put_object(Bucket=stack.bucket, Key=f"raw/{message.run_id}/outcome", Body=b"\0" * 4000)
        stack.sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=received["ReceiptHandle"])
        wall += time.perf_counter() - started
    return wall / repeats


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("measure (moto server, 127.0.0.1)", "ridesweep", "raw boto3", "ratio", "target")
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        cells = [row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]
        print("  ".join(cells).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description="ridesweep over SQS and S3 on moto server")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (median)")
    repeats = parser.parse_args().repeats

    from entrypoints.logs import configure_logging

    configure_logging("WARNING")
    with moto_server():
        timed_post(queue_in_memory=True)  # warm imports, pools and the simulation's modules
        posts = [timed_post() for _ in range(repeats)]
        raw_posts = [timed_raw_post() for _ in range(repeats)]
        local_posts = [timed_post(queue_in_memory=True)[0] for _ in range(repeats)]
        put_all, put_point, raw_put = put_rates(repeats)
        workers = Stack()
        worker_overhead(workers, 2)  # warm
        per_point, share = worker_overhead(workers, 5 * repeats)
        raw_per_point = raw_worker_seconds(workers, 5 * repeats)
        shard_per_point, shard_share = worker_overhead(workers, repeats, points=SHARD_POINTS)

    post, send = (statistics.median(x) for x in zip(*posts, strict=True))
    raw_post, raw_send = (statistics.median(x) for x in zip(*raw_posts, strict=True))
    local_post = statistics.median(local_posts)
    print_table(
        [
            (f"POST → 202, {SHARDS:,} shards", f"{post:.2f} s", f"{raw_post:.2f} s",
             f"{post / raw_post:.2f}", "< 2 s"),
            ("  the same, queue in memory (S3 on moto)", f"{local_post:.2f} s", "", "", "< 2 s"),
            ("shard messages enqueued / s", f"{SHARDS / send:,.0f}", f"{SHARDS / raw_send:,.0f}",
             f"{raw_send / send:.2f}", ""),
            (f"S3 puts / s, put_many of {OBJECTS} × {OBJECT_BYTES // 1024} KiB", f"{put_all:,.0f}",
             f"{raw_put:,.0f}", f"{put_all / raw_put:.2f}", ""),
            ("S3 puts / s, put_many of one point (4)", f"{put_point:,.0f}", f"{raw_put:,.0f}",
             f"{put_point / raw_put:.2f}", ""),
            ("worker, default point alone in its shard", f"{per_point * 1e3:.0f} ms",
             f"{raw_per_point * 1e3:.0f} ms", f"{per_point / raw_per_point:.2f}", ""),
            ("  share outside the simulation", f"{share:.1%}", "", "", ""),
            (f"worker, {SHARD_POINTS} default points in a shard, per point",
             f"{shard_per_point * 1e3:.0f} ms", "", "", ""),
            ("  share outside the simulation", f"{shard_share:.1%}", "", "", "≤ 20 %"),
        ]
    )
    print("ratio: ridesweep time / raw time (rates: ridesweep rate / raw rate); median of "
          f"{repeats} runs; raw boto3 = one call after another on the same server")


if __name__ == "__main__":
    main()
