"""A run's cancellation marker (docs/contract.md §5): created once beside the manifest by
``DELETE /sweep-run/{run_id}`` or ``ridesweep cancel``, never replaced, read by the workers before
each shard and between points.

Its bytes are the canonical JSON of its record, and a second cancel answers with the first one's
record, so every answer to a cancel of the same run is the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_serializer
from pydantic import ValidationError as PydanticValidationError

from domain.errors import DomainError
from domain.fingerprints import canonical_json
from domain.manifest import RequestOrigin, RequestSource

CANCELLED_ERROR_CODE = "cancelled"
"""The ``error_code`` of the failure outcome of a shard a worker stopped, or never started,
because its run was cancelled."""


class CorruptCancellation(DomainError):
    """A cancellation marker that is not one (truncated, edited, foreign)."""


class CancellationMarker(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    marker_schema: Literal["v1"] = "v1"
    run_id: str
    run_date: str
    cancelled_at: datetime
    source: RequestOrigin

    @classmethod
    def of(
        cls, run_id: str, run_date: str, cancelled_at: datetime, source: RequestSource
    ) -> CancellationMarker:
        return cls(
            run_id=run_id,
            run_date=run_date,
            cancelled_at=cancelled_at,
            source=RequestOrigin.of(source),
        )

    @field_serializer("cancelled_at")
    def _iso_time(self, value: datetime) -> str:
        return value.isoformat()

    def to_json_bytes(self) -> bytes:
        return canonical_json(self.model_dump(mode="json")).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> CancellationMarker:
        try:
            return cls.model_validate_json(data)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "marker"
            raise CorruptCancellation(
                f"the run's cancellation marker is not valid: {where}: {first['msg']}"
            ) from None

    def answer(self) -> dict[str, Any]:
        """The body of every answer to a cancel of this run (docs/contract.md §1)."""
        return {
            "status": "cancelled",
            "run_id": self.run_id,
            "run_date": self.run_date,
            "cancelled_at": self.cancelled_at.isoformat(),
        }
