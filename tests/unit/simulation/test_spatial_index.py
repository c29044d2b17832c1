"""The grid index answers like a scan over every item would."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.simulation.spatial_index import CoverGrid, GridIndex

WIDTH, HEIGHT = 20.0, 12.0
points = st.lists(
    st.tuples(st.floats(0.0, WIDTH), st.floats(0.0, HEIGHT)), min_size=0, max_size=120
)
queries = st.tuples(st.floats(0.0, WIDTH), st.floats(0.0, HEIGHT), st.floats(0.1, 25.0))
cells = st.sampled_from([0.3, 1.0, 2.5, 7.0, 40.0])


def build(positions: list[tuple[float, float]], cell_km: float) -> GridIndex:
    xs = [x for x, _ in positions]
    ys = [y for _, y in positions]
    index = GridIndex(WIDTH, HEIGHT, cell_km, xs, ys)
    for item in range(len(positions)):
        index.add(item)
    return index


def squared_distances(positions: list[tuple[float, float]], x: float, y: float) -> list[float]:
    return [(px - x) * (px - x) + (py - y) * (py - y) for px, py in positions]


@settings(max_examples=150, deadline=None)
@given(points, queries, cells)
def test_within_finds_exactly_the_items_inside_the_radius(
    positions: list[tuple[float, float]], query: tuple[float, float, float], cell_km: float
) -> None:
    x, y, radius = query
    found = dict(build(positions, cell_km).within(x, y, radius))
    squared = squared_distances(positions, x, y)
    assert set(found) == {i for i, d2 in enumerate(squared) if d2 <= radius * radius}
    assert all(found[i] == pytest.approx(math.sqrt(squared[i])) for i in found)


@settings(max_examples=150, deadline=None)
@given(points, queries, cells)
def test_count_within_counts_the_items_inside_the_radius(
    positions: list[tuple[float, float]], query: tuple[float, float, float], cell_km: float
) -> None:
    x, y, radius = query
    index = build(positions, cell_km)
    assert index.count_within(x, y, radius) == len(index.within(x, y, radius))


@settings(max_examples=150, deadline=None)
@given(points, queries, cells, st.integers(0, 10))
def test_a_count_told_when_it_has_enough_stops_there_but_never_short_of_it(
    positions: list[tuple[float, float]],
    query: tuple[float, float, float],
    cell_km: float,
    enough: int,
) -> None:
    x, y, radius = query
    index = build(positions, cell_km)
    full = index.count_within(x, y, radius)
    assert min(full, enough) <= index.count_within(x, y, radius, enough=enough) <= full


@settings(max_examples=200, deadline=None)
@given(points, queries, cells)
def test_any_within_tells_whether_some_item_is_inside_the_radius(
    positions: list[tuple[float, float]], query: tuple[float, float, float], cell_km: float
) -> None:
    x, y, radius = query
    index = build(positions, cell_km)
    expected = any(d2 <= radius * radius for d2 in squared_distances(positions, x, y))
    assert index.any_within(x, y, radius) is expected
    assert index.any_within(x, y, radius, index.cell_of(x, y)) is expected


def test_removed_items_are_no_longer_found() -> None:
    index = build([(1.0, 1.0), (1.5, 1.0)], 1.0)
    index.remove(0)
    assert index.within(1.0, 1.0, 1.0) == [(1, 0.5)]
    assert len(index) == 1
    assert 0 not in index


def test_an_empty_index_has_nothing_within_any_radius() -> None:
    assert not build([], 2.0).any_within(3.0, 3.0, 100.0)


def test_cells_of_many_points_match_cell_of_each() -> None:
    positions = [(0.0, 0.0), (WIDTH, HEIGHT), (7.3, 2.2), (19.99, 0.5)]
    index = build(positions, 2.5)
    xs, ys = [x for x, _ in positions], [y for _, y in positions]
    assert index.cells_of(xs, ys) == [index.cell_of(x, y) for x, y in positions]


def test_points_on_the_far_edges_of_the_city_are_indexed() -> None:
    index = build([(WIDTH, HEIGHT), (0.0, 0.0)], 2.5)
    assert [item for item, _ in index.within(WIDTH, HEIGHT, 0.5)] == [0]


@settings(max_examples=200, deadline=None)
@given(points, queries, cells, st.integers(1, 8))
def test_nearest_is_the_sorted_within_cut_to_the_count(
    positions: list[tuple[float, float]],
    query: tuple[float, float, float],
    cell_km: float,
    count: int,
) -> None:
    x, y, radius = query
    index = build(positions, cell_km)
    expected = sorted(index.within(x, y, radius), key=lambda found: (found[1], found[0]))[:count]
    assert index.nearest(x, y, radius, count) == expected


@pytest.mark.parametrize("cell_km", [1.0, 2.5])
@pytest.mark.parametrize("density", [0.05, 0.2, 1.0])
def test_nearest_agrees_with_a_scan_on_cell_edges_and_at_exactly_the_radius(
    cell_km: float, density: float
) -> None:
    # Given items on a half-km lattice (on cell edges, at exactly whole and half radii)
    draw = random.Random(int(density * 100))
    lattice = [(i / 2.0, j / 2.0) for i in range(25) for j in range(25)]
    positions = [point for point in lattice if draw.random() < density]
    index = build(positions, cell_km)
    # When the nearest are asked from lattice points, for radii a ring of cells may end exactly at
    for x, y in lattice[::7]:
        for radius in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0):
            squared = squared_distances(positions, x, y)
            scan = sorted((math.sqrt(d2), i) for i, d2 in enumerate(squared) if d2 <= radius**2)
            for count in (1, 3, 12):
                # Then they are the scan's, nearest first, ties to the lower id
                expected = [(i, km) for km, i in scan[:count]]
                assert index.nearest(x, y, radius, count) == expected, (x, y, radius, count)


@settings(max_examples=150, deadline=None)
@given(points, queries, cells)
def test_count_near_never_counts_fewer_than_lie_within(
    positions: list[tuple[float, float]], query: tuple[float, float, float], cell_km: float
) -> None:
    x, y, radius = query
    index = build(positions, cell_km)
    assert index.count_near(x, y, radius) >= index.count_within(x, y, radius)


rectangles = st.lists(
    st.tuples(st.floats(-3.0, WIDTH + 3.0), st.floats(-3.0, HEIGHT + 3.0),
              st.floats(0.0, 9.0), st.floats(0.0, 9.0)),
    min_size=1, max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(rectangles, st.lists(st.tuples(st.floats(0.0, WIDTH), st.floats(0.0, HEIGHT)), max_size=40),
       cells)
def test_a_cover_grid_finds_every_rectangle_at_each_point_it_covers(
    boxes: list[tuple[float, float, float, float]],
    probes: list[tuple[float, float]],
    cell_km: float,
) -> None:
    # Given rectangles in a cover grid of a GridIndex's geometry
    index = GridIndex(WIDTH, HEIGHT, cell_km, [], [])
    cover = CoverGrid(index.geometry)
    for item, (x, y, width, height) in enumerate(boxes):
        cover.add(item, x, y, x + width, y + height)
    # Then every point of the city finds, at its cell, every rectangle it lies in
    for px, py in probes:
        found = cover.at(index.cell_of(px, py))
        for item, (x, y, width, height) in enumerate(boxes):
            if x <= px <= x + width and y <= py <= y + height:
                assert item in found
    # And removed rectangles are found nowhere
    for item in range(len(boxes)):
        cover.remove(item)
    assert len(cover) == 0
    assert all(not cover.at(cell) for cell in range(index.geometry[1] * index.geometry[2]))
