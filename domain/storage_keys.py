"""Every object key of the results store (docs/contract.md §5), built in this one module.

Path segments come only from validated values: a run id that matches the contract's pattern, an
ISO date, non-negative integers and the fixed dataset names below. Anything else raises, so no
request can produce a key outside ``<prefix>/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.contract import OutputLayout, is_valid_run_date, is_valid_run_id

Dataset = Literal[
    "run_context",
    "shard_metrics",
    "trip_data",
    "snapshot_counts",
    "effective_parameters",
    "shard_outcomes",
]
POINT_DATASETS: tuple[Dataset, ...] = (
    "shard_metrics",
    "trip_data",
    "snapshot_counts",
    "effective_parameters",
)
ALL_DATASETS: tuple[Dataset, ...] = ("run_context", *POINT_DATASETS, "shard_outcomes")
OutcomeStatus = Literal["success", "failure"]
PART = "part-0.parquet"
CANCELLATION_MARKER = "cancelled.json"
CANCELLED_SHARDS = "cancelled_shards"
NEWEST_FIRST = "newest_first"
_INVERTED_MS = 10**14  # above every epoch millisecond count until the year 5138


@dataclass(frozen=True, slots=True)
class StorageKeys:
    prefix: str = ""

    def __post_init__(self) -> None:
        cleaned = self.prefix.strip("/")
        if any(part in ("", ".", "..") for part in cleaned.split("/")) and cleaned:
            raise ValueError(f"results prefix {self.prefix!r} has an empty, '.' or '..' segment")
        object.__setattr__(self, "prefix", cleaned)

    def _join(self, *segments: str) -> str:
        return "/".join((self.prefix, *segments)) if self.prefix else "/".join(segments)

    def manifest(self, run_id: str) -> str:
        return self._join("runs", f"run_id={_run_id(run_id)}", "manifest.json")

    def run_prefix(self, run_id: str) -> str:
        """The run's own records (manifest, cancellation marker, cancelled shards) start with this."""
        return self._join("runs", f"run_id={_run_id(run_id)}") + "/"

    def cancellation(self, run_id: str) -> str:
        """The run's cancellation marker, beside its manifest (created once, never replaced)."""
        return self._join("runs", f"run_id={_run_id(run_id)}", CANCELLATION_MARKER)

    def cancelled_shard(self, run_id: str, shard_id: int) -> str:
        """Says that a shard's failure outcome is a cancellation, so that counting cancelled shards
        takes a listing instead of reading every failure outcome."""
        return self._join(
            "runs", f"run_id={_run_id(run_id)}", CANCELLED_SHARDS, f"shard_id={_non_negative(shard_id)}"
        )

    def newest_first_prefix(self) -> str:
        """The index of runs by acceptance time: listing it in key order lists the newest first."""
        return self._join("runs", NEWEST_FIRST) + "/"

    def newest_first(self, accepted_at_ms: int, run_id: str) -> str:
        return self.newest_first_prefix() + newest_first_name(accepted_at_ms, run_id)

    def run_context(self, run_date: str, run_id: str) -> str:
        return self._join(*_run_partition("run_context", run_date, run_id), PART)

    def point_object(
        self, dataset: Dataset, run_date: str, run_id: str, shard_id: int, point_index: int
    ) -> str:
        _point_dataset(dataset)
        return self._join(
            *_run_partition(dataset, run_date, run_id),
            "status=success",
            f"shard_id={_non_negative(shard_id)}",
            f"point_index={_non_negative(point_index)}",
            PART,
        )

    def shard_object(
        self, dataset: Dataset, run_date: str, run_id: str, shard_id: int, part: int = 0
    ) -> str:
        """Part ``part`` of a shard in the ``per_shard`` layout: one object, or one per message of
        a shard finished by continuations (docs/contract.md §5)."""
        _point_dataset(dataset)
        return self._join(
            *_run_partition(dataset, run_date, run_id),
            "status=success",
            f"shard_id={_non_negative(shard_id)}",
            f"part-{_non_negative(part)}.parquet",
        )

    def dataset_objects(
        self,
        layout: OutputLayout,
        dataset: Dataset,
        run_date: str,
        run_id: str,
        shard_id: int,
        point_indexes: range,
        parts: int = 1,
    ) -> list[str]:
        if layout == "per_shard":
            return [self.shard_object(dataset, run_date, run_id, shard_id, k) for k in range(parts)]
        return [self.point_object(dataset, run_date, run_id, shard_id, p) for p in point_indexes]

    def outcome(self, run_date: str, run_id: str, status: OutcomeStatus, shard_id: int) -> str:
        if status not in ("success", "failure"):
            raise ValueError(f"unknown outcome status {status!r}")
        return self._join(
            *_run_partition("shard_outcomes", run_date, run_id),
            f"status={status}",
            f"shard_id={_non_negative(shard_id)}",
            PART,
        )

    def shard_prefix(self, run_date: str, run_id: str, shard_id: int) -> str:
        """Where a shard's data lives, one dataset shown (the others differ only in ``dataset=``)."""
        return self._join(
            *_run_partition("shard_metrics", run_date, run_id),
            "status=success",
            f"shard_id={_non_negative(shard_id)}",
        ) + "/"

    def outcomes_prefix(self, run_date: str, run_id: str) -> str:
        return self.dataset_prefix("shard_outcomes", run_date, run_id)

    def dataset_prefix(self, dataset: Dataset, run_date: str, run_id: str) -> str:
        """Every object of one dataset of one run starts with this."""
        return self._join(*_run_partition(dataset, run_date, run_id)) + "/"

    def run_prefixes(self, run_date: str, run_id: str) -> list[str]:
        """Every prefix under which a run writes, one per dataset (for listings and clean-up)."""
        return [self.dataset_prefix(d, run_date, run_id) for d in ALL_DATASETS]


def newest_first_name(accepted_at_ms: int, run_id: str) -> str:
    """``<inverted milliseconds>_<run_id>``: a later acceptance sorts first; ties by run id."""
    if not 0 <= _non_negative(accepted_at_ms) < _INVERTED_MS:
        raise ValueError(f"acceptance time {accepted_at_ms} ms is out of range")
    return f"{_INVERTED_MS - 1 - accepted_at_ms:014d}_{_run_id(run_id)}"


def run_id_of_newest_first_name(name: str) -> str | None:
    """The run id a ``newest_first`` name ends with, or ``None`` when ``name`` is not one."""
    inverted, _, run_id = name.partition("_")
    if len(inverted) != 14 or not inverted.isdigit() or not is_valid_run_id(run_id):
        return None
    return run_id


def shard_id_of_key(key: str) -> int | None:
    """The ``shard_id=`` segment of a key, or ``None`` when it has none."""
    for segment in key.split("/"):
        if segment.startswith("shard_id="):
            digits = segment.removeprefix("shard_id=").removesuffix(".json")
            return int(digits) if digits.isdigit() else None
    return None


def _run_partition(dataset: Dataset, run_date: str, run_id: str) -> tuple[str, str, str]:
    if dataset not in ALL_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    if not is_valid_run_date(run_date):
        raise ValueError(f"run_date {run_date!r} is not an ISO date (YYYY-MM-DD)")
    return f"dataset={dataset}", f"run_date={run_date}", f"run_id={_run_id(run_id)}"


def _run_id(run_id: str) -> str:
    if not is_valid_run_id(run_id):
        raise ValueError(f"run_id {run_id!r} does not match the contract's pattern")
    return run_id


def _point_dataset(dataset: Dataset) -> None:
    if dataset not in POINT_DATASETS:
        raise ValueError(f"{dataset!r} is not a per-point dataset")


def _non_negative(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return value
