"""Square zones over the city: the counts behind surge prices and repositioning.

Between two zone updates the engine keeps, per zone, the quotes asked there this period, the riders
waiting unmatched there now and the idle drivers there now, and notes every zone whose counts
moved. An update turns those counts into the published state every reader uses until the next
update: each zone's demand minus supply (D − S) and, with surge on, its multiplier. Only zones that
moved, or that had demand at the last update (their quotes start again from 0), are recomputed, so
an update costs what happened in the period, not the number of zones.
"""

from __future__ import annotations

import math

import numpy as np

from domain.simulation.pricing import surge_multiplier


class Zones:
    __slots__ = (
        "_demanded",
        "_surge",
        "centre_x",
        "centre_y",
        "columns",
        "gap",
        "idle",
        "inverse",
        "mean_multiplier",
        "multiplier",
        "quotes",
        "rows",
        "short",
        "size_km",
        "surged",
        "touched",
        "waiting",
    )

    def __init__(
        self,
        width_km: float,
        height_km: float,
        size_km: float,
        surge: tuple[float, float] | None,
    ) -> None:
        """``surge`` is (sensitivity, maximum multiplier), or None when surge is off."""
        self.size_km = size_km
        self.inverse = 1.0 / size_km
        self.columns = columns = max(1, math.ceil(width_km / size_km))
        self.rows = rows = max(1, math.ceil(height_km / size_km))
        # A zone's centre is the centre of its part inside the city (edge zones may stick out).
        xs = [(c * size_km + min((c + 1) * size_km, width_km)) / 2.0 for c in range(columns)]
        ys = [(r * size_km + min((r + 1) * size_km, height_km)) / 2.0 for r in range(rows)]
        self.centre_x = xs
        self.centre_y = ys
        count = columns * rows
        self.quotes = [0] * count
        self.waiting = [0] * count
        self.idle = [0] * count
        self.touched: set[int] = set()
        self.gap: dict[int, int] = {}
        """Published D − S of every zone where it is not 0."""
        self.short: dict[int, int] = {}
        """The published D − S of the zones short of drivers (D − S > 0), by zone number."""
        self.multiplier = [1.0] * count
        self.surged: dict[int, float] = {}
        """Published multipliers other than 1, by zone."""
        self.mean_multiplier = 1.0
        self._demanded: set[int] = set()
        self._surge = surge

    def zone_of(self, x: float, y: float) -> int:
        column = int(x * self.inverse)
        row = int(y * self.inverse)
        if column >= self.columns:
            column = self.columns - 1
        if row >= self.rows:
            row = self.rows - 1
        return row * self.columns + column

    def zones_of(self, xs: list[float], ys: list[float]) -> list[int]:
        """``zone_of`` for many points at once (for points that never move)."""
        inverse = self.inverse
        columns = np.minimum((np.asarray(xs, dtype=np.float64) * inverse).astype(np.int64), self.columns - 1)
        rows = np.minimum((np.asarray(ys, dtype=np.float64) * inverse).astype(np.int64), self.rows - 1)
        zones: list[int] = (rows * self.columns + columns).tolist()
        return zones

    def update(self) -> None:
        """Publish the counts of the period just ended; quotes start again from 0."""
        quotes, waiting, idle, gap, short = self.quotes, self.waiting, self.idle, self.gap, self.short
        changed = self.touched | self._demanded
        demanded: set[int] = set()
        surge = self._surge
        for zone in changed:
            demand = quotes[zone] + waiting[zone]
            supply = idle[zone]
            quotes[zone] = 0
            if demand:
                demanded.add(zone)
            difference = demand - supply
            if difference:
                gap[zone] = difference
            else:
                gap.pop(zone, None)
            if difference > 0:
                short[zone] = difference
            else:
                short.pop(zone, None)
            if surge is not None:
                value = surge_multiplier(demand, supply, surge[0], surge[1])
                self.multiplier[zone] = value
                if value != 1.0:
                    self.surged[zone] = value
                else:
                    self.surged.pop(zone, None)
        self.touched = set()
        self._demanded = demanded
        if surge is not None:
            # fsum is exact, so the mean does not depend on the order zones were visited in.
            surged = self.surged
            count = len(self.multiplier)
            self.mean_multiplier = (math.fsum(surged.values()) + (count - len(surged))) / count

    def reposition_target(self, x: float, y: float, own: int) -> int:
        """The zone an idle driver at (x, y) in zone ``own`` heads for, or -1 to stay.

        The nearest zone short of drivers (published D − S > 0) whose shortage beats the driver's
        own zone counted without the driver itself (D − S + 1): a move goes toward unmet demand
        and leaves the two zones better balanced than staying does. Ties go to the larger
        shortage, then to the lower zone number.
        """
        own_score = self.gap.get(own, 0) + 1
        best_key: tuple[float, int, int] | None = None
        centre_x, centre_y, columns = self.centre_x, self.centre_y, self.columns
        for zone, score in self.short.items():
            if score > own_score:
                row, column = divmod(zone, columns)
                dx = centre_x[column] - x
                dy = centre_y[row] - y
                key = (dx * dx + dy * dy, -score, zone)
                if best_key is None or key < best_key:
                    best_key = key
        return -1 if best_key is None else best_key[2]

    def claim(self, zone: int) -> None:
        """A driver heads for ``zone``: one unit of its published shortage is taken."""
        left = self.gap[zone] - 1
        if left:
            self.gap[zone] = left
        else:
            del self.gap[zone]
        if left > 0:
            self.short[zone] = left
        else:
            del self.short[zone]
