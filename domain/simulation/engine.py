"""The discrete-event run of one simulation (docs/model.md describes the market it plays out).

State lives in flat Python lists indexed by rider or driver id (plain ints and floats: numpy scalars
are slow one at a time), events are packed ints on a heap (see ``events``), random numbers come
from pre-drawn chunks, idle drivers and waiting riders sit in grid indexes so matching only looks
at pairs within the match radius, and zones keep the counts behind surge and repositioning. The
handlers are written for speed: attributes used more than once are read into locals, and events are
pushed inline.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from heapq import heappop, heappush

from domain.parameters import SimulationParameters
from domain.simulation.curves import HOUR_MS, hours_covering, traffic_by_run_hour
from domain.simulation.events import (
    BATCH_MATCH_TAG,
    DRIVER_ARRIVES_TAG,
    DRIVER_DECISION_TAG,
    DROPOFF_TAG,
    KIND_MASK,
    KIND_SHIFT,
    MAX_SUBJECT,
    PATIENCE_RUNS_OUT_TAG,
    PICKUP_TAG,
    QUOTE_DECISION_TAG,
    QUOTE_TAG,
    REPOSITION_ENDS_TAG,
    REPOSITION_TAG,
    RIDER_ARRIVES_TAG,
    SEQUENCE_SHIFT,
    SHIFT_ENDS_TAG,
    SUBJECT_BITS,
    SUBJECT_MASK,
    TIME_SHIFT,
    ZONE_UPDATE_TAG,
    EventKind,
    handler_name,
)
from domain.simulation.matching import MATCHERS, Candidate, best_options
from domain.simulation.metrics import RunTotals, compute_metrics
from domain.simulation.outputs import (
    SNAPSHOT_INTERVAL_MS,
    TRIP_STATE_CANCELLED,
    TRIP_STATE_COMPLETED,
    TRIP_STATE_ON_TRIP,
    SimulationOutput,
)
from domain.simulation.populations import draw_drivers, draw_riders
from domain.simulation.pricing import driver_accept_probability
from domain.simulation.random_streams import RandomStreams, UniformFeed
from domain.simulation.snapshots import SnapshotRecorder
from domain.simulation.spatial_index import CoverGrid, GridIndex
from domain.simulation.states import (
    DRIVER_STATES,
    RIDER_STATES,
    AbandonReason,
    DriverState,
    RiderState,
)
from domain.simulation.trip_log import TripLog
from domain.simulation.zones import Zones

QUOTE_DELAY_MS = 1_000
QUOTE_DECISION_DELAY_MS = 1_000
DRIVER_DECISION_DELAY_MS = 2_000
MIN_LEG_MS = 1_000
IDLE_DRIVERS_PER_CELL = 4
FEW_WAITING = 16
"""Waiting riders up to which all of them count as competing for a rider's drivers."""
FEW_MOVING = 16
"""Repositioning drivers up to which a rider checks each of them instead of their grid."""
TOP_SPEED_SLACK = 1.01
"""A leg's duration is rounded to the ms (and at least MIN_LEG_MS): 0.05 % faster at most."""
NEAR_LEG_MARGIN_KM = 1e-6
"""Slack when noting the riders near a leg (see _note_riders_near_leg): far above rounding."""

# Plain-int aliases: comparing and indexing with ints is faster than with IntEnum members.
R_BROWSING = int(RiderState.BROWSING)
R_WAITING = int(RiderState.WAITING)
R_OFFERED = int(RiderState.OFFERED)
R_AWAITING_PICKUP = int(RiderState.AWAITING_PICKUP)
R_IN_TRANSIT = int(RiderState.IN_TRANSIT)
R_COMPLETED = int(RiderState.COMPLETED)
R_CANCELLED = int(RiderState.CANCELLED)
R_ABANDONED = int(RiderState.ABANDONED)
D_NOT_ARRIVED = int(DriverState.NOT_ARRIVED)
D_IDLE = int(DriverState.IDLE)
D_EVALUATING = int(DriverState.EVALUATING)
D_EN_ROUTE = int(DriverState.EN_ROUTE)
D_ON_TRIP = int(DriverState.ON_TRIP)
D_REPOSITIONING = int(DriverState.REPOSITIONING)
D_OFF_DUTY = int(DriverState.OFF_DUTY)
REJECTED_FOR_PRICE = int(AbandonReason.PRICE)
REJECTED_FOR_ETA = int(AbandonReason.ETA)
REJECTED_BY_CHANCE = int(AbandonReason.STOCHASTIC)
UNRESOLVED_RIDER_STATES = (
    RiderState.BROWSING,
    RiderState.WAITING,
    RiderState.OFFERED,
    RiderState.AWAITING_PICKUP,
    RiderState.IN_TRANSIT,
)

Handler = Callable[[int, int], None]
Leg = tuple[float, float, int, float, float, int]
"""A repositioning leg: from x, from y, start ms, to x, to y, duration ms. The driver is at
``from + (to - from) × (now - start) / duration`` (every reader computes it so)."""


def leg_passes_near(leg: Leg, x: float, y: float, reach: float) -> bool:
    """Whether some point of the leg's segment is within ``reach`` km of (x, y).

    The engine first finds legs and riders by the disk around a leg's midpoint (a driver is never
    farther than half its leg from it); the segment's own neighbourhood is about half that disk, so
    about half the pairs need noting and checking batch after batch.
    """
    from_x, from_y, _, to_x, to_y, _ = leg
    along_x = to_x - from_x
    along_y = to_y - from_y
    length = along_x * along_x + along_y * along_y
    share = ((x - from_x) * along_x + (y - from_y) * along_y) / length if length else 0.0
    if share < 0.0:
        share = 0.0
    elif share > 1.0:
        share = 1.0
    dx = from_x + along_x * share - x
    dy = from_y + along_y * share - y
    return dx * dx + dy * dy <= reach * reach


def simulate(params: SimulationParameters, seed: int) -> SimulationOutput:
    """Run one simulation: same parameters and seed, same output, bit for bit."""
    engine = MarketEngine(params, RandomStreams.for_point(seed))
    engine.run()
    return engine.output()


class MarketEngine:
    __slots__ = (
        "abandoned_by_reason",
        "base_fares",
        "batch_interval_ms",
        "batch_pending",
        "busy_ms",
        "busy_since_ms",
        "deadline_ms",
        "decisions",
        "declined",
        "driver_counts",
        "driver_payouts",
        "driver_state",
        "driver_x",
        "driver_y",
        "driver_zone",
        "drivers",
        "earnings",
        "end_ms",
        "events_processed",
        "heap",
        "idle",
        "idle_entries",
        "idle_entries_seen",
        "idle_ms",
        "idle_since_ms",
        "last_batch_ms",
        "leg_cells",
        "leg_entries",
        "leg_middle_x",
        "leg_middle_y",
        "legs_seen",
        "match",
        "moving",
        "moving_check_at_ms",
        "moving_clear_at_ms",
        "moving_clear_km",
        "moving_index",
        "near_leg",
        "near_leg_limit",
        "nearest_suffices",
        "newly_idle",
        "newly_waiting",
        "off_duty_ms",
        "offers_declined",
        "offers_made",
        "params",
        "planned_pickup_ms",
        "platform_revenue",
        "quote_eta_acceptable",
        "quote_reach_km",
        "quoted_fare",
        "quoted_surge",
        "quotes_at_max_surge",
        "quotes_shown",
        "quotes_without_supply",
        "rejections",
        "reposition_after_ms",
        "reposition_arrival_ms",
        "reposition_check_ms",
        "reposition_km",
        "requote_delay_ms",
        "rider_cell",
        "rider_counts",
        "rider_declined",
        "rider_driver",
        "rider_idle_cell",
        "rider_state",
        "rider_trip",
        "rider_zone",
        "riders",
        "sequence",
        "snapshots",
        "speeds",
        "surge_max",
        "surge_on",
        "surge_sum",
        "top_speed",
        "total_fares",
        "traffic",
        "trips",
        "trips_cancelled",
        "waiting",
        "window_ms",
        "zone_update_ms",
        "zones",
        "zoning",
    )

    def __init__(self, params: SimulationParameters, streams: RandomStreams) -> None:
        p = params
        self.params = p
        self.riders = riders = draw_riders(p, streams)
        self.drivers = drivers = draw_drivers(p, streams)
        if max(len(riders), len(drivers)) > MAX_SUBJECT:
            raise ValueError("too many riders or drivers for one simulation")
        self.end_ms = p.simulation_minutes * 60_000
        self.window_ms = p.request_window_minutes * 60_000
        self.heap: list[int] = []
        # Scheduling order, already shifted into place in the packed event.
        self.sequence = itertools.count(0, 1 << SEQUENCE_SHIFT)
        self.decisions = UniformFeed(streams.decisions)
        self.speeds = UniformFeed(streams.speeds)
        self.traffic = traffic_by_run_hour(
            p.traffic_profile, p.start_hour, hours_covering(self.end_ms)
        )
        self.top_speed = p.mean_speed_kmh * 1.2 * max(self.traffic) * TOP_SPEED_SLACK / HOUR_MS
        """Km per ms that no leg is driven faster than (see _travel_ms)."""
        self.match = MATCHERS[p.matching_algorithm]
        self.surge_on = p.surge_enabled
        self.surge_max = p.surge_max_multiplier
        self.batch_interval_ms = p.batch_interval_seconds * 1_000
        self.requote_delay_ms = p.requote_delay_seconds * 1_000
        self.reposition_after_ms = (
            p.reposition_after_seconds * 1_000 if p.reposition_policy == "toward_demand" else -1
        )
        self.zone_update_ms = p.surge_update_seconds * 1_000
        self.base_fares = [p.base_fare + p.per_km_rate * km for km in riders.trip_km]

        n = len(riders)
        self.rider_state = [0] * n
        self.rejections = [0] * n
        self.quoted_fare = list(self.base_fares)
        self.quoted_surge = [1.0] * n
        self.quote_eta_acceptable = [False] * n
        self.quote_reach_km = [0.0] * n
        self.idle_entries_seen = [-1] * n
        self.legs_seen = [-1] * n
        """Per rider: len(leg_entries) at its last quote that found no repositioning driver in
        reach (-1: none), with how far the nearest was then (see _any_moving_in_reach)."""
        self.moving_clear_km = [0.0] * n
        self.moving_clear_at_ms = [0] * n
        self.deadline_ms = [0] * n
        self.planned_pickup_ms = [0] * n
        self.rider_driver = [-1] * n
        self.rider_trip = [-1] * n
        self.rider_counts = [0] * RIDER_STATES
        self.abandoned_by_reason = [0] * len(AbandonReason)
        self.rider_declined = [0] * n
        self.declined: set[int] = set()
        """(rider << SUBJECT_BITS | driver) of every offer a driver refused: never offered again."""

        m = len(drivers)
        self.driver_x = list(drivers.x)
        self.driver_y = list(drivers.y)
        self.driver_state = [0] * m
        self.driver_zone = [0] * m
        self.earnings = [0.0] * m
        self.busy_since_ms = [0] * m
        self.idle_since_ms = [0] * m
        self.idle_ms = [0] * m
        """Idle time of each driver's finished idle spells (the current one runs from idle_since)."""
        self.busy_ms = 0
        self.off_duty_ms = [-1] * m
        self.reposition_arrival_ms = [0] * m
        self.reposition_check_ms = [-1] * m
        self.moving: dict[int, Leg] = {}
        """Repositioning drivers and their legs. They stay matchable and count for quotes."""
        self.driver_counts = [0] * DRIVER_STATES

        width, height = p.city_width_km, p.city_height_km
        radius = p.match_radius_km
        # Idle drivers sit in cells holding a few of the fleet each (never wider than the match
        # radius), so finding a rider's nearest drivers reads a few cells however dense the
        # market; waiting riders, fewer, in cells of the match radius.
        fleet_cell_km = math.sqrt(IDLE_DRIVERS_PER_CELL * width * height / drivers.on_duty_at_start)
        self.idle = GridIndex(
            width, height, min(radius, fleet_cell_km), self.driver_x, self.driver_y
        )
        self.waiting = GridIndex(width, height, radius, riders.x, riders.y)
        self.rider_cell = self.waiting.cells_of(riders.x, riders.y)
        self.rider_idle_cell = self.idle.cells_of(riders.x, riders.y)
        self.nearest_suffices = p.idle_time_weight == 0.0 and p.matching_algorithm != "simple"
        """Whether a rider's cheapest drivers are its nearest (no idle-time credit, and an
        algorithm that picks by cost), so the batch needs only the nearest few."""
        self.zoning = p.surge_enabled or self.reposition_after_ms >= 0
        self.zones = Zones(
            width,
            height,
            p.surge_zone_km,
            (p.surge_sensitivity, p.surge_max_multiplier) if p.surge_enabled else None,
        )
        self.leg_middle_x = [0.0] * m
        self.leg_middle_y = [0.0] * m
        self.moving_index = GridIndex(
            width, height, radius + p.reposition_max_km / 2.0, self.leg_middle_x, self.leg_middle_y
        )
        """Repositioning drivers by the midpoint of their leg (see _any_moving_in_reach)."""
        self.leg_cells = CoverGrid(self.waiting.geometry)
        """Repositioning drivers by the waiting riders' cells their leg comes within the match
        radius of, give or take a cell (see _note_legs_near_rider)."""
        self.near_leg: dict[int, set[int]] = {}
        """Repositioning driver → the waiting riders its leg passes within the match radius of:
        the only pairs with it that a batch can find feasible (see _moving_candidates)."""
        self.moving_check_at_ms = 0.0
        """No pair in ``near_leg`` can be feasible before this time (see _moving_candidates)."""
        self.near_leg_limit = [0.0] * m
        """Per repositioning driver: the squared distance from its leg's midpoint within which
        a rider is noted in ``near_leg``."""
        self.rider_zone = self.zones.zones_of(riders.x, riders.y)

        self.batch_pending = False
        self.last_batch_ms = 0
        self.newly_waiting: list[int] = []
        self.newly_idle: list[int] = []
        self.idle_entries: list[int] = []
        self.leg_entries: list[int] = []
        """The driver of every repositioning leg, in the order the legs started."""
        self.trips = TripLog()
        self.trips_cancelled = 0
        self.total_fares = 0.0
        self.platform_revenue = 0.0
        self.driver_payouts = 0.0
        self.quotes_shown = 0
        self.quotes_without_supply = 0
        self.quotes_at_max_surge = 0
        self.surge_sum = 0.0
        self.offers_made = 0
        self.offers_declined = 0
        self.reposition_km = 0.0
        self.events_processed = 0
        self.snapshots = SnapshotRecorder()

    # ----------------------------------------------------------------------------- the loop

    def handlers(self) -> tuple[Handler | None, ...]:
        """The handler of every event kind, indexed by the kind's value.

        Built from ``EventKind``: each kind is handled by the method ``handler_name(kind)``, and
        every ``_on_`` method handles a kind, so a kind without a handler (or a handler without
        its kind) fails at once instead of mid-run.
        """
        table: list[Handler | None] = [None] * (KIND_MASK + 1)
        for kind in EventKind:
            table[kind] = getattr(self, handler_name(kind))
        methods = {name for name in dir(type(self)) if name.startswith("_on_")}
        expected = {handler_name(kind) for kind in EventKind}
        if methods != expected:
            raise TypeError(f"event handlers and kinds differ: {sorted(methods ^ expected)}")
        return tuple(table)

    def run(self) -> None:
        handlers = self.handlers()
        heap, sequence = self.heap, self.sequence
        self._start_fleet()
        drivers = self.drivers
        first = drivers.on_duty_at_start
        if first < len(drivers):
            arrival = drivers.arrival_ms[first]
            heappush(heap, arrival << TIME_SHIFT | DRIVER_ARRIVES_TAG | next(sequence) | first)
        if self.riders.arrival_ms:
            heappush(heap, self.riders.arrival_ms[0] << TIME_SHIFT | RIDER_ARRIVES_TAG | next(sequence))
        if self.zoning:
            heappush(heap, ZONE_UPDATE_TAG | next(sequence))
        end_ms = self.end_ms
        next_snapshot_ms = SNAPSHOT_INTERVAL_MS
        time_shift, kind_shift, kind_mask, subject_mask = TIME_SHIFT, KIND_SHIFT, KIND_MASK, SUBJECT_MASK
        stopped_at_end = False
        while heap:
            event = heappop(heap)
            time_ms = event >> time_shift
            if time_ms >= next_snapshot_ms:
                if time_ms >= end_ms:
                    stopped_at_end = True
                    break
                next_snapshot_ms = self._snapshot_before(time_ms, next_snapshot_ms)
            handlers[(event >> kind_shift) & kind_mask](event & subject_mask, time_ms)  # type: ignore[misc]
        # Every scheduled event was handled, except those still queued and the one that hit the end.
        scheduled = next(sequence) >> SEQUENCE_SHIFT
        self.events_processed = scheduled - len(heap) - (1 if stopped_at_end else 0)
        self._snapshot_before(end_ms, next_snapshot_ms)

    def _start_fleet(self) -> None:
        """The drivers on duty at t = 0 are idle where they stand, part-way through their shifts."""
        for driver in range(self.drivers.on_duty_at_start):
            self._start_duty(driver, 0)

    def _snapshot_before(self, time_ms: int, next_snapshot_ms: int) -> int:
        """Record every grid row up to ``time_ms`` (the run's end included); return the next one."""
        while next_snapshot_ms <= time_ms and next_snapshot_ms <= self.end_ms:
            self.snapshots.record(
                next_snapshot_ms,
                self.rider_counts,
                self.driver_counts,
                self.trips_cancelled,
                self.zones.mean_multiplier,
            )
            next_snapshot_ms += SNAPSHOT_INTERVAL_MS
        return next_snapshot_ms

    # ----------------------------------------------------------------------------- arrivals

    def _on_driver_arrives(self, driver: int, now: int) -> None:
        self._start_duty(driver, now)
        following = driver + 1
        if following < len(self.drivers):
            heappush(
                self.heap,
                self.drivers.arrival_ms[following] << TIME_SHIFT
                | DRIVER_ARRIVES_TAG
                | next(self.sequence)
                | following,
            )

    def _start_duty(self, driver: int, now: int) -> None:
        self.driver_state[driver] = D_IDLE
        self.driver_counts[D_IDLE] += 1
        self._index_idle(driver, now)
        shift_end = self.drivers.shift_end_ms[driver]
        if shift_end < self.end_ms:
            heappush(self.heap, shift_end << TIME_SHIFT | SHIFT_ENDS_TAG | next(self.sequence) | driver)

    def _on_rider_arrives(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_BROWSING
        self.rider_counts[R_BROWSING] += 1
        heap, sequence, arrivals = self.heap, self.sequence, self.riders.arrival_ms
        quote_at = now + QUOTE_DELAY_MS
        heappush(heap, quote_at << TIME_SHIFT | QUOTE_TAG | next(sequence) | rider)
        following = rider + 1
        if following < len(arrivals):
            heappush(
                heap,
                arrivals[following] << TIME_SHIFT | RIDER_ARRIVES_TAG | next(sequence) | following,
            )

    # ----------------------------------------------------------------------------- quotes

    def _on_quote(self, rider: int, now: int) -> None:
        self.quotes_shown += 1
        if self.zoning:
            zones = self.zones
            zone = self.rider_zone[rider]
            zones.quotes[zone] += 1
            zones.touched.add(zone)
            if self.surge_on:  # without surge the quoted fare stays the base fare it starts at
                surge = zones.multiplier[zone]
                self.quoted_surge[rider] = surge
                self.quoted_fare[rider] = self.base_fares[rider] * surge
                self.surge_sum += surge
                if surge == self.surge_max and surge > 1.0:
                    self.quotes_at_max_surge += 1
            else:
                self.surge_sum += 1.0
        else:
            self.surge_sum += 1.0  # no zones: every multiplier is 1
        # The ETA is acceptable when an idle driver is within the rider's reach at this hour's
        # traffic. A rider re-quoting at the same reach after a quote that found none only needs
        # to look at drivers that became idle since: idle drivers do not move.
        # Repositioning drivers are available too: they are checked where they are now.
        # A rider the price turns away never weighs the ETA, so it is not looked for.
        idle = self.idle.members
        entries = self.idle_entries
        someone_in_reach = False
        if not idle and not self.moving:
            self.quotes_without_supply += 1
        elif self.quoted_fare[rider] > self.riders.value[rider]:
            idle = {}  # nothing looked at: the next quote looks at every idle driver
        else:
            reach = self.riders.eta_reach_km[rider] * self.traffic[now // HOUR_MS]
            if idle:
                seen = self.idle_entries_seen[rider]
                if seen >= 0 and reach == self.quote_reach_km[rider]:
                    someone_in_reach = self._any_new_idle_in_reach(entries[seen:], rider, reach)
                else:
                    riders = self.riders
                    someone_in_reach = self.idle.any_within(
                        riders.x[rider], riders.y[rider], reach, self.rider_idle_cell[rider]
                    )
                self.quote_reach_km[rider] = reach
            if not someone_in_reach and self.moving:
                someone_in_reach = self._any_moving_in_reach(rider, reach, now)
        self.idle_entries_seen[rider] = -1 if someone_in_reach or not idle else len(entries)
        self.quote_eta_acceptable[rider] = someone_in_reach
        decide_at = now + QUOTE_DECISION_DELAY_MS
        heappush(self.heap, decide_at << TIME_SHIFT | QUOTE_DECISION_TAG | next(self.sequence) | rider)

    def _any_moving_in_reach(self, rider: int, reach: float, now: int) -> bool:
        """Whether a repositioning driver is within ``reach`` km of the rider where it is now.

        A few on the move are each checked; many are found through the grid of their legs'
        midpoints (a driver is never farther than half the longest leg from its leg's midpoint).
        A rider re-quoting soon after a quote that found none only checks the legs started
        since, when the nearest leg under way then was too far to come within reach meanwhile
        at the top speed.
        """
        x, y = self.riders.x[rider], self.riders.y[rider]
        moving, legs = self.moving, self.leg_entries
        seen = self.legs_seen[rider]
        clear = -1.0
        if seen >= 0:
            clear = self.moving_clear_km[rider] - self.top_speed * (now - self.moving_clear_at_ms[rider])
        under_way: Iterable[Leg]
        if clear > reach + NEAR_LEG_MARGIN_KM:
            # The legs under way at the last quote are out of reach still: only newer ones count.
            under_way = [moving[driver] for driver in legs[seen:] if driver in moving]
        elif len(moving) <= FEW_MOVING:
            under_way = moving.values()
            clear = math.inf
        else:
            search = reach + self.params.reposition_max_km / 2.0
            under_way = [moving[driver] for driver, _ in self.moving_index.within(x, y, search)]
            clear = reach - NEAR_LEG_MARGIN_KM  # how near the drivers not looked at may be
        limit = reach * reach
        nearest = clear * clear
        for from_x, from_y, started, to_x, to_y, duration in under_way:
            share = (now - started) / duration
            dx = from_x + (to_x - from_x) * share - x  # as Leg says, inline: hot
            dy = from_y + (to_y - from_y) * share - y
            squared = dx * dx + dy * dy
            if squared <= limit:
                self.legs_seen[rider] = -1
                return True
            if squared < nearest:
                nearest = squared
        self.legs_seen[rider] = len(legs)
        self.moving_clear_km[rider] = math.sqrt(nearest)
        self.moving_clear_at_ms[rider] = now
        return False

    def _any_new_idle_in_reach(self, drivers: list[int], rider: int, reach: float) -> bool:
        idle, xs, ys = self.idle.members, self.driver_x, self.driver_y
        x, y = self.riders.x[rider], self.riders.y[rider]
        limit = reach * reach
        for driver in drivers:
            if driver in idle:
                dx = xs[driver] - x
                dy = ys[driver] - y
                if dx * dx + dy * dy <= limit:
                    return True
        return False

    def _on_quote_decision(self, rider: int, now: int) -> None:
        p = self.params
        if self.quoted_fare[rider] > self.riders.value[rider]:
            reason = REJECTED_FOR_PRICE
        elif not self.quote_eta_acceptable[rider]:
            reason = REJECTED_FOR_ETA
        elif self.decisions.draw() < p.rider_accept_probability:
            self._accept_quote(rider, now)
            return
        else:
            reason = REJECTED_BY_CHANCE
        rejections = self.rejections[rider] + 1
        self.rejections[rider] = rejections
        if rejections > p.max_quote_rejections:
            self.abandoned_by_reason[reason] += 1
            self.rider_state[rider] = R_ABANDONED
            self.rider_counts[R_BROWSING] -= 1
            self.rider_counts[R_ABANDONED] += 1
        else:
            quote_at = now + self.requote_delay_ms
            heappush(self.heap, quote_at << TIME_SHIFT | QUOTE_TAG | next(self.sequence) | rider)

    def _accept_quote(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_BROWSING  # until _wait_for_match moves it
        self.rider_counts[R_BROWSING] -= 1
        deadline = now + self.riders.patience_ms[rider]
        self.deadline_ms[rider] = deadline
        heappush(
            self.heap, deadline << TIME_SHIFT | PATIENCE_RUNS_OUT_TAG | next(self.sequence) | rider
        )
        self._wait_for_match(rider, now)

    # ----------------------------------------------------------------------------- matching

    def _wait_for_match(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_WAITING
        self.rider_counts[R_WAITING] += 1
        self.waiting.add(rider, self.rider_cell[rider])
        self.newly_waiting.append(rider)
        if self.moving:
            self._note_legs_near_rider(rider)
        if self.zoning:
            zone = self.rider_zone[rider]
            self.zones.waiting[zone] += 1
            self.zones.touched.add(zone)
        if not self.batch_pending:
            self._schedule_batch(now)

    def _stop_waiting(self, rider: int) -> None:
        self.waiting.remove(rider)
        if self.zoning:
            zone = self.rider_zone[rider]
            self.zones.waiting[zone] -= 1
            self.zones.touched.add(zone)

    def _schedule_batch(self, now: int) -> None:
        """Make sure a batch runs at the next batch tick not run yet.

        Ticks with nobody waiting would do nothing, so they are not scheduled at all.
        """
        interval = self.batch_interval_ms
        tick = -(-now // interval) * interval
        if tick <= self.last_batch_ms:
            tick = self.last_batch_ms + interval
        self.batch_pending = True
        heappush(self.heap, tick << TIME_SHIFT | BATCH_MATCH_TAG | next(self.sequence))

    def _on_batch_match(self, _: int, now: int) -> None:
        self.batch_pending = False
        self.last_batch_ms = now
        waiting = self.waiting
        if waiting.members:
            candidates = (
                self._candidates(now)
                if self.idle.members and (self.newly_waiting or self.newly_idle)
                else []
            )
            if self.near_leg and now >= self.moving_check_at_ms:
                candidates += self._moving_candidates(now)
            if candidates:
                self._offer(self.match(candidates), now)
        self.newly_waiting.clear()
        self.newly_idle.clear()
        if waiting.members:
            self.batch_pending = True
            tick = now + self.batch_interval_ms
            heappush(self.heap, tick << TIME_SHIFT | BATCH_MATCH_TAG | next(self.sequence))

    def _candidates(self, now: int) -> list[Candidate]:
        """Every feasible pair of a waiting rider and an idle driver, with its cost.

        Every algorithm leaves a maximal matching: after a batch no feasible pair is left between
        the riders still waiting and the drivers still idle, and positions do not change while
        waiting or idle, and a refused pair stays infeasible. So every feasible pair now has a
        rider that started waiting, or a driver that became idle, since the last batch: searching
        around those finds them all.
        """
        radius = self.params.match_radius_km
        weight = self.params.idle_time_weight / HOUR_MS
        idle_since = self.idle_since_ms
        idle_ms = self.idle_ms
        declined = self.declined
        candidates: list[Candidate] = []
        new_riders: set[int] = set()
        if self.newly_waiting:
            # Each new rider's options are cut to what the batch could use (_rider_options): a
            # rider left unmatched always had all of its options, so the matching stays maximal.
            waiting = self.waiting.members
            new_riders = {rider for rider in self.newly_waiting if rider in waiting}
            for rider in new_riders:
                candidates += self._rider_options(rider, self.idle, now, self.rider_idle_cell[rider])
        if self.newly_idle:
            idle = self.idle.members
            xs, ys, near = self.driver_x, self.driver_y, self.waiting.within
            for driver in {driver for driver in self.newly_idle if driver in idle}:
                credit = weight * (idle_ms[driver] + now - idle_since[driver])
                for rider, km in near(xs[driver], ys[driver], radius):
                    if rider not in new_riders and rider << SUBJECT_BITS | driver not in declined:
                        candidates.append((rider, driver, km - credit))
        return candidates

    def _rider_options(
        self, rider: int, drivers: GridIndex, now: int, cell: int = -1
    ) -> list[Candidate]:
        """A waiting rider's feasible pairs with the drivers of ``drivers``: all of those a batch
        could pick (``best_options``). Only the waiting riders within twice the match radius can
        compete for this rider's drivers, so their count bounds how many options it needs; when
        the cheapest drivers are the nearest, the grid finds just those (plus as many as the rider
        has refused, which are dropped)."""
        p = self.params
        radius = p.match_radius_km
        x, y = self.riders.x[rider], self.riders.y[rider]
        waiting = self.waiting.members
        competing = (
            len(waiting)
            if len(waiting) <= FEW_WAITING
            else self.waiting.count_near(x, y, 2.0 * radius)  # an upper bound is as good
        )
        shifted = rider << SUBJECT_BITS
        declined = self.declined
        if self.nearest_suffices:
            found = drivers.nearest(x, y, radius, competing + self.rider_declined[rider], cell)
            options = [(rider, driver, km) for driver, km in found if shifted | driver not in declined]
            return options[:competing]
        weight = p.idle_time_weight / HOUR_MS
        idle_ms, idle_since = self.idle_ms, self.idle_since_ms
        options = [
            (rider, driver, km - weight * (idle_ms[driver] + now - idle_since[driver]))
            for driver, km in drivers.within(x, y, radius, cell)
            if shifted | driver not in declined
        ]
        return best_options(options, competing, p.matching_algorithm)

    def _offer(self, assignments: list[tuple[int, int]], now: int) -> None:
        heap, sequence = self.heap, self.sequence
        rider_state, rider_driver = self.rider_state, self.rider_driver
        decide_at = now + DRIVER_DECISION_DELAY_MS
        driver_state, driver_counts = self.driver_state, self.driver_counts
        for rider, driver in assignments:
            self._stop_waiting(rider)
            rider_state[rider] = R_OFFERED
            if driver_state[driver] == D_IDLE:
                self._unindex_idle(driver, now)
                driver_counts[D_IDLE] -= 1
            else:  # matched on its way to a zone short of drivers: it stops where it is
                self._stop_moving(driver, now)
                driver_counts[D_REPOSITIONING] -= 1
            driver_state[driver] = D_EVALUATING
            rider_driver[rider] = driver
            heappush(heap, decide_at << TIME_SHIFT | DRIVER_DECISION_TAG | next(sequence) | rider)
        offers = len(assignments)
        self.offers_made += offers
        self.rider_counts[R_WAITING] -= offers
        self.rider_counts[R_OFFERED] += offers
        driver_counts[D_EVALUATING] += offers

    def _on_driver_decision(self, rider: int, now: int) -> None:
        if self.rider_state[rider] != R_OFFERED:
            return  # the rider's patience ran out while the driver was deciding
        p = self.params
        driver = self.rider_driver[rider]
        drivers = self.drivers
        riders = self.riders
        dx = self.driver_x[driver] - riders.x[rider]
        dy = self.driver_y[driver] - riders.y[rider]
        pickup_km = math.sqrt(dx * dx + dy * dy)
        fare = self.quoted_fare[rider]
        # What the offer pays per hour of work, as the driver estimates it (no traffic).
        work_hours = (pickup_km + riders.trip_km[rider]) / p.mean_speed_kmh
        hourly = fare * (1.0 - p.commission_rate) / work_hours
        target = drivers.earnings_target[driver]
        start = drivers.shift_start_ms[driver]
        accept = driver_accept_probability(
            hourly,
            p.driver_reservation_wage,
            pickup_km,
            self.earnings[driver] / target if target > 0.0 else 1.0,
            (now - start) / (drivers.shift_end_ms[driver] - start),
        )
        self.rider_counts[R_OFFERED] -= 1
        if self.decisions.draw() >= accept:
            self.offers_declined += 1
            self.declined.add(rider << SUBJECT_BITS | driver)
            self.rider_declined[rider] += 1
            self._wait_for_match(rider, now)
            self._free_driver(driver, D_EVALUATING, now)
            return
        self.rider_trip[rider] = self.trips.open(
            rider, driver, pickup_km, fare, self.quoted_surge[rider], now
        )
        self.rider_state[rider] = R_AWAITING_PICKUP
        self.rider_counts[R_AWAITING_PICKUP] += 1
        self.driver_state[driver] = D_EN_ROUTE
        self.driver_counts[D_EVALUATING] -= 1
        self.driver_counts[D_EN_ROUTE] += 1
        self.busy_since_ms[driver] = now
        pickup_at = now + self._travel_ms(pickup_km, now)
        self.planned_pickup_ms[rider] = pickup_at
        if pickup_at <= self.deadline_ms[rider]:
            heappush(self.heap, pickup_at << TIME_SHIFT | PICKUP_TAG | next(self.sequence) | rider)

    # ----------------------------------------------------------------------------- the ride

    def _on_patience_runs_out(self, rider: int, now: int) -> None:
        state = self.rider_state[rider]
        if state == R_WAITING:
            self._stop_waiting(rider)
        elif state == R_OFFERED:
            self._free_driver(self.rider_driver[rider], D_EVALUATING, now)
        elif state == R_AWAITING_PICKUP and self.planned_pickup_ms[rider] > now:
            self._cancel_pickup(rider, now)
        else:
            return
        self.rider_state[rider] = R_CANCELLED
        self.rider_counts[state] -= 1
        self.rider_counts[R_CANCELLED] += 1

    def _cancel_pickup(self, rider: int, now: int) -> None:
        """The driver stops where it is on the way to the rider and is free again."""
        driver = self.rider_driver[rider]
        trip = self.rider_trip[rider]
        self.trips.state[trip] = TRIP_STATE_CANCELLED
        self.trips.cancelled_at_ms[trip] = now
        self.trips_cancelled += 1
        started = self.busy_since_ms[driver]
        share = (now - started) / (self.planned_pickup_ms[rider] - started)
        x, y = self.driver_x[driver], self.driver_y[driver]
        self.driver_x[driver] = x + (self.riders.x[rider] - x) * share
        self.driver_y[driver] = y + (self.riders.y[rider] - y) * share
        self._add_busy(started, now)
        self._free_driver(driver, D_EN_ROUTE, now)

    def _on_pickup(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_IN_TRANSIT
        rider_counts = self.rider_counts
        rider_counts[R_AWAITING_PICKUP] -= 1
        rider_counts[R_IN_TRANSIT] += 1
        driver = self.rider_driver[rider]
        self.driver_state[driver] = D_ON_TRIP
        self.driver_counts[D_EN_ROUTE] -= 1
        self.driver_counts[D_ON_TRIP] += 1
        trip = self.rider_trip[rider]
        self.trips.state[trip] = TRIP_STATE_ON_TRIP
        self.trips.pickup_at_ms[trip] = now
        dropoff_at = now + self._travel_ms(self.riders.trip_km[rider], now)
        heappush(self.heap, dropoff_at << TIME_SHIFT | DROPOFF_TAG | next(self.sequence) | rider)

    def _on_dropoff(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_COMPLETED
        rider_counts = self.rider_counts
        rider_counts[R_IN_TRANSIT] -= 1
        rider_counts[R_COMPLETED] += 1
        trip = self.rider_trip[rider]
        self.trips.state[trip] = TRIP_STATE_COMPLETED
        self.trips.dropoff_at_ms[trip] = now
        fare = self.quoted_fare[rider]
        commission = fare * self.params.commission_rate
        payout = fare - commission
        self.total_fares += fare
        self.platform_revenue += commission
        self.driver_payouts += payout
        driver = self.rider_driver[rider]
        earnings = self.earnings[driver] + payout
        self.earnings[driver] = earnings
        self.driver_x[driver] = self.riders.dest_x[rider]
        self.driver_y[driver] = self.riders.dest_y[rider]
        self._add_busy(self.busy_since_ms[driver], now)
        if earnings >= self.drivers.earnings_target[driver]:
            self._go_off_duty(driver, D_ON_TRIP, now)
        else:
            self._free_driver(driver, D_ON_TRIP, now)

    def _add_busy(self, start: int, end: int) -> None:
        """Busy time counts within the request window only."""
        window = self.window_ms
        if start < window:
            self.busy_ms += (end if end < window else window) - start

    # ----------------------------------------------------------------------------- drivers

    def _free_driver(self, driver: int, state: int, now: int) -> None:
        """Back to idle where it stands, or off duty when its shift is over."""
        if now >= self.drivers.shift_end_ms[driver]:
            self._go_off_duty(driver, state, now)
            return
        self.driver_state[driver] = D_IDLE
        self.driver_counts[state] -= 1
        self.driver_counts[D_IDLE] += 1
        self._index_idle(driver, now)

    def _on_reposition(self, driver: int, now: int) -> None:
        """An idle driver looks for a nearby zone short of drivers and drives to its centre.

        On the way it is still matchable (a match stops it where it is), but it no longer counts
        as idle supply in its zone: the zone it heads for has one unit of shortage less.
        """
        if self.driver_state[driver] != D_IDLE or self.reposition_check_ms[driver] != now:
            return  # no longer idle, or idle again since: that spell has its own check
        x, y = self.driver_x[driver], self.driver_y[driver]
        zones = self.zones
        own = self.driver_zone[driver]
        target = zones.reposition_target(x, y, own)
        if target < 0:
            return
        zones.claim(target)
        self._unindex_idle(driver, now, spell_goes_on=True)
        row, column = divmod(target, zones.columns)
        dx = zones.centre_x[column] - x
        dy = zones.centre_y[row] - y
        km = math.sqrt(dx * dx + dy * dy)
        reach = self.params.reposition_max_km
        if km > reach:  # at most reposition_max_km toward it; it may look again on arrival
            dx *= reach / km
            dy *= reach / km
            km = reach
        self.driver_state[driver] = D_REPOSITIONING
        self.driver_counts[D_IDLE] -= 1
        self.driver_counts[D_REPOSITIONING] += 1
        if now < self.window_ms:
            self.reposition_km += km
        duration = self._travel_ms(km, now)
        arrive_at = now + duration
        self.reposition_arrival_ms[driver] = arrive_at
        self.moving[driver] = (x, y, now, x + dx, y + dy, duration)
        self.leg_entries.append(driver)
        self.leg_middle_x[driver] = x + dx / 2.0
        self.leg_middle_y[driver] = y + dy / 2.0
        self.moving_index.add(driver)
        cover = self.params.match_radius_km + 2.0 * NEAR_LEG_MARGIN_KM
        to_x, to_y = x + dx, y + dy
        self.leg_cells.add(
            driver,
            (x if x < to_x else to_x) - cover,
            (y if y < to_y else to_y) - cover,
            (to_x if x < to_x else x) + cover,
            (to_y if y < to_y else y) + cover,
        )
        self._note_riders_near_leg(driver, km)
        heappush(
            self.heap, arrive_at << TIME_SHIFT | REPOSITION_ENDS_TAG | next(self.sequence) | driver
        )

    def _note_riders_near_leg(self, driver: int, km: float) -> None:
        """A leg starts: note the waiting riders whose match radius its segment crosses (found
        around its midpoint first: the driver never gets farther than half the leg from it)."""
        reach = self.params.match_radius_km + km / 2.0 + NEAR_LEG_MARGIN_KM
        self.near_leg_limit[driver] = reach * reach
        found = self.waiting.within(self.leg_middle_x[driver], self.leg_middle_y[driver], reach)
        if found:
            leg = self.moving[driver]
            rider_x, rider_y = self.riders.x, self.riders.y
            reach = self.params.match_radius_km + NEAR_LEG_MARGIN_KM
            near = {
                rider for rider, _ in found if leg_passes_near(leg, rider_x[rider], rider_y[rider], reach)
            }
            if near:
                self.near_leg[driver] = near
                self.moving_check_at_ms = 0.0

    def _note_legs_near_rider(self, rider: int) -> None:
        """A rider starts waiting: note it beside the legs under way whose drivers may come within
        the match radius of it (as in _note_riders_near_leg; when many legs are under way, only
        those filed under the rider's cell in ``leg_cells`` are looked at)."""
        x, y = self.riders.x[rider], self.riders.y[rider]
        near_leg, limits = self.near_leg, self.near_leg_limit
        middle_x, middle_y = self.leg_middle_x, self.leg_middle_y
        moving = self.moving
        if len(moving) <= FEW_MOVING:
            drivers: Iterable[int] = moving
        else:
            drivers = self.leg_cells.at(self.rider_cell[rider])
        reach = self.params.match_radius_km + NEAR_LEG_MARGIN_KM
        for driver in drivers:
            dx = x - middle_x[driver]
            dy = y - middle_y[driver]
            if dx * dx + dy * dy <= limits[driver] and leg_passes_near(moving[driver], x, y, reach):
                near = near_leg.get(driver)
                if near is None:
                    near_leg[driver] = {rider}
                else:
                    near.add(rider)
                self.moving_check_at_ms = 0.0

    def _moving_candidates(self, now: int) -> list[Candidate]:
        """Feasible pairs of waiting riders and repositioning drivers, where those are now.

        A driver on its leg can only be within the match radius of a rider its leg passes near, so
        only the pairs noted in ``near_leg`` (when the leg started, or the rider started waiting)
        are checked; riders no longer waiting are dropped from them on the way. A pair out of
        the radius now cannot come within it before the driver covers the gap at the top speed:
        until the nearest such pair could, and no pair is noted, batches need not look again.
        """
        radius = self.params.match_radius_km
        limit = radius * radius
        weight = self.params.idle_time_weight / HOUR_MS
        declined = self.declined
        idle_ms, idle_since = self.idle_ms, self.idle_since_ms
        waiting = self.waiting.members
        rider_x, rider_y = self.riders.x, self.riders.y
        moving = self.moving
        candidates: list[Candidate] = []
        emptied: list[int] = []
        nearest = math.inf  # squared distance of the nearest pair out of the radius
        for driver, riders in self.near_leg.items():
            x, y, started, to_x, to_y, duration = moving[driver]
            share = (now - started) / duration
            at_x = x + (to_x - x) * share  # as Leg says, inline: hot
            at_y = y + (to_y - y) * share
            gone: list[int] = []
            for rider in riders:
                if rider not in waiting:
                    gone.append(rider)
                    continue
                dx = rider_x[rider] - at_x
                dy = rider_y[rider] - at_y
                squared = dx * dx + dy * dy
                if squared > limit:
                    if squared < nearest:
                        nearest = squared
                elif rider << SUBJECT_BITS | driver not in declined:
                    credit = weight * (idle_ms[driver] + now - idle_since[driver])
                    candidates.append((rider, driver, math.sqrt(squared) - credit))
            if gone:
                riders.difference_update(gone)
                if not riders:
                    emptied.append(driver)
        for driver in emptied:
            del self.near_leg[driver]
        gap = math.sqrt(nearest) - radius - NEAR_LEG_MARGIN_KM
        self.moving_check_at_ms = now if candidates else now + gap / self.top_speed
        return candidates

    def _stop_moving(self, driver: int, now: int) -> None:
        """The leg ends early (a match, or the shift's end): the driver stays where it got to."""
        x, y, started, to_x, to_y, duration = self.moving.pop(driver)
        share = (now - started) / duration
        at_x = x + (to_x - x) * share
        at_y = y + (to_y - y) * share
        self.driver_x[driver] = at_x
        self.driver_y[driver] = at_y
        self.moving_index.remove(driver)
        self.leg_cells.remove(driver)
        self.near_leg.pop(driver, None)
        self.idle_ms[driver] += now - self.idle_since_ms[driver]
        if started < self.window_ms:  # only the part of the leg driven counts
            dx = at_x - x
            dy = at_y - y
            tx = to_x - x
            ty = to_y - y
            self.reposition_km -= math.sqrt(tx * tx + ty * ty) - math.sqrt(dx * dx + dy * dy)

    def _on_reposition_ends(self, driver: int, now: int) -> None:
        if (
            self.driver_state[driver] != D_REPOSITIONING
            or self.reposition_arrival_ms[driver] != now
        ):
            return  # matched or off duty on the way
        _, _, _, to_x, to_y, _ = self.moving.pop(driver)
        self.moving_index.remove(driver)
        self.leg_cells.remove(driver)
        self.near_leg.pop(driver, None)
        self.driver_x[driver] = to_x
        self.driver_y[driver] = to_y
        self.driver_state[driver] = D_IDLE
        self.driver_counts[D_REPOSITIONING] -= 1
        self.driver_counts[D_IDLE] += 1
        self._index_idle(driver, now, spell_goes_on=True)

    def _on_zone_update(self, _: int, now: int) -> None:
        self.zones.update()
        following = now + self.zone_update_ms
        if following < self.end_ms:
            heappush(self.heap, following << TIME_SHIFT | ZONE_UPDATE_TAG | next(self.sequence))

    def _on_shift_ends(self, driver: int, now: int) -> None:
        state = self.driver_state[driver]
        if state == D_IDLE:
            self._unindex_idle(driver, now)
            self._go_off_duty(driver, D_IDLE, now)
        elif state == D_REPOSITIONING:
            self._stop_moving(driver, now)
            self._go_off_duty(driver, D_REPOSITIONING, now)

    def _go_off_duty(self, driver: int, state: int, now: int) -> None:
        self.driver_state[driver] = D_OFF_DUTY
        self.driver_counts[state] -= 1
        self.driver_counts[D_OFF_DUTY] += 1
        self.off_duty_ms[driver] = now

    def _index_idle(self, driver: int, now: int, spell_goes_on: bool = False) -> None:
        """The driver is idle and matchable where it stands; a new idle spell starts unless it
        just finished a reposition (the spell it repositioned in goes on). With repositioning on,
        it looks for a zone short of drivers once it has been idle there for a while."""
        self.idle.add(driver)
        self.newly_idle.append(driver)
        self.idle_entries.append(driver)
        if not spell_goes_on:
            self.idle_since_ms[driver] = now
        if self.zoning:
            zones = self.zones
            zone = zones.zone_of(self.driver_x[driver], self.driver_y[driver])
            self.driver_zone[driver] = zone
            zones.idle[zone] += 1
            zones.touched.add(zone)
        after = self.reposition_after_ms
        if after >= 0:
            check_at = now + after
            if check_at < self.end_ms:
                self.reposition_check_ms[driver] = check_at
                heappush(
                    self.heap, check_at << TIME_SHIFT | REPOSITION_TAG | next(self.sequence) | driver
                )

    def _unindex_idle(self, driver: int, now: int, spell_goes_on: bool = False) -> None:
        """Out of the idle index (and its zone's idle count); the idle spell ends unless the
        driver starts repositioning in it."""
        self.idle.remove(driver)
        if not spell_goes_on:
            self.idle_ms[driver] += now - self.idle_since_ms[driver]
        if self.zoning:
            zone = self.driver_zone[driver]
            self.zones.idle[zone] -= 1
            self.zones.touched.add(zone)

    def _travel_ms(self, km: float, now: int) -> int:
        """A leg at a fresh speed ~ U[0.8, 1.2] × mean, slowed by the traffic of the hour."""
        speed = (
            self.params.mean_speed_kmh * (0.8 + 0.4 * self.speeds.draw()) * self.traffic[now // HOUR_MS]
        )
        travel = int(km / speed * HOUR_MS + 0.5)
        return travel if travel > MIN_LEG_MS else MIN_LEG_MS

    # ----------------------------------------------------------------------------- results

    def output(self) -> SimulationOutput:
        trips = self.trips.to_columns(self.riders)
        return SimulationOutput(
            metrics=compute_metrics(self._totals(), trips),
            trips=trips,
            snapshots=self.snapshots.to_columns(),
        )

    def _totals(self) -> RunTotals:
        end = self.end_ms
        window = self.window_ms
        busy = self.busy_ms
        on_duty = 0
        present = 0
        busy_states = (D_EN_ROUTE, D_ON_TRIP)
        for driver, arrived in enumerate(self.drivers.arrival_ms):
            state = self.driver_state[driver]
            if state == D_NOT_ARRIVED or arrived >= window:
                continue
            present += 1
            left = self.off_duty_ms[driver]
            on_duty += min(left if left >= 0 else end, window) - arrived
            if state in busy_states and self.busy_since_ms[driver] < window:
                busy += window - self.busy_since_ms[driver]
        counts = self.rider_counts
        return RunTotals(
            total_riders=sum(counts[1:]),
            total_drivers=present,
            completed_riders=counts[R_COMPLETED],
            riders_abandoned_price=self.abandoned_by_reason[AbandonReason.PRICE],
            riders_abandoned_eta=self.abandoned_by_reason[AbandonReason.ETA],
            riders_abandoned_stochastic=self.abandoned_by_reason[AbandonReason.STOCHASTIC],
            cancelled_riders=counts[R_CANCELLED],
            riders_unresolved=sum(counts[state] for state in UNRESOLVED_RIDER_STATES),
            quotes_shown=self.quotes_shown,
            quotes_without_supply=self.quotes_without_supply,
            offers_made=self.offers_made,
            offers_declined=self.offers_declined,
            platform_revenue=self.platform_revenue,
            driver_payouts=self.driver_payouts,
            total_fares_collected=self.total_fares,
            driver_busy_ms=busy,
            driver_on_duty_ms=on_duty,
            reposition_km=self.reposition_km,
            surge_sum=self.surge_sum,
            quotes_at_max_surge=self.quotes_at_max_surge,
            events_processed=self.events_processed,
        )
