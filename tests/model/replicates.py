"""Replicated runs and the comparisons the stylised-fact tests make on them.

Each setting runs on the same seeds (common random numbers: the same riders and drivers wherever
the setting does not change the draws), so two settings are compared seed by seed. A claimed
effect must show in the mean of the per-seed differences by more than its standard error times
the one-sided Student t quantile at CONFIDENCE: the margin comes from the spread observed, never
from a constant picked to pass. `make model-check` runs the same tests on more seeds.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from scipy import stats

from domain.parameters import SimulationParameters
from domain.simulation import SimulationOutput, simulate

CONFIDENCE = 0.999
"""One-sided confidence of every claimed direction; two-sided for claims of no change."""
SEEDS = range(int(os.environ.get("MODEL_CHECK_SEEDS", "12")))
WIDE_SEEDS = range(2 * len(SEEDS))
"""For claims whose effect is under one standard deviation of the per-seed differences, where 12
seeds would not have the power to show it at CONFIDENCE."""
DEFAULT = SimulationParameters()

Measure = Callable[[SimulationOutput], float]


def market(**changes: Any) -> SimulationParameters:
    """The default point with ``changes``."""
    return dataclasses.replace(DEFAULT, **changes)


@functools.lru_cache(maxsize=4_096)
def run(params: SimulationParameters, seed: int) -> SimulationOutput:
    return simulate(params, seed)


def metric(name: str) -> Measure:
    return lambda output: float(output.metrics[name])


def per_rider(name: str) -> Measure:
    """A count as a share of the riders who arrived."""
    return lambda output: output.metrics[name] / output.metrics["total_riders"]


def replicate(
    params: SimulationParameters, measure: Measure, seeds: Sequence[int] = SEEDS
) -> list[float]:
    return [measure(run(params, seed)) for seed in seeds]


def _t(confidence: float, n: int) -> float:
    return float(stats.t.ppf(confidence, n - 1))


def _paired(low: Sequence[float], high: Sequence[float]) -> tuple[float, float, int]:
    differences = [b - a for a, b in zip(low, high, strict=True)]
    n = len(differences)
    assert n >= 8, "a stylised fact needs at least 8 seeds per setting"
    mean = statistics.fmean(differences)
    error = statistics.stdev(differences) / math.sqrt(n)
    return mean, error, n


def assert_rises(
    params_low: SimulationParameters,
    params_high: SimulationParameters,
    measure: Measure,
    what: str,
    seeds: Sequence[int] = SEEDS,
) -> None:
    """``measure`` is larger at ``params_high`` than at ``params_low``, beyond the noise."""
    assert_values_rise(
        replicate(params_low, measure, seeds), replicate(params_high, measure, seeds), what
    )


def assert_values_rise(low: Sequence[float], high: Sequence[float], what: str) -> None:
    """Per-seed values: ``high`` exceeds ``low`` (paired by seed) beyond the noise."""
    mean, error, n = _paired(low, high)
    margin = _t(CONFIDENCE, n) * error
    assert mean > margin, (
        f"{what}: expected a rise, got {statistics.fmean(low):.4g} → {statistics.fmean(high):.4g} "
        f"(mean paired difference {mean:.4g}, needs > {margin:.4g} at {CONFIDENCE:.1%})"
    )


def assert_mostly_below(values: Sequence[float], bound: float, what: str) -> None:
    """The mean of per-seed ``values`` is below ``bound`` by more than the noise."""
    n = len(values)
    margin = _t(CONFIDENCE, n) * statistics.stdev(values) / math.sqrt(n)
    assert statistics.fmean(values) + margin < bound, (
        f"{what}: mean {statistics.fmean(values):.4g} + noise {margin:.4g} is not below {bound}"
    )


def assert_falls(
    params_high: SimulationParameters,
    params_low: SimulationParameters,
    measure: Measure,
    what: str,
    seeds: Sequence[int] = SEEDS,
) -> None:
    """``measure`` is smaller at ``params_low`` (second) than at ``params_high`` (first)."""
    assert_rises(params_low, params_high, measure, what, seeds)


def assert_not_above(
    params_a: SimulationParameters, params_b: SimulationParameters, measure: Measure, what: str
) -> None:
    """``measure`` at ``params_a`` is at most its value at ``params_b``, within the noise."""
    a, b = replicate(params_a, measure), replicate(params_b, measure)
    mean, error, n = _paired(b, a)
    margin = _t(CONFIDENCE, n) * error
    assert mean <= margin, (
        f"{what}: expected at most {statistics.fmean(b):.4g}, got {statistics.fmean(a):.4g} "
        f"(mean paired difference {mean:.4g} > {margin:.4g} at {CONFIDENCE:.1%})"
    )


def assert_unchanged(
    params_a: SimulationParameters, params_b: SimulationParameters, measure: Measure, what: str
) -> None:
    """No difference between the two settings that the noise cannot explain (two-sided)."""
    a, b = replicate(params_a, measure), replicate(params_b, measure)
    mean, error, n = _paired(a, b)
    margin = _t(1 - (1 - CONFIDENCE) / 2, n) * error
    assert abs(mean) <= margin, (
        f"{what}: expected no change, got {statistics.fmean(a):.4g} → {statistics.fmean(b):.4g} "
        f"(mean paired difference {mean:.4g}, noise allows ±{margin:.4g} at {CONFIDENCE:.1%})"
    )


def assert_peaks_inside(
    settings: Sequence[SimulationParameters], measure: Measure, what: str
) -> None:
    """The middle setting's measure beats both ends: the lever has an interior maximum."""
    low, middle, high = settings
    assert_rises(low, middle, measure, f"{what}, first half")
    assert_falls(middle, high, measure, f"{what}, second half")


def assert_no_wider_spread(
    params_reference: SimulationParameters, params: SimulationParameters, measure: Measure, what: str
) -> None:
    """The spread across seeds at ``params`` is no wider than at ``params_reference``, beyond
    what an F test at CONFIDENCE allows: outcomes splitting into two clusters across seeds would
    inflate it."""
    reference, values = replicate(params_reference, measure), replicate(params, measure)
    ratio = statistics.variance(values) / statistics.variance(reference)
    limit = float(stats.f.ppf(CONFIDENCE, len(values) - 1, len(reference) - 1))
    assert ratio <= limit, f"{what}: variance ratio {ratio:.3g} exceeds {limit:.3g}"
