"""The discrete-event run of one sweep point.

State lives in flat Python lists indexed by rider or driver id (plain ints and floats: numpy scalars
are slow one at a time), events are packed ints on a heap (see ``events``), random numbers come
from pre-drawn chunks, and idle drivers and waiting riders sit in grid indexes so matching only
looks at pairs within the match radius. The handlers are written for speed: attributes used more
than once are read into locals, and events are pushed inline.
"""

from __future__ import annotations

import itertools
import math
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
    RIDER_ARRIVES_TAG,
    SEQUENCE_SHIFT,
    SHIFT_ENDS_TAG,
    SUBJECT_MASK,
    TIME_SHIFT,
)
from domain.simulation.matching import MATCHERS, Candidate
from domain.simulation.metrics import RunTotals, compute_metrics
from domain.simulation.outputs import (
    SNAPSHOT_INTERVAL_MS,
    TRIP_STATE_CANCELLED,
    TRIP_STATE_COMPLETED,
    TRIP_STATE_ON_TRIP,
    SimulationOutput,
)
from domain.simulation.populations import draw_drivers, draw_riders
from domain.simulation.pricing import (
    NO_DRIVER_ETA_MINUTES,
    driver_accept_probability,
    eta_reach_km,
    surge_multiplier,
)
from domain.simulation.random_streams import RandomStreams, UniformFeed
from domain.simulation.snapshots import SnapshotRecorder
from domain.simulation.spatial_index import GridIndex
from domain.simulation.states import (
    DRIVER_STATES,
    RIDER_STATES,
    AbandonReason,
    DriverState,
    RiderState,
)
from domain.simulation.trip_log import TripLog

QUOTE_DELAY_MS = 1_000
QUOTE_DECISION_DELAY_MS = 1_000
DRIVER_DECISION_DELAY_MS = 2_000
MIN_LEG_MS = 1_000
SURGE_CELLS_PER_RADIUS = 3

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


def simulate(params: SimulationParameters, seed: int) -> SimulationOutput:
    """Run one sweep point: same parameters and seed, same output, bit for bit."""
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
        "demand",
        "driver_counts",
        "driver_payouts",
        "driver_state",
        "driver_x",
        "driver_y",
        "drivers",
        "earnings",
        "end_ms",
        "eta_reach_km",
        "events_processed",
        "heap",
        "idle",
        "idle_entries",
        "idle_entries_seen",
        "idle_for_surge",
        "last_batch_ms",
        "match",
        "newly_idle",
        "newly_waiting",
        "no_driver_eta_acceptable",
        "off_duty_ms",
        "params",
        "planned_pickup_ms",
        "platform_revenue",
        "quote_eta_acceptable",
        "quoted_fare",
        "quoted_surge",
        "rejections",
        "requote_delay_ms",
        "rider_cell",
        "rider_counts",
        "rider_driver",
        "rider_state",
        "rider_trip",
        "riders",
        "sequence",
        "snapshots",
        "speeds",
        "surge_on",
        "total_fares",
        "traffic",
        "trips",
        "trips_cancelled",
        "waiting",
    )

    def __init__(self, params: SimulationParameters, streams: RandomStreams) -> None:
        p = params
        self.params = p
        self.riders = riders = draw_riders(p, streams)
        self.drivers = drivers = draw_drivers(p, streams)
        if max(len(riders), len(drivers)) > MAX_SUBJECT:
            raise ValueError("too many riders or drivers for one point")
        self.end_ms = p.simulation_minutes * 60_000
        self.heap: list[int] = []
        # Scheduling order, already shifted into place in the packed event.
        self.sequence = itertools.count(0, 1 << SEQUENCE_SHIFT)
        self.decisions = UniformFeed(streams.decisions)
        self.speeds = UniformFeed(streams.speeds)
        self.traffic = traffic_by_run_hour(
            p.traffic_profile, p.start_hour, hours_covering(self.end_ms)
        )
        self.match = MATCHERS[p.matching_algorithm]
        self.surge_on = p.surge_enabled
        self.batch_interval_ms = p.batch_interval_seconds * 1_000
        self.requote_delay_ms = p.requote_delay_seconds * 1_000
        self.eta_reach_km = eta_reach_km(p.max_acceptable_eta_minutes, p.mean_speed_kmh)
        self.no_driver_eta_acceptable = p.max_acceptable_eta_minutes >= NO_DRIVER_ETA_MINUTES
        self.base_fares = [p.base_fare + p.per_km_rate * km for km in riders.trip_km]

        n = len(riders)
        self.rider_state = [0] * n
        self.rejections = [0] * n
        self.quoted_fare = list(self.base_fares)
        self.quoted_surge = [1.0] * n
        self.quote_eta_acceptable = [False] * n
        self.idle_entries_seen = [-1] * n
        self.deadline_ms = [0] * n
        self.planned_pickup_ms = [0] * n
        self.rider_driver = [-1] * n
        self.rider_trip = [-1] * n
        self.rider_counts = [0] * RIDER_STATES
        self.abandoned_by_reason = [0] * len(AbandonReason)

        m = len(drivers)
        self.driver_x = list(drivers.x)
        self.driver_y = list(drivers.y)
        self.driver_state = [0] * m
        self.earnings = [0.0] * m
        self.busy_since_ms = [0] * m
        self.busy_ms = 0
        self.off_duty_ms = [-1] * m
        self.driver_counts = [0] * DRIVER_STATES

        width, height = p.city_width_km, p.city_height_km
        radius = p.match_radius_km
        self.idle = GridIndex(width, height, radius, self.driver_x, self.driver_y)
        self.waiting = GridIndex(width, height, radius, riders.x, riders.y)
        # Same geometry, so a rider's cell in one is its cell in the other (riders never move).
        assert self.idle.geometry == self.waiting.geometry
        self.rider_cell = self.waiting.cells_of(riders.x, riders.y)
        # Counting grids for surge; without surge the demand grid is never used (one cell suffices).
        surge_cell_km = p.surge_radius_km / SURGE_CELLS_PER_RADIUS if p.surge_enabled else width + height
        self.demand = GridIndex(width, height, surge_cell_km, riders.x, riders.y)
        self.idle_for_surge = (
            GridIndex(width, height, surge_cell_km, self.driver_x, self.driver_y)
            if p.surge_enabled
            else self.idle
        )

        self.batch_pending = False
        self.last_batch_ms = 0
        self.newly_waiting: list[int] = []
        self.newly_idle: list[int] = []
        self.idle_entries: list[int] = []
        self.trips = TripLog()
        self.trips_cancelled = 0
        self.total_fares = 0.0
        self.platform_revenue = 0.0
        self.driver_payouts = 0.0
        self.events_processed = 0
        self.snapshots = SnapshotRecorder()

    # ----------------------------------------------------------------------------- the loop

    def run(self) -> None:
        handlers = (
            None,
            self._driver_arrives,
            self._rider_arrives,
            self._quote,
            self._quote_decision,
            self._patience_runs_out,
            self._batch_match,
            self._driver_decision,
            self._pickup,
            self._dropoff,
            self._shift_ends,
        )
        heap, sequence = self.heap, self.sequence
        if self.drivers.arrival_ms:
            first = self.drivers.arrival_ms[0]
            heappush(heap, first << TIME_SHIFT | DRIVER_ARRIVES_TAG | next(sequence))
        if self.riders.arrival_ms:
            first = self.riders.arrival_ms[0]
            heappush(heap, first << TIME_SHIFT | RIDER_ARRIVES_TAG | next(sequence))
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

    def _snapshot_before(self, time_ms: int, next_snapshot_ms: int) -> int:
        """Record every grid row up to ``time_ms`` (the run's end included); return the next one."""
        while next_snapshot_ms <= time_ms and next_snapshot_ms <= self.end_ms:
            self.snapshots.record(
                next_snapshot_ms, self.rider_counts, self.driver_counts, self.trips_cancelled
            )
            next_snapshot_ms += SNAPSHOT_INTERVAL_MS
        return next_snapshot_ms

    # ----------------------------------------------------------------------------- arrivals

    def _driver_arrives(self, driver: int, now: int) -> None:
        self.driver_state[driver] = D_IDLE
        self.driver_counts[D_IDLE] += 1
        self._index_idle(driver)
        heap, sequence, arrivals = self.heap, self.sequence, self.drivers.arrival_ms
        shift_end = now + self.drivers.shift_ms[driver]
        if shift_end < self.end_ms:
            heappush(
                heap, shift_end << TIME_SHIFT | SHIFT_ENDS_TAG | next(sequence) | driver
            )
        following = driver + 1
        if following < len(arrivals):
            heappush(
                heap,
                arrivals[following] << TIME_SHIFT
                | DRIVER_ARRIVES_TAG
                | next(sequence)
                | following,
            )

    def _rider_arrives(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_BROWSING
        self.rider_counts[R_BROWSING] += 1
        if self.surge_on:
            self.demand.add(rider)
        heap, sequence, arrivals = self.heap, self.sequence, self.riders.arrival_ms
        quote_at = now + QUOTE_DELAY_MS
        heappush(heap, quote_at << TIME_SHIFT | QUOTE_TAG | next(sequence) | rider)
        following = rider + 1
        if following < len(arrivals):
            heappush(
                heap,
                arrivals[following] << TIME_SHIFT
                | RIDER_ARRIVES_TAG
                | next(sequence)
                | following,
            )

    # ----------------------------------------------------------------------------- quotes

    def _quote(self, rider: int, now: int) -> None:
        x = self.riders.x[rider]
        y = self.riders.y[rider]
        if self.surge_on:  # without surge the quoted fare stays the base fare it starts at
            p = self.params
            radius = p.surge_radius_km
            demand = self.demand.count_within(x, y, radius)
            supply = self.idle_for_surge.count_within(x, y, radius, enough=demand)
            surge = surge_multiplier(demand, supply, p.surge_max_multiplier)
            self.quoted_surge[rider] = surge
            self.quoted_fare[rider] = self.base_fares[rider] * surge
        # The ETA is acceptable when an idle driver is within reach (or, with none idle at all,
        # when the fixed 5 minutes are). A rider re-quoting after a quote that found no idle driver
        # within reach only needs to look at drivers that became idle since: idle drivers do not
        # move.
        idle = self.idle.members
        entries = self.idle_entries
        seen = self.idle_entries_seen[rider]
        if not idle:
            eta_acceptable = self.no_driver_eta_acceptable
            someone_in_reach = False
        else:
            if seen < 0:
                someone_in_reach = self.idle.any_within(x, y, self.eta_reach_km, self.rider_cell[rider])
            else:
                someone_in_reach = self._any_new_idle_in_reach(entries[seen:], x, y)
            eta_acceptable = someone_in_reach
        self.idle_entries_seen[rider] = -1 if someone_in_reach else len(entries)
        self.quote_eta_acceptable[rider] = eta_acceptable
        decide_at = now + QUOTE_DECISION_DELAY_MS
        heappush(
            self.heap,
            decide_at << TIME_SHIFT | QUOTE_DECISION_TAG | next(self.sequence) | rider,
        )

    def _any_new_idle_in_reach(self, drivers: list[int], x: float, y: float) -> bool:
        idle, xs, ys = self.idle.members, self.driver_x, self.driver_y
        limit = self.eta_reach_km * self.eta_reach_km
        for driver in drivers:
            if driver in idle:
                dx = xs[driver] - x
                dy = ys[driver] - y
                if dx * dx + dy * dy <= limit:
                    return True
        return False

    def _quote_decision(self, rider: int, now: int) -> None:
        p = self.params
        if self.quoted_fare[rider] > p.max_willingness_to_pay:
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
            if self.surge_on:
                self.demand.remove(rider)
        else:
            quote_at = now + self.requote_delay_ms
            heappush(
                self.heap,
                quote_at << TIME_SHIFT | QUOTE_TAG | next(self.sequence) | rider,
            )

    def _accept_quote(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_WAITING
        self.rider_counts[R_BROWSING] -= 1
        self.rider_counts[R_WAITING] += 1
        deadline = now + self.riders.patience_ms[rider]
        self.deadline_ms[rider] = deadline
        heappush(
            self.heap,
            deadline << TIME_SHIFT
            | PATIENCE_RUNS_OUT_TAG
            | next(self.sequence)
            | rider,
        )
        self._wait_for_match(rider, now)

    # ----------------------------------------------------------------------------- matching

    def _wait_for_match(self, rider: int, now: int) -> None:
        self.waiting.add(rider, self.rider_cell[rider])
        self.newly_waiting.append(rider)
        if not self.batch_pending:
            self._schedule_batch(now)

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

    def _batch_match(self, _: int, now: int) -> None:
        self.batch_pending = False
        self.last_batch_ms = now
        waiting = self.waiting
        if self.idle.members and waiting.members and (self.newly_waiting or self.newly_idle):
            candidates = self._candidates(now)
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
        waiting or idle. So every feasible pair now has a rider that started waiting, or a driver
        that became idle, since the last batch: searching around those finds them all.
        """
        p = self.params
        eta_seconds_per_km = 3_600.0 / (p.mean_speed_kmh * self.traffic[now // HOUR_MS])
        cost_per_km = 1.0 + p.eta_weight * eta_seconds_per_km
        radius = p.match_radius_km
        candidates: list[Candidate] = []
        new_riders: set[int] = set()
        if self.newly_waiting:
            waiting = self.waiting.members
            new_riders = {rider for rider in self.newly_waiting if rider in waiting}
            xs, ys, near, cells = self.riders.x, self.riders.y, self.idle.within, self.rider_cell
            for rider in new_riders:
                for driver, km in near(xs[rider], ys[rider], radius, cells[rider]):
                    candidates.append((rider, driver, km * cost_per_km))
        if self.newly_idle:
            idle = self.idle.members
            xs, ys, near = self.driver_x, self.driver_y, self.waiting.within
            for driver in {driver for driver in self.newly_idle if driver in idle}:
                for rider, km in near(xs[driver], ys[driver], radius, idle[driver]):
                    if rider not in new_riders:
                        candidates.append((rider, driver, km * cost_per_km))
        return candidates

    def _offer(self, assignments: list[tuple[int, int]], now: int) -> None:
        heap, sequence = self.heap, self.sequence
        rider_state, rider_driver = self.rider_state, self.rider_driver
        decide_at = now + DRIVER_DECISION_DELAY_MS
        for rider, driver in assignments:
            self.waiting.remove(rider)
            rider_state[rider] = R_OFFERED
            self._unindex_idle(driver)
            self.driver_state[driver] = D_EVALUATING
            rider_driver[rider] = driver
            heappush(
                heap,
                decide_at << TIME_SHIFT | DRIVER_DECISION_TAG | next(sequence) | rider,
            )
        offers = len(assignments)
        self.rider_counts[R_WAITING] -= offers
        self.rider_counts[R_OFFERED] += offers
        self.driver_counts[D_IDLE] -= offers
        self.driver_counts[D_EVALUATING] += offers

    def _driver_decision(self, rider: int, now: int) -> None:
        if self.rider_state[rider] != R_OFFERED:
            return  # the rider's patience ran out while the driver was deciding
        driver = self.rider_driver[rider]
        drivers = self.drivers
        riders = self.riders
        dx = self.driver_x[driver] - riders.x[rider]
        dy = self.driver_y[driver] - riders.y[rider]
        pickup_km = math.sqrt(dx * dx + dy * dy)
        fare = self.quoted_fare[rider]
        accept = driver_accept_probability(
            fare,
            pickup_km,
            riders.trip_km[rider],
            self.earnings[driver],
            drivers.earnings_target[driver],
            now - drivers.arrival_ms[driver],
            drivers.shift_ms[driver],
        )
        rider_counts = self.rider_counts
        rider_counts[R_OFFERED] -= 1
        if self.decisions.draw() >= accept:
            self.rider_state[rider] = R_WAITING
            rider_counts[R_WAITING] += 1
            self._wait_for_match(rider, now)
            self._free_driver(driver, D_EVALUATING, now)
            return
        self.rider_trip[rider] = self.trips.open(
            rider, driver, pickup_km, fare, self.quoted_surge[rider], now
        )
        self.rider_state[rider] = R_AWAITING_PICKUP
        rider_counts[R_AWAITING_PICKUP] += 1
        self.driver_state[driver] = D_EN_ROUTE
        self.driver_counts[D_EVALUATING] -= 1
        self.driver_counts[D_EN_ROUTE] += 1
        self.busy_since_ms[driver] = now
        pickup_at = now + self._travel_ms(pickup_km, now)
        self.planned_pickup_ms[rider] = pickup_at
        if pickup_at <= self.deadline_ms[rider]:
            heappush(
                self.heap,
                pickup_at << TIME_SHIFT | PICKUP_TAG | next(self.sequence) | rider,
            )

    # ----------------------------------------------------------------------------- the ride

    def _patience_runs_out(self, rider: int, now: int) -> None:
        state = self.rider_state[rider]
        if state == R_WAITING:
            self.waiting.remove(rider)
        elif state == R_OFFERED:
            self._free_driver(self.rider_driver[rider], D_EVALUATING, now)
        elif state == R_AWAITING_PICKUP and self.planned_pickup_ms[rider] > now:
            self._cancel_pickup(rider, now)
        else:
            return
        self.rider_state[rider] = R_CANCELLED
        self.rider_counts[state] -= 1
        self.rider_counts[R_CANCELLED] += 1
        if self.surge_on:
            self.demand.remove(rider)

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
        self.busy_ms += now - started
        self._free_driver(driver, D_EN_ROUTE, now)

    def _pickup(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_IN_TRANSIT
        rider_counts = self.rider_counts
        rider_counts[R_AWAITING_PICKUP] -= 1
        rider_counts[R_IN_TRANSIT] += 1
        if self.surge_on:
            self.demand.remove(rider)
        driver = self.rider_driver[rider]
        self.driver_state[driver] = D_ON_TRIP
        self.driver_counts[D_EN_ROUTE] -= 1
        self.driver_counts[D_ON_TRIP] += 1
        trip = self.rider_trip[rider]
        self.trips.state[trip] = TRIP_STATE_ON_TRIP
        self.trips.pickup_at_ms[trip] = now
        dropoff_at = now + self._travel_ms(self.riders.trip_km[rider], now)
        heappush(
            self.heap,
            dropoff_at << TIME_SHIFT | DROPOFF_TAG | next(self.sequence) | rider,
        )

    def _dropoff(self, rider: int, now: int) -> None:
        self.rider_state[rider] = R_COMPLETED
        rider_counts = self.rider_counts
        rider_counts[R_IN_TRANSIT] -= 1
        rider_counts[R_COMPLETED] += 1
        trip = self.rider_trip[rider]
        self.trips.state[trip] = TRIP_STATE_COMPLETED
        self.trips.dropoff_at_ms[trip] = now
        fare = self.quoted_fare[rider]
        commission = fare * self.params.commission_rate
        self.total_fares += fare
        self.platform_revenue += commission
        self.driver_payouts += fare - commission
        driver = self.rider_driver[rider]
        earnings = self.earnings[driver] + (fare - commission)
        self.earnings[driver] = earnings
        self.driver_x[driver] = self.riders.dest_x[rider]
        self.driver_y[driver] = self.riders.dest_y[rider]
        self.busy_ms += now - self.busy_since_ms[driver]
        if earnings >= self.drivers.earnings_target[driver]:
            self._go_off_duty(driver, D_ON_TRIP, now)
        else:
            self._free_driver(driver, D_ON_TRIP, now)

    # ----------------------------------------------------------------------------- drivers

    def _free_driver(self, driver: int, state: int, now: int) -> None:
        """Back to idle where it stands, or off duty when its shift is over."""
        drivers = self.drivers
        if now >= drivers.arrival_ms[driver] + drivers.shift_ms[driver]:
            self._go_off_duty(driver, state, now)
            return
        self.driver_state[driver] = D_IDLE
        self.driver_counts[state] -= 1
        self.driver_counts[D_IDLE] += 1
        self._index_idle(driver)

    def _shift_ends(self, driver: int, now: int) -> None:
        if self.driver_state[driver] == D_IDLE:
            self._unindex_idle(driver)
            self._go_off_duty(driver, D_IDLE, now)

    def _go_off_duty(self, driver: int, state: int, now: int) -> None:
        self.driver_state[driver] = D_OFF_DUTY
        self.driver_counts[state] -= 1
        self.driver_counts[D_OFF_DUTY] += 1
        self.off_duty_ms[driver] = now

    def _index_idle(self, driver: int) -> None:
        self.idle.add(driver)
        self.newly_idle.append(driver)
        self.idle_entries.append(driver)
        if self.idle_for_surge is not self.idle:
            self.idle_for_surge.add(driver)

    def _unindex_idle(self, driver: int) -> None:
        self.idle.remove(driver)
        if self.idle_for_surge is not self.idle:
            self.idle_for_surge.remove(driver)

    def _travel_ms(self, km: float, now: int) -> int:
        """A leg at a fresh speed ~ U[0.5, 1.5] × mean, slowed by the traffic of the hour."""
        speed = (
            self.params.mean_speed_kmh * (0.5 + self.speeds.draw()) * self.traffic[now // HOUR_MS]
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
        busy = self.busy_ms
        on_shift = 0
        busy_states = (D_EN_ROUTE, D_ON_TRIP)
        for driver, arrived in enumerate(self.drivers.arrival_ms):
            state = self.driver_state[driver]
            if state == D_NOT_ARRIVED:
                continue
            left = self.off_duty_ms[driver]
            on_shift += (left if left >= 0 else end) - arrived
            if state in busy_states:
                busy += end - self.busy_since_ms[driver]
        counts = self.rider_counts
        return RunTotals(
            total_riders=sum(counts[1:]),
            total_drivers=sum(self.driver_counts[1:]),
            completed_riders=counts[R_COMPLETED],
            riders_abandoned_price=self.abandoned_by_reason[AbandonReason.PRICE],
            riders_abandoned_eta=self.abandoned_by_reason[AbandonReason.ETA],
            riders_abandoned_stochastic=self.abandoned_by_reason[AbandonReason.STOCHASTIC],
            cancelled_riders=counts[R_CANCELLED],
            riders_unresolved=sum(counts[state] for state in UNRESOLVED_RIDER_STATES),
            platform_revenue=self.platform_revenue,
            driver_payouts=self.driver_payouts,
            total_fares_collected=self.total_fares,
            driver_busy_ms=busy,
            driver_on_shift_ms=on_shift,
            events_processed=self.events_processed,
        )
