"""The stylised facts the model reproduces (docs/model.md "Stylised facts"), one test per lever.

Every claim compares settings over the same seeds with a margin derived from the spread of the
per-seed differences (see ``replicates``), starting from the default point unless stated.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest

from domain.parameters import SimulationParameters
from domain.simulation import SimulationOutput
from domain.simulation.engine import MarketEngine
from domain.simulation.matching import Assignment, Candidate
from domain.simulation.random_streams import RandomStreams
from domain.simulation.states import DriverState
from tests.model.replicates import (
    SEEDS,
    WIDE_SEEDS,
    assert_falls,
    assert_mostly_below,
    assert_no_wider_spread,
    assert_not_above,
    assert_peaks_inside,
    assert_rises,
    assert_unchanged,
    assert_values_rise,
    market,
    metric,
    per_rider,
    replicate,
)


def mean_pickup_km(output: SimulationOutput) -> float:
    return float(np.mean(np.asarray(output.trips["pickup_distance_km"], dtype=np.float64)))


def payout_per_trip(output: SimulationOutput) -> float:
    return output.metrics["driver_payouts"] / max(output.metrics["completed_riders"], 1)


def declined_share(output: SimulationOutput) -> float:
    return output.metrics["offers_declined"] / max(output.metrics["offers_made"], 1)


def test_more_drivers_match_and_pick_up_sooner_convert_more_and_are_less_busy() -> None:
    few, usual, many = market(num_drivers=50), market(), market(num_drivers=200)
    for low, high in ((few, usual), (usual, many)):
        assert_falls(low, high, metric("avg_time_to_match_ms"), "time to match")
        assert_falls(low, high, metric("avg_time_to_pickup_ms"), "time to pickup")
        assert_rises(low, high, metric("conversion_rate"), "conversion")
        assert_falls(low, high, metric("driver_utilization"), "utilisation")


def test_more_riders_for_the_same_fleet_busy_it_and_lose_more_riders_steadily() -> None:
    few, usual, many = market(num_riders=250), market(), market(num_riders=1_000)
    for low, high in ((few, usual), (usual, many)):
        assert_rises(low, high, metric("driver_utilization"), "utilisation")
        assert_rises(low, high, metric("avg_time_to_match_ms"), "time to match")
        assert_rises(low, high, per_rider("abandoned_quote_riders"), "quote abandonment share")
        assert_rises(low, high, metric("cancelled_riders"), "cancellations")
    # One regime across seeds: no seed falls into a second cluster of outcomes.
    assert_no_wider_spread(usual, many, per_rider("abandoned_quote_riders"), "quote abandonment")


@pytest.mark.parametrize(
    ("lever", "values"),
    [("per_km_rate", (1.5, 3.0, 6.0)), ("base_fare", (2.5, 10.0, 25.0))],
)
def test_higher_prices_lose_riders_to_price_and_revenue_peaks_inside_the_range(
    lever: str, values: tuple[float, float, float]
) -> None:
    settings = [market(**{lever: value}) for value in values]
    for low, high in pairwise(settings):
        assert_rises(low, high, per_rider("riders_abandoned_price"), f"{lever}: price abandonment")
        assert_falls(low, high, metric("conversion_rate"), f"{lever}: conversion")
    assert_peaks_inside(settings, metric("platform_revenue"), f"{lever}: platform revenue")


def test_commission_moves_pay_refusals_the_fleet_and_conversion_and_revenue_peaks() -> None:
    low, middle, high = market(commission_rate=0.1), market(commission_rate=0.45), market(
        commission_rate=0.9
    )
    for a, b in ((low, middle), (middle, high)):
        assert_falls(a, b, payout_per_trip, "driver payout per trip")
        assert_rises(a, b, declined_share, "share of offers declined")
        assert_falls(a, b, metric("total_drivers"), "drivers on duty")
        assert_falls(a, b, metric("conversion_rate"), "conversion")
    assert_peaks_inside([low, middle, high], metric("platform_revenue"), "platform revenue")
    # With no participation elasticity the fleet does not follow the commission at all, and
    # conversion barely does: only drivers' refusals of badly paid offers act on it (about a point
    # from 0.1 to 0.4, which 48 seeds can tell from nothing), far less than through the fleet.
    cheap, dear = (market(commission_rate=c, driver_supply_elasticity=0.0) for c in (0.1, 0.4))
    assert replicate(cheap, metric("total_drivers")) == replicate(dear, metric("total_drivers"))
    elastic_cheap, elastic_dear = market(commission_rate=0.1), market(commission_rate=0.4)
    conversion = metric("conversion_rate")

    def fall(low: SimulationParameters, high: SimulationParameters) -> list[float]:
        return [a - b for a, b in zip(replicate(low, conversion), replicate(high, conversion),
                                      strict=True)]

    assert_values_rise(fall(cheap, dear), fall(elastic_cheap, elastic_dear),
                       "conversion's fall from commission 0.1 to 0.4, elasticity 0 then 1")


def test_surge_in_a_shortage_prices_between_one_and_the_maximum_and_trades_riders_for_speed() -> None:
    off = market(num_drivers=40)
    on = market(num_drivers=40, surge_enabled=True)
    top = on.surge_max_multiplier
    surge = replicate(on, metric("avg_surge_multiplier"))
    assert all(1.0 < value < top for value in surge), surge
    # Not pinned to the maximum: most quotes pay less than it.
    assert_mostly_below(replicate(on, metric("share_quotes_at_max_surge")), 0.5,
                        "share of quotes at the maximum")
    assert_rises(off, on, per_rider("riders_abandoned_price"), "price abandonment")
    # Fewer riders take the dearer quotes, so those who do wait less for a driver: an effect of
    # about one standard deviation of the per-seed differences, hence twice the seeds.
    assert_falls(off, on, metric("avg_time_to_match_ms"), "time to match of those who accept",
                 seeds=WIDE_SEEDS)


def test_a_more_sensitive_surge_raises_the_average_multiplier() -> None:
    settings = [market(num_drivers=40, surge_enabled=True, surge_sensitivity=s) for s in (0.1, 0.3, 1.0)]
    for low, high in pairwise(settings):
        assert_rises(low, high, metric("avg_surge_multiplier"), "average surge multiplier")


def test_a_wider_match_radius_lengthens_pickups_and_converts_more_while_it_binds() -> None:
    settings = [market(match_radius_km=r) for r in (0.5, 1.0, 2.0)]
    for low, high in pairwise(settings):
        assert_rises(low, high, mean_pickup_km, "pickup distance")
        assert_rises(low, high, metric("conversion_rate"), "conversion")


def test_less_patient_riders_cancel_more_and_convert_less() -> None:
    patient = market()
    impatient = market(rider_patience_min_seconds=30, rider_patience_max_seconds=240)
    assert_rises(patient, impatient, metric("cancelled_riders"), "cancellations")
    assert_falls(patient, impatient, metric("conversion_rate"), "conversion")


def test_a_shorter_acceptable_eta_loses_more_riders_to_the_eta() -> None:
    settings = [market(max_acceptable_eta_minutes=m) for m in (20.0, 10.0, 5.0)]
    for longer, shorter in pairwise(settings):
        assert_rises(longer, shorter, per_rider("riders_abandoned_eta"), "ETA abandonment")


def test_hungarian_pickups_are_no_longer_than_cost_based_and_those_no_longer_than_simple() -> None:
    surplus = {"num_drivers": 200}
    simple, cost_based, hungarian = (
        market(matching_algorithm=a, **surplus) for a in ("simple", "cost_based", "hungarian")
    )
    assert_not_above(hungarian, cost_based, mean_pickup_km, "hungarian vs cost_based pickup km")
    assert_not_above(cost_based, simple, mean_pickup_km, "cost_based vs simple pickup km")
    # The ordering is not an accident of equal pickups: greedy by distance beats arrival order.
    assert_falls(simple, cost_based, mean_pickup_km, "simple vs cost_based pickup km")


def idle_time_sd(params: SimulationParameters, seed: int) -> float:
    """The standard deviation of drivers' idle hours over a run that ends with the window, among
    the drivers on duty from its start to its end (time repositioning counts as idle: the driver
    is waiting for work)."""
    engine = MarketEngine(params, RandomStreams.for_point(seed))
    engine.run()
    end = engine.end_ms
    hours = []
    for driver in range(engine.drivers.on_duty_at_start):
        if engine.off_duty_ms[driver] >= 0 or engine.drivers.shift_end_ms[driver] < end:
            continue
        idle = engine.idle_ms[driver]
        if engine.driver_state[driver] in (DriverState.IDLE, DriverState.REPOSITIONING):
            idle += end - engine.idle_since_ms[driver]  # the spell still open at the end
        hours.append(idle / 3_600_000)
    return float(np.std(hours))


def test_crediting_idle_time_evens_idle_time_out_and_lengthens_pickups() -> None:
    surplus = {"num_drivers": 200, "simulation_minutes": 60}
    plain, fair = market(**surplus), market(idle_time_weight=10.0, **surplus)
    assert_values_rise(
        [idle_time_sd(fair, seed) for seed in SEEDS],
        [idle_time_sd(plain, seed) for seed in SEEDS],
        "spread of drivers' idle time, without the credit over with it",
    )
    assert_rises(plain, fair, mean_pickup_km, "pickup distance")


def test_repositioning_toward_demand_converts_more_riders_of_a_hotspot() -> None:
    still = market(demand_hotspot_share=0.7, reposition_policy="none")
    moving = market(demand_hotspot_share=0.7, reposition_policy="toward_demand")
    assert_rises(still, moving, metric("conversion_rate"), "conversion")


@pytest.mark.xfail(strict=True, reason="repositioned drivers serve riders farther away: see docs/model.md")
def test_repositioning_toward_demand_shortens_pickups_in_a_hotspot() -> None:
    still = market(demand_hotspot_share=0.7, reposition_policy="none")
    moving = market(demand_hotspot_share=0.7, reposition_policy="toward_demand")
    assert_falls(still, moving, metric("avg_time_to_pickup_ms"), "time to pickup")


def test_repositioning_toward_demand_shortens_pickups_where_drivers_wait_idle() -> None:
    # Repositioning moves drivers who have waited idle; with drivers to spare (conversion about
    # 0.7 without it) they wait near where riders appear. The test above keeps the default,
    # short market, where the effect reverses (docs/model.md, "Not reproduced").
    still = market(demand_hotspot_share=0.7, reposition_policy="none", num_drivers=400)
    moving = market(demand_hotspot_share=0.7, reposition_policy="toward_demand", num_drivers=400)
    assert_falls(still, moving, metric("avg_time_to_pickup_ms"), "time to pickup, 400 drivers")
    assert_rises(still, moving, metric("conversion_rate"), "conversion, 400 drivers")


def test_a_longer_run_after_the_same_window_leaves_utilisation_unchanged() -> None:
    settings = [market(simulation_minutes=m) for m in (60, 180, 600)]
    for a, b in pairwise(settings):
        assert_unchanged(a, b, metric("driver_utilization"), "utilisation")


def test_the_start_hour_shapes_when_riders_come_not_how_many() -> None:
    night, morning, evening = (market(start_hour=h) for h in (3, 7, 18))
    assert_unchanged(night, morning, metric("total_riders"), "riders at 03:00 vs 07:00")
    assert_unchanged(morning, evening, metric("total_riders"), "riders at 07:00 vs 18:00")


def offered_pairs(seed: int) -> tuple[list[Assignment], int]:
    """Every (rider, driver) offer of a run where drivers refuse often, and the refusals."""
    engine = MarketEngine(market(num_drivers=60, commission_rate=0.6), RandomStreams.for_point(seed))
    offered: list[Assignment] = []
    match: Callable[[list[Candidate]], list[Assignment]] = engine.match

    def recording(candidates: list[Candidate]) -> list[Assignment]:
        assignments = match(candidates)
        offered.extend(assignments)
        return assignments

    engine.match = recording
    engine.run()
    return offered, engine.offers_declined


def test_no_rider_is_offered_the_same_driver_twice() -> None:
    for seed in SEEDS:
        offered, declined = offered_pairs(seed)
        assert declined > 20
        assert len(set(offered)) == len(offered), f"seed {seed}: a pair was offered twice"
