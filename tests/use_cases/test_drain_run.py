"""drain_run over the in-memory fakes: workers run until the run has ended."""

from __future__ import annotations

from collections.abc import Callable

from application.drain_run import drain_run
from ports.workers import PointsCallback
from tests.fixtures import SMALL_REQUEST, FakePorts


class OneShardAtATime:
    """Shard workers that run one queued message, then ask whether the run is finished."""

    def __init__(self, ports: FakePorts) -> None:
        self.ports = ports
        self.executed = 0

    def work(self, finished: Callable[[], bool], on_points: PointsCallback | None = None) -> None:
        while not finished():
            bodies = self.ports.queue.take_all()
            if not bodies:
                return
            self.ports.queue.put_back(bodies[1:])
            self.ports.execute(bodies[0], on_point=lambda _i: on_points(1) if on_points else None)
            self.executed += 1


def test_a_drained_run_has_every_shard_ended_and_reports_every_point() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "failure_injection_shards": [2]})
    workers = OneShardAtATime(ports)
    points: list[int] = []

    status = drain_run(
        "small-run", workers=workers, store=ports.store, keys=ports.keys, on_points=points.append
    )

    assert (status.state, status.shards_succeeded, status.shards_failed) == ("partial", 2, 1)
    assert sum(points) == 2  # the injected shard fails before its point runs
    assert workers.executed == 3


def test_the_workers_stop_once_the_run_has_ended_though_messages_remain() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    ports.submit(SMALL_REQUEST)  # resubmitted: every shard is queued twice
    workers = OneShardAtATime(ports)

    status = drain_run("small-run", workers=workers, store=ports.store, keys=ports.keys, check_every=0.0)

    assert status.state == "succeeded"
    assert workers.executed == 3
    assert len(ports.queue.bodies) == 3  # the duplicates were never needed
