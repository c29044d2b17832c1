"""Validation and planning cost: a 10^6-point request into 1,000 shards, and point decoding.

Run: .venv/bin/python bench/bench_planning.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from domain.contract import Limits, parse_sweep_request
from domain.planning import plan_sweep

LIMITS = Limits(max_shards=1000, max_total_points=1_000_000)


def request(points_per_axis: tuple[int, ...]) -> dict[str, object]:
    names = ["num_riders", "num_drivers", "base_fare"]
    dims = {name: list(range(1, n + 1)) for name, n in zip(names, points_per_axis, strict=False)}
    return {"run_id": "bench", "dimensions": dims, "shard_count": 1000, "seed": 7}


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    small = request((100, 100))  # 10^4 points
    large = request((100, 100, 100))  # 10^6 points
    t_small = median_seconds(lambda: plan_sweep(parse_sweep_request(small, LIMITS), LIMITS), 30)
    t_large = median_seconds(lambda: plan_sweep(parse_sweep_request(large, LIMITS), LIMITS), 30)
    plan = plan_sweep(parse_sweep_request(large, LIMITS), LIMITS)
    rng = random.Random(1)
    indexes = [rng.randrange(plan.total_points) for _ in range(100_000)]

    def decode() -> None:
        for i in indexes:
            plan.space.point_at(i)

    t_decode = median_seconds(decode, 5)
    rows = [
        ("validate + plan 10^4 points → 1,000 shards", f"{t_small * 1e3:8.2f} ms"),
        ("validate + plan 10^6 points → 1,000 shards", f"{t_large * 1e3:8.2f} ms"),
        ("ratio 10^6 / 10^4 (should be near 1)", f"{t_large / t_small:8.2f}"),
        ("decode 10^5 random point indexes", f"{t_decode * 1e3:8.2f} ms"),
        ("per decoded point", f"{t_decode / len(indexes) * 1e6:8.2f} µs"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
