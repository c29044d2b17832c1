"""The point's random streams: one PCG64 seeded with the point seed, split into independent children.

Each population and each kind of draw has its own child stream, so adding draws to one (a rider
re-quoting once more, a sweep point with more drivers) never shifts the numbers another one sees.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEED_LIMIT = 2**64


@dataclass(frozen=True, slots=True)
class RandomStreams:
    rider_arrivals: np.random.Generator
    rider_attributes: np.random.Generator
    rider_positions: np.random.Generator
    driver_arrivals: np.random.Generator
    driver_attributes: np.random.Generator
    driver_positions: np.random.Generator
    decisions: np.random.Generator
    speeds: np.random.Generator

    @classmethod
    def for_point(cls, seed: int) -> RandomStreams:
        if not 0 <= seed < SEED_LIMIT:
            raise ValueError(f"a point seed must satisfy 0 ≤ seed < 2^64, got {seed}")
        root = np.random.Generator(np.random.PCG64(seed))
        riders, drivers, decisions, speeds = root.spawn(4)
        rider_arrivals, rider_attributes, rider_positions = riders.spawn(3)
        driver_arrivals, driver_attributes, driver_positions = drivers.spawn(3)
        return cls(
            rider_arrivals=rider_arrivals,
            rider_attributes=rider_attributes,
            rider_positions=rider_positions,
            driver_arrivals=driver_arrivals,
            driver_attributes=driver_attributes,
            driver_positions=driver_positions,
            decisions=decisions,
            speeds=speeds,
        )


class UniformFeed:
    """Uniform [0, 1) numbers drawn from a generator in chunks and handed out one at a time.

    Drawing a chunk costs about as much as drawing one number, and handing out Python floats
    avoids numpy scalar arithmetic in the event loop. ``draw`` is a C-level ``next`` over the
    chained chunks, so taking a number costs no Python frame. The sequence handed out depends only
    on the order of the calls, never on the chunk size.
    """

    __slots__ = ("draw",)

    def __init__(self, rng: np.random.Generator, chunk: int = 2048) -> None:
        chunks = (rng.random(chunk).tolist() for _ in itertools.count())
        self.draw: Callable[[], float] = functools.partial(next, itertools.chain.from_iterable(chunks))
