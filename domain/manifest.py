"""The run manifest (docs/contract.md §5): what was accepted for a run, written once, read by every
use case that needs to know the run (status, resume, analytics, the run_context record).

Built once from the plan at submission and parsed once from its bytes; its JSON is the canonical
JSON of ``as_record()``, so the same manifest always has the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field, field_serializer
from pydantic import ValidationError as PydanticValidationError

from domain.contract import PRE_VERSIONING_SIMULATION_MODEL, NormalisedRequest, SeedStrategy
from domain.errors import DomainError
from domain.fingerprints import canonical_json
from domain.planning import SweepPlan

MANIFEST_SCHEMA: Literal["v1"] = "v1"
RequestSourceKind = Literal["api", "cli", "local"]


class CorruptManifest(DomainError):
    """A manifest object that is not a manifest (truncated, edited, foreign)."""


@dataclass(frozen=True, slots=True)
class RequestSource:
    """Who asked: recorded in the manifest and run_context, so a run can be traced to its caller."""

    kind: RequestSourceKind
    source_ip: str | None = None
    user_agent: str | None = None
    api_request_id: str | None = None
    api_stage: str | None = None


class RequestOrigin(BaseModel):
    """``RequestSource`` as the manifest and the run_context columns name it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    request_source: RequestSourceKind
    source_ip: str | None = None
    user_agent: str | None = None
    api_request_id: str | None = None
    api_stage: str | None = None

    @classmethod
    def of(cls, source: RequestSource) -> RequestOrigin:
        return cls(
            request_source=source.kind,
            source_ip=source.source_ip,
            user_agent=source.user_agent,
            api_request_id=source.api_request_id,
            api_stage=source.api_stage,
        )


class RunManifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    manifest_schema: Literal["v1"] = MANIFEST_SCHEMA
    run_id: str
    run_date: str
    accepted_at: datetime
    request_fingerprint: str
    config_fingerprint: str
    total_points: int
    shard_count: int
    request: NormalisedRequest
    source: RequestOrigin
    simulation_model: int = PRE_VERSIONING_SIMULATION_MODEL
    """The model the run was planned under; a manifest written before models were recorded was
    planned under the first one."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def replicates(self) -> int:
        return self.request.replicates

    @computed_field  # type: ignore[prop-decorator]
    @property
    def seed_strategy(self) -> SeedStrategy:
        return self.request.seed_strategy

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_simulations(self) -> int:
        return self.total_points * self.request.replicates

    @classmethod
    def accept(cls, plan: SweepPlan, accepted_at: datetime, source: RequestSource) -> RunManifest:
        """The manifest of ``plan`` accepted at ``accepted_at`` (UTC): its date is the run date."""
        return cls(
            run_id=plan.request.run_id,
            run_date=accepted_at.date().isoformat(),
            accepted_at=accepted_at,
            request_fingerprint=plan.request_fingerprint,
            config_fingerprint=plan.config_fingerprint,
            total_points=plan.total_points,
            shard_count=plan.shard_count,
            request=plan.request,
            source=RequestOrigin.of(source),
            simulation_model=plan.simulation_model,
        )

    @field_serializer("accepted_at")
    def _iso_time(self, value: datetime) -> str:
        return value.isoformat()

    @field_serializer("request")
    def _canonical_request(self, value: NormalisedRequest) -> dict[str, Any]:
        return value.canonical_dict()

    @property
    def shard_strategy(self) -> Literal["shard_count", "shard_size"]:
        return self.request.shard_strategy

    def as_record(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json_bytes(self) -> bytes:
        return canonical_json(self.as_record()).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> RunManifest:
        try:
            return cls.model_validate_json(data)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "manifest"
            raise CorruptManifest(f"the run manifest is not valid: {where}: {first['msg']}") from None
