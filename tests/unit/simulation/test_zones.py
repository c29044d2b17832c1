"""Zone counts, their publication, and where a repositioning driver goes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.simulation.zones import Zones

WIDTH, HEIGHT = 9.0, 7.0


def brute_force_target(zones: Zones, x: float, y: float, reach: float, own: int) -> int:
    """Every zone in turn: the largest D − S in reach (ties to the lowest), if it is above 0 and
    beats own + 1."""
    best_zone, best = -1, max(zones.gap.get(own, 0) + 1, 0)
    for zone in range(zones.columns * zones.rows):
        row, column = divmod(zone, zones.columns)
        dx, dy = zones.centre_x[column] - x, zones.centre_y[row] - y
        if dx * dx + dy * dy <= reach * reach and zones.gap.get(zone, 0) > best:
            best_zone, best = zone, zones.gap.get(zone, 0)
    return best_zone


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]),
    st.dictionaries(st.integers(0, 1_007), st.integers(-3, 3).filter(bool), max_size=30),
    st.floats(0.0, WIDTH),
    st.floats(0.0, HEIGHT),
    st.floats(0.1, 12.0),
)
def test_the_target_is_the_best_zone_in_reach_whichever_way_it_is_searched(
    size: float, gaps: dict[int, int], x: float, y: float, reach: float
) -> None:
    zones = Zones(WIDTH, HEIGHT, size, None)
    count = zones.columns * zones.rows
    zones.gap = {zone % count: gap for zone, gap in gaps.items()}
    own = zones.zone_of(x, y)
    assert zones.reposition_target(x, y, reach, own) == brute_force_target(zones, x, y, reach, own)


def test_an_update_publishes_demand_minus_supply_and_the_surge() -> None:
    zones = Zones(WIDTH, HEIGHT, 3.0, (0.5, 2.0))
    zone = zones.zone_of(1.0, 1.0)
    zones.quotes[zone] += 3
    zones.waiting[zone] += 1
    zones.idle[zone] += 1
    zones.touched.add(zone)
    zones.update()
    assert zones.gap == {zone: 3}
    assert zones.multiplier[zone] == 1.0 + 0.5 * 3 / 2
    # The next period starts with no quotes: only the waiting rider and the idle driver remain.
    zones.update()
    assert zones.gap == {}
    assert zones.multiplier[zone] == 1.0
    assert zones.mean_multiplier == 1.0


def test_the_mean_multiplier_covers_every_zone() -> None:
    zones = Zones(6.0, 3.0, 3.0, (1.0, 3.0))  # two zones
    zones.quotes[0] += 2
    zones.touched.add(0)
    zones.update()
    assert zones.multiplier == [3.0, 1.0]
    assert zones.mean_multiplier == 2.0


def test_edge_zones_are_centred_on_their_part_inside_the_city() -> None:
    zones = Zones(5.0, 4.0, 3.0, None)
    assert zones.centre_x == [1.5, 4.0]
    assert zones.centre_y == [1.5, 3.5]
