"""The use cases wired to a container's adapters: one place that says which port goes where.

``execute`` imports the worker's use case on first call, so the API path never loads numpy,
scipy or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.run_status import RunStatus, run_status
from application.submit_sweep import RequestSource, SubmitResult, submit_sweep
from entrypoints.container import Container

if TYPE_CHECKING:
    from application.execute_shard import PointCallback, ShardResult


def submit(container: Container, payload: object, source: RequestSource) -> SubmitResult:
    return submit_sweep(
        payload,
        source,
        store=container.blob_store(),
        queue=container.shard_queue(),
        clock=container.clock(),
        keys=container.keys(),
        limits=container.limits(),
    )


def execute(
    container: Container,
    body: bytes | str,
    *,
    attempt: int = 1,
    on_point: PointCallback | None = None,
) -> ShardResult:
    from application.execute_shard import execute_shard

    return execute_shard(
        body,
        attempt=attempt,
        store=container.blob_store(),
        keys=container.keys(),
        clock=container.clock(),
        on_point=on_point,
    )


def status(container: Container, run_id: str) -> RunStatus:
    return run_status(run_id, store=container.blob_store(), keys=container.keys())
