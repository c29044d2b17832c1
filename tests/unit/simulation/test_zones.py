"""Zone counts, their publication, and where a repositioning driver goes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.simulation.zones import Zones

WIDTH, HEIGHT = 9.0, 7.0


def brute_force_target(zones: Zones, x: float, y: float, own: int) -> int:
    """Every zone in turn: the nearest with D − S above 0 and above own + 1 (ties to the larger
    shortage, then the lower number)."""
    floor = max(zones.gap.get(own, 0) + 1, 0)
    best: tuple[float, int, int] | None = None
    for zone in range(zones.columns * zones.rows):
        row, column = divmod(zone, zones.columns)
        dx, dy = zones.centre_x[column] - x, zones.centre_y[row] - y
        score = zones.gap.get(zone, 0)
        if score > floor and (best is None or (dx * dx + dy * dy, -score, zone) < best):
            best = (dx * dx + dy * dy, -score, zone)
    return -1 if best is None else best[2]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]),
    st.dictionaries(st.integers(0, 1_007), st.integers(-3, 3).filter(bool), max_size=30),
    st.floats(0.0, WIDTH),
    st.floats(0.0, HEIGHT),
)
def test_the_target_is_the_nearest_zone_short_of_drivers_that_beats_the_drivers_own(
    size: float, gaps: dict[int, int], x: float, y: float
) -> None:
    zones = Zones(WIDTH, HEIGHT, size, None)
    count = zones.columns * zones.rows
    zones.gap = {zone % count: gap for zone, gap in gaps.items()}
    zones.short = {zone: gap for zone, gap in zones.gap.items() if gap > 0}
    own = zones.zone_of(x, y)
    assert zones.reposition_target(x, y, own) == brute_force_target(zones, x, y, own)


def test_a_claimed_unit_of_shortage_is_no_longer_published() -> None:
    zones = Zones(WIDTH, HEIGHT, 3.0, None)
    zones.quotes[0] += 2
    zones.touched.add(0)
    zones.update()
    assert zones.short == {0: 2}
    zones.claim(0)
    zones.claim(0)
    assert zones.short == {} and zones.gap == {}


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


def test_zones_of_many_points_match_zone_of_each() -> None:
    zones = Zones(20.0, 16.0, 3.0, None)
    points = [(0.0, 0.0), (20.0, 16.0), (3.0, 6.0), (19.99, 0.5), (8.999999, 15.0)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert zones.zones_of(xs, ys) == [zones.zone_of(x, y) for x, y in points]
