"""list_runs over the in-memory fakes: newest first, a page at a time, from the run index, the
manifests and the outcome keys alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.blob_store import InMemoryBlobStore
from application.cancel_run import cancel_run
from application.list_runs import list_runs
from domain.errors import RequestValidationError
from domain.manifest import RequestSource
from tests.fixtures import SMALL_REQUEST, FakePorts


class CountingStore(InMemoryBlobStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []
        self.listings: list[str] = []

    def get(self, key: str) -> bytes | None:
        self.reads.append(key)
        return super().get(key)

    def list_keys(self, prefix: str) -> list[str]:
        self.listings.append(prefix)
        return super().list_keys(prefix)

    def list_page(self, prefix: str, *, start_after: str | None, limit: int) -> list[str]:
        self.listings.append(prefix)
        return super().list_page(prefix, start_after=start_after, limit=limit)


def submit_runs(ports: FakePorts, count: int) -> None:
    for number in range(count):
        ports.submit({**SMALL_REQUEST, "run_id": f"run-{number}"})
        ports.clock.advance(timedelta(seconds=1))


def test_runs_are_listed_newest_first_a_page_at_a_time_until_the_last() -> None:
    ports = FakePorts()
    submit_runs(ports, 5)

    pages, token = [], None
    while True:
        page = list_runs(store=ports.store, keys=ports.keys, limit=2, next_token=token)
        pages.append([run.run_id for run in page.runs])
        token = page.next_token
        if token is None:
            break

    assert pages == [["run-4", "run-3"], ["run-2", "run-1"], ["run-0"]]


def test_a_listed_run_shows_its_state_simulations_and_dates() -> None:
    ports = FakePorts()
    ports.submit({**SMALL_REQUEST, "replicates": 2, "failure_injection_shards": [1]})
    ports.run_queued()

    (run,) = list_runs(store=ports.store, keys=ports.keys).runs

    assert (run.run_id, run.state, run.run_date) == ("small-run", "partial", "2026-11-28")
    assert run.accepted_at == ports.clock.now().isoformat()
    assert (run.total_simulations, run.simulations_succeeded) == (6, 4)
    assert (run.shards_succeeded, run.shards_failed, run.shards_pending) == (2, 1, 0)


def test_a_cancelled_run_is_listed_as_cancelled_with_its_time() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    cancel_run("small-run", RequestSource(kind="cli"), store=ports.store, keys=ports.keys, clock=ports.clock)
    ports.run_queued()

    (run,) = list_runs(store=ports.store, keys=ports.keys).runs

    assert (run.state, run.shards_cancelled, run.cancelled_at) == (
        "cancelled",
        3,
        ports.clock.now().isoformat(),
    )


def test_a_page_reads_one_manifest_per_listed_run_and_never_an_outcome() -> None:
    store = CountingStore()
    ports = FakePorts(store=store)
    submit_runs(ports, 6)
    ports.run_queued()
    store.reads.clear()
    store.listings.clear()

    list_runs(store=store, keys=ports.keys, limit=2)

    assert sorted(store.reads) == sorted(ports.keys.manifest(r) for r in ("run-5", "run-4"))
    assert len(store.listings) == 1 + 2 * 2  # the index, then each run's records and outcomes


def test_an_empty_store_lists_no_runs() -> None:
    page = list_runs(store=InMemoryBlobStore(), keys=FakePorts().keys)

    assert (page.runs, page.next_token) == ((), None)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"next_token": "garbage!"}, "next_token")],
)
def test_a_bad_limit_or_token_is_refused_naming_it(arguments: dict[str, object], named: str) -> None:
    ports = FakePorts()

    with pytest.raises(RequestValidationError) as refused:
        list_runs(store=ports.store, keys=ports.keys, **arguments)  # type: ignore[arg-type]

    assert refused.value.details[0].loc == ("query", named)
