"""What looking for a run's cancellation marker costs a worker, and why it looks at most once a second.

A shard asks the store whether its run was cancelled (a HEAD of ``runs/run_id=<r>/cancelled.json``,
absent while the run runs). Asked before every point, the HEAD's round trip adds to every point;
asked at most every ``CANCEL_CHECK_SECONDS`` (1 s), it adds one round trip per second of work.
This prints both against a default point's simulation time, with the HEAD measured on moto server
over loopback (a floor: S3 in the same region answers a HEAD in roughly 10-30 ms).

    .venv/bin/python bench/bench_cancel_check.py
"""

from __future__ import annotations

import os
import statistics
import time

from bench_aws import moto_server

HEADS = 200
POINTS = 15


def main() -> None:
    from adapters.aws.clients import make_client
    from adapters.aws.s3_blob_store import S3BlobStore
    from application.cancellation import DEFAULT_CHECK_SECONDS
    from domain.parameters import SimulationParameters
    from domain.simulation import simulate

    parameters = SimulationParameters()
    simulate(parameters, 0)  # warm
    point_times = []
    for seed in range(POINTS):
        started = time.perf_counter()
        simulate(parameters, seed)
        point_times.append(time.perf_counter() - started)
    point = statistics.median(point_times)

    with moto_server():
        s3 = make_client("s3")
        s3.create_bucket(Bucket="bench-cancel")
        store = S3BlobStore(s3, "bench-cancel")
        key = "sweeps/runs/run_id=bench/cancelled.json"
        store.exists(key)  # warm the connection
        head_times = []
        for _ in range(HEADS):
            started = time.perf_counter()
            store.exists(key)
            head_times.append(time.perf_counter() - started)
    head = statistics.median(head_times)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"default point (simulation alone), median of {POINTS}: {point * 1000:.1f} ms")
    print(f"HEAD of the absent marker on moto server, median of {HEADS}: {head * 1000:.1f} ms")
    print(
        f"asked before every point: +{head / point:.0%} per point "
        f"(on S3, 10-30 ms: +{0.010 / point:.0%} to +{0.030 / point:.0%})"
    )
    print(
        f"asked at most every {DEFAULT_CHECK_SECONDS:g} s: +{head / DEFAULT_CHECK_SECONDS:.2%} of the "
        f"worker's time (on S3: +{0.010 / DEFAULT_CHECK_SECONDS:.0%} to "
        f"+{0.030 / DEFAULT_CHECK_SECONDS:.0%}); a cancel stops a shard within "
        f"{DEFAULT_CHECK_SECONDS:g} s plus one point"
    )


if __name__ == "__main__":
    main()
