"""Drives the Lambda handler in-process with recorded API Gateway and SQS events."""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from adapters.memory.memory_gauge import FixedMemoryGauge
from domain.contract import Limits, parse_sweep_request
from domain.planning import SweepPlan, plan_sweep
from domain.storage_keys import POINT_DATASETS, StorageKeys
from entrypoints.container import Container, build_container
from entrypoints.handler import make_handler
from entrypoints.settings import Settings
from tests.fixtures import ticking

EVENTS = Path(__file__).parent / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


@dataclass
class LambdaContext:
    aws_request_id: str = "11111111-2222-3333-4444-555555555555"
    function_name: str = "ridesweep-runtime"
    memory_limit_in_mb: str = "1769"  # the Python runtime gives it as a string
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:ridesweep-runtime"
    remaining_ms: int = 900_000
    """What every invocation is given: a test sets a few seconds to make shards continue."""

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Harness:
    """A handler over in-memory adapters with a fixed clock; tests assert on the fakes' state."""

    settings: Settings = field(
        default_factory=lambda: Settings(SWEEP_BACKEND="memory", SWEEP_RESULTS_PREFIX="sweeps")
    )
    clock: FixedClock = field(default_factory=FixedClock)

    def __post_init__(self) -> None:
        self.container: Container = build_container(self.settings)
        self.container.clock.override(self.clock)
        # The process's real memory would make a worker's memory budget depend on the test run.
        self.container.memory_gauge.override(FixedMemoryGauge())
        self.handler = make_handler(self.container)
        self.context = LambdaContext()

    def give_each_invocation(self, seconds: float) -> Harness:
        """Every invocation gets ``seconds`` (the context's remaining time) and every simulation
        takes one second of the harness's clock: shards of more than a few points continue."""
        self.context.remaining_ms = int(seconds * 1000)
        self.container.simulator.override(providers.Object(ticking(self.clock)))
        return self

    @property
    def objects(self) -> dict[str, bytes]:
        return self.container.blob_store().objects  # type: ignore[no-any-return]

    @property
    def queued(self) -> list[bytes]:
        return self.container.shard_inbox().bodies  # type: ignore[no-any-return]

    def post(self, body: object, *, fmt: str = "v1", raw: bytes | None = None) -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else json.dumps(body).encode()
        if fmt == "v1":
            event = load_event("api_v1_post_sweep_run.json")
            event["body"] = data.decode("utf-8", "surrogateescape")
        else:
            event = load_event("api_v2_post_sweep_run.json")
            event["body"] = base64.b64encode(data).decode()
        return self._answer(self.handler(event, self.context))

    def get(self, run_id: str) -> tuple[int, dict[str, Any]]:
        event = load_event("api_v1_get_sweep_run.json")
        event["path"] = f"/sweep-run/{run_id}"
        event["pathParameters"] = {"run_id": run_id}
        return self._answer(self.handler(event, self.context))

    def send(self, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Hand any API Gateway event to the handler; (status, decoded body)."""
        return self._answer(self.handler(event, self.context))

    def deliver(self, bodies: list[bytes], receive_count: int = 1) -> list[str]:
        """Hand ``bodies`` to the handler as one SQS event; returns the failed message ids."""
        template = load_event("sqs_shard_batch.json")["Records"][0]
        records = []
        for i, body in enumerate(bodies):
            record = copy.deepcopy(template)
            record["messageId"] = f"message-{i}"
            record["body"] = body.decode()
            record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
            records.append(record)
        answer = self.handler({"Records": records}, self.context)
        return [f["itemIdentifier"] for f in answer["batchItemFailures"]]

    def drain(self) -> list[bytes]:
        """Deliver every queued message, in batches of 10 as the event source mapping would."""
        delivered = self.container.shard_inbox().take_all()
        for start in range(0, len(delivered), 10):
            assert self.deliver(delivered[start : start + 10]) == []
        return delivered

    @staticmethod
    def _answer(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        assert response["headers"]["Content-Type"] == "application/json"
        return int(response["statusCode"]), json.loads(response["body"])


def expected_keys(
    request: dict[str, Any], run_date: str, prefix: str = "sweeps", accepted_at: datetime | None = None
) -> set[str]:
    """Every key docs/contract.md §5 says a finished run of ``request`` has, and no other;
    ``accepted_at``: when it was accepted (default: the harness's fixed clock)."""
    limits = Limits()
    plan: SweepPlan = plan_sweep(parse_sweep_request(request, limits), limits)
    keys = StorageKeys(prefix)
    run_id = plan.request.run_id
    injected = set(plan.request.failure_injection_shards)
    accepted_ms = int((accepted_at or FixedClock().now()).timestamp() * 1000)
    expected = {
        keys.manifest(run_id),
        keys.run_context(run_date, run_id),
        keys.newest_first(accepted_ms, run_id),
    }
    for shard in plan.shards:
        if shard.shard_id in injected:
            expected.add(keys.outcome(run_date, run_id, "failure", shard.shard_id))
            continue
        expected.add(keys.outcome(run_date, run_id, "success", shard.shard_id))
        for dataset in POINT_DATASETS:
            expected.update(
                keys.dataset_objects(
                    plan.request.output_layout,
                    dataset,
                    run_date,
                    run_id,
                    shard.shard_id,
                    range(shard.start_index, shard.end_index_exclusive),
                )
            )
    return expected
