"""A uniform grid over the city for "who is within r km", "is anyone within r km" and "how many".

Items are integer ids; their positions live in the caller's coordinate lists, which must not change
while an item is indexed. Queries return ids in no particular order: callers that need an order
sort by id.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable

import numpy as np

MAX_CELLS = 1 << 16
SCAN_ALL_BELOW = 16
RING_MARGIN_KM = 1e-9
"""Slack on how far a ring of cells is from a point, far above the rounding of cell bounds."""


class GridIndex:
    __slots__ = (
        "_cell_km",
        "_cells",
        "_diagonal_km",
        "_height_km",
        "_inverse",
        "_neighbourhoods",
        "_nx",
        "_ny",
        "_width_km",
        "_xs",
        "_ys",
        "members",
    )

    def __init__(
        self,
        width_km: float,
        height_km: float,
        cell_km: float,
        xs: list[float],
        ys: list[float],
    ) -> None:
        cell_km = max(cell_km, math.sqrt(width_km * height_km / MAX_CELLS))
        self._cell_km = cell_km
        self._inverse = 1.0 / cell_km
        self._diagonal_km = math.hypot(width_km, height_km)
        self._nx = max(1, math.ceil(width_km / cell_km))
        self._ny = max(1, math.ceil(height_km / cell_km))
        self._cells: list[set[int] | None] = [None] * (self._nx * self._ny)
        self._neighbourhoods: list[tuple[int, ...] | None] = [None] * (self._nx * self._ny)
        self._xs = xs
        self._ys = ys
        self.members: dict[int, int] = {}
        """Every indexed item, mapped to its cell, in the order added."""

    def __len__(self) -> int:
        return len(self.members)

    @property
    def geometry(self) -> tuple[float, int, int]:
        """(cell size, columns, rows): grids of equal geometry share cell numbers."""
        return self._cell_km, self._nx, self._ny

    def cell_of(self, x: float, y: float) -> int:
        cx = int(x * self._inverse)
        cy = int(y * self._inverse)
        if cx >= self._nx:
            cx = self._nx - 1
        if cy >= self._ny:
            cy = self._ny - 1
        return cy * self._nx + cx

    def cells_of(self, xs: list[float], ys: list[float]) -> list[int]:
        """``cell_of`` for many points at once (for items whose position never changes)."""
        cx = np.minimum((np.asarray(xs, dtype=np.float64) * self._inverse).astype(np.int64), self._nx - 1)
        cy = np.minimum((np.asarray(ys, dtype=np.float64) * self._inverse).astype(np.int64), self._ny - 1)
        cells: list[int] = (cy * self._nx + cx).tolist()
        return cells

    def add(self, item: int, index: int = -1) -> None:
        """Index ``item`` at its position; ``index``, when given, is its ``cell_of``."""
        if index < 0:
            cx = int(self._xs[item] * self._inverse)
            cy = int(self._ys[item] * self._inverse)
            if cx >= self._nx:
                cx = self._nx - 1
            if cy >= self._ny:
                cy = self._ny - 1
            index = cy * self._nx + cx
        cell = self._cells[index]
        if cell is None:
            cell = self._cells[index] = set()
        cell.add(item)
        self.members[item] = index

    def remove(self, item: int) -> None:
        cell = self._cells[self.members.pop(item)]
        assert cell is not None
        cell.discard(item)

    def __contains__(self, item: int) -> bool:
        return item in self.members

    def _cell_span(self, x: float, y: float, radius: float) -> tuple[int, int, int, int]:
        inverse = self._inverse
        cx0 = int((x - radius) * inverse)
        cx1 = int((x + radius) * inverse)
        cy0 = int((y - radius) * inverse)
        cy1 = int((y + radius) * inverse)
        last_x = self._nx - 1
        last_y = self._ny - 1
        return (
            cx0 if cx0 > 0 else 0,
            cx1 if cx1 < last_x else last_x,
            cy0 if cy0 > 0 else 0,
            cy1 if cy1 < last_y else last_y,
        )

    def within(self, x: float, y: float, radius: float, index: int = -1) -> list[tuple[int, float]]:
        """(id, distance) of every item at most ``radius`` km from (x, y).

        ``index``, when given, is ``cell_of(x, y)`` (in this grid or one of equal geometry).
        A handful of items are simply checked in turn, in the order they were added.
        """
        found: list[tuple[int, float]] = []
        if len(self.members) <= SCAN_ALL_BELOW:
            _gather(self.members, self._xs, self._ys, x, y, radius * radius, found)
            return found
        if radius > self._cell_km:
            return self._within_span(x, y, radius)
        # Within one cell's width: the point's cell and its eight neighbours hold every answer.
        if index < 0:
            nx = self._nx
            cx = int(x * self._inverse)
            cy = int(y * self._inverse)
            if cx >= nx:
                cx = nx - 1
            if cy >= self._ny:
                cy = self._ny - 1
            index = cy * nx + cx
        neighbourhood = self._neighbourhoods[index] or self._neighbourhood(index)
        xs, ys, cells = self._xs, self._ys, self._cells
        limit = radius * radius
        for near in neighbourhood:
            cell = cells[near]
            if cell:
                _gather(cell, xs, ys, x, y, limit, found)
        return found

    def nearest(
        self, x: float, y: float, radius: float, count: int, index: int = -1
    ) -> list[tuple[int, float]]:
        """(id, distance) of the ``count`` items nearest to (x, y) within ``radius`` km, nearest
        first (ties to the lower id): ``within`` sorted and cut to ``count``.

        Cells are visited in rings of growing distance, and the search stops once ``count`` items
        are nearer than anything the next ring could hold: in a dense grid it reads a few cells
        instead of every cell the radius reaches.
        """
        if count <= 0:
            return []
        if len(self.members) <= SCAN_ALL_BELOW:
            ordered = sorted(self.within(x, y, radius, index), key=_by_distance_then_id)
            return ordered[:count]
        size, nx, ny = self._cell_km, self._nx, self._ny
        if index < 0:
            index = self.cell_of(x, y)
        cy, cx = divmod(index, nx)
        xs, ys, cells = self._xs, self._ys, self._cells
        limit = radius * radius
        found: list[tuple[float, int]] = []
        # The point's cell and its eight neighbours first; a cell of ring r >= 2 is at least
        # r - 1 cells plus the point's distance to the nearest edge of its own cell away.
        for near in self._neighbourhoods[index] or self._neighbourhood(index):
            cell = cells[near]
            if cell:
                _gather_by_distance(cell, xs, ys, x, y, limit, found)
        edge = min(x - cx * size, (cx + 1) * size - x, y - cy * size, (cy + 1) * size - y)
        ring_km = size + edge - RING_MARGIN_KM
        for ring in range(2, int(radius * self._inverse) + 2):
            if ring_km > radius or (
                len(found) >= count and heapq.nsmallest(count, found)[-1][0] < ring_km
            ):
                break
            for near in _ring(cx, cy, ring, nx, ny):
                cell = cells[near]
                if cell:
                    _gather_by_distance(cell, xs, ys, x, y, limit, found)
            ring_km += size
        return [(item, km) for km, item in heapq.nsmallest(count, found)]

    def _neighbourhood(self, index: int) -> tuple[int, ...]:
        neighbourhood = _block_of_nine(index, self._nx, self._ny)
        self._neighbourhoods[index] = neighbourhood
        return neighbourhood

    def _within_span(self, x: float, y: float, radius: float) -> list[tuple[int, float]]:
        cx0, cx1, cy0, cy1 = self._cell_span(x, y, radius)
        xs, ys, cells, nx = self._xs, self._ys, self._cells, self._nx
        limit = radius * radius
        found: list[tuple[int, float]] = []
        for row in range(cy0 * nx, cy1 * nx + 1, nx):
            for cell in cells[row + cx0 : row + cx1 + 1]:
                if cell:
                    _gather(cell, xs, ys, x, y, limit, found)
        return found

    def count_near(self, x: float, y: float, radius: float) -> int:
        """At least as many items as lie within ``radius`` km of (x, y): every item of the cells
        the radius's square touches, without looking at their positions."""
        cx0, cx1, cy0, cy1 = self._cell_span(x, y, radius)
        cells, nx = self._cells, self._nx
        return sum(
            len(cell)
            for row in range(cy0 * nx, cy1 * nx + 1, nx)
            for cell in cells[row + cx0 : row + cx1 + 1]
            if cell
        )

    def count_within(self, x: float, y: float, radius: float, enough: int | None = None) -> int:
        """How many items are at most ``radius`` km from (x, y); with ``enough``, at least that
        many once the count reaches it (the count stops there).

        A cell entirely inside the circle counts whole; only cells the circle cuts are checked item
        by item. Grids meant for counting therefore use cells a few times smaller than the radius.
        """
        if enough is not None and enough <= 0:
            return 0
        cx0, cx1, cy0, cy1 = self._cell_span(x, y, radius)
        xs, ys, cells, nx, size = self._xs, self._ys, self._cells, self._nx, self._cell_km
        limit = radius * radius
        # Squared distance from the point to the far edge of each column of cells, then each row.
        far_x = [max(x - cx * size, (cx + 1) * size - x) ** 2 for cx in range(cx0, cx1 + 1)]
        stop = len(self.members) if enough is None else enough
        count = 0
        for cy in range(cy0, cy1 + 1):
            far_y = max(y - cy * size, (cy + 1) * size - y) ** 2
            start = cy * nx + cx0
            for cell, far in zip(cells[start : start + len(far_x)], far_x, strict=True):
                if cell:
                    if far + far_y <= limit:
                        count += len(cell)
                    else:
                        for item in cell:
                            dx = xs[item] - x
                            dy = ys[item] - y
                            if dx * dx + dy * dy <= limit:
                                count += 1
                    if count >= stop:
                        return count
        return count

    def any_within(self, x: float, y: float, radius: float, index: int = -1) -> bool:
        """Whether some item is at most ``radius`` km from (x, y); stops at the first one found.

        A handful of items are simply checked in turn. Otherwise the point's cell and its eight
        neighbours come first (where a hit is likeliest), then every cell the radius reaches.
        ``index``, when given, is ``cell_of(x, y)``.
        """
        members = self.members
        if len(members) <= SCAN_ALL_BELOW:
            return _any_within(members, self._xs, self._ys, x, y, radius)
        if index < 0:
            index = self.cell_of(x, y)
        cells = self._cells
        neighbourhood = self._neighbourhoods[index] or self._neighbourhood(index)
        for near in neighbourhood:
            cell = cells[near]
            if cell and _any_within(cell, self._xs, self._ys, x, y, radius):
                return True
        if radius <= self._cell_km:
            return False
        cx0, cx1, cy0, cy1 = self._cell_span(x, y, min(radius, self._diagonal_km))
        nx = self._nx
        return any(
            _any_within(cell, self._xs, self._ys, x, y, radius)
            for row in range(cy0 * nx, cy1 * nx + 1, nx)
            for cell in cells[row + cx0 : row + cx1 + 1]
            if cell
        )


def _gather(
    items: Iterable[int],
    xs: list[float],
    ys: list[float],
    x: float,
    y: float,
    limit: float,
    found: list[tuple[int, float]],
) -> None:
    """Append (id, distance) of each of ``items`` whose squared distance is at most ``limit``."""
    for item in items:
        dx = xs[item] - x
        dy = ys[item] - y
        squared = dx * dx + dy * dy
        if squared <= limit:
            found.append((item, math.sqrt(squared)))


def _gather_by_distance(
    items: Iterable[int],
    xs: list[float],
    ys: list[float],
    x: float,
    y: float,
    limit: float,
    found: list[tuple[float, int]],
) -> None:
    """As ``_gather``, with (distance, id) pairs: the order ``nearest`` ranks them in."""
    for item in items:
        dx = xs[item] - x
        dy = ys[item] - y
        squared = dx * dx + dy * dy
        if squared <= limit:
            found.append((math.sqrt(squared), item))


def _by_distance_then_id(found: tuple[int, float]) -> tuple[float, int]:
    return found[1], found[0]


def _ring(cx: int, cy: int, ring: int, nx: int, ny: int) -> list[int]:
    """The cells at Chebyshev distance ``ring`` from cell (cx, cy), inside the nx × ny grid."""
    if ring == 0:
        return [cy * nx + cx]
    cells: list[int] = []
    first_x, last_x = max(0, cx - ring), min(nx - 1, cx + ring)
    for row in range(max(0, cy - ring), min(ny - 1, cy + ring) + 1):
        if row in (cy - ring, cy + ring):
            cells.extend(range(row * nx + first_x, row * nx + last_x + 1))
        else:
            if cx - ring >= 0:
                cells.append(row * nx + cx - ring)
            if cx + ring < nx:
                cells.append(row * nx + cx + ring)
    return cells


@functools.lru_cache(maxsize=MAX_CELLS)
def _block_of_nine(index: int, nx: int, ny: int) -> tuple[int, ...]:
    """Cell ``index`` of an nx × ny grid and its (up to eight) neighbours."""
    cy, cx = divmod(index, nx)
    return tuple(
        row * nx + column
        for row in range(max(0, cy - 1), min(ny, cy + 2))
        for column in range(max(0, cx - 1), min(nx, cx + 2))
    )


def _any_within(
    items: Iterable[int], xs: list[float], ys: list[float], x: float, y: float, radius: float
) -> bool:
    limit = radius * radius
    for item in items:
        dx = xs[item] - x
        dy = ys[item] - y
        if dx * dx + dy * dy <= limit:
            return True
    return False


class CoverGrid:
    """Items that each cover a rectangle, found by the cells of a grid they touch: ``at(cell)``
    holds every item whose rectangle reaches into that cell (and no other). The grid has the
    geometry of a ``GridIndex`` (``GridIndex.geometry``), so its cell numbers are that index's."""

    __slots__ = ("_cells", "_covered", "_inverse", "_nx", "_ny")

    def __init__(self, geometry: tuple[float, int, int]) -> None:
        cell_km, self._nx, self._ny = geometry
        self._inverse = 1.0 / cell_km
        self._cells: list[set[int] | None] = [None] * (self._nx * self._ny)
        self._covered: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._covered)

    def add(self, item: int, x0: float, y0: float, x1: float, y1: float) -> None:
        """``item`` covers the rectangle from (x0, y0) to (x1, y1) (x0 ≤ x1, y0 ≤ y1)."""
        inverse, nx, last_x, last_y = self._inverse, self._nx, self._nx - 1, self._ny - 1
        cx0 = min(max(int(x0 * inverse), 0), last_x)
        cx1 = min(max(int(x1 * inverse), 0), last_x)
        cy0 = min(max(int(y0 * inverse), 0), last_y)
        cy1 = min(max(int(y1 * inverse), 0), last_y)
        cells = self._cells
        covered = [
            row + column for row in range(cy0 * nx, cy1 * nx + 1, nx) for column in range(cx0, cx1 + 1)
        ]
        for index in covered:
            cell = cells[index]
            if cell is None:
                cells[index] = {item}
            else:
                cell.add(item)
        self._covered[item] = covered

    def remove(self, item: int) -> None:
        cells = self._cells
        for index in self._covered.pop(item):
            cell = cells[index]
            assert cell is not None
            cell.discard(item)

    def at(self, index: int) -> set[int]:
        """The items whose rectangles reach into cell ``index`` (do not change the set)."""
        return self._cells[index] or _NOTHING


_NOTHING: set[int] = set()
