"""The v1 sweep request (docs/contract.md §1) and the shard message (§3).

Pydantic checks the shape (types, required and unknown fields); ``validate_sweep_request`` adds
the rules that need the parameter registry and the deployment limits, and gathers every problem
with a ``loc`` path so that one 400 answer names all offending fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from domain.errors import ErrorDetail, InvalidRunId, Loc, RequestValidationError
from domain.parameters import (
    ORDERED_PAIRS,
    PARAMETERS,
    Scalar,
    show_value,
    unknown_parameter_message,
)

SCHEMA_VERSION: Literal["v1"] = "v1"
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_RUN_ID = re.compile(RUN_ID_PATTERN)
RUN_ID_RULE = (
    "must be 1 to 64 characters of letters, digits, '.', '_' or '-', starting with a letter or "
    "digit (no spaces, '/' or '=')"
)
RUN_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # not \d: it matches any script's digits
_RUN_DATE = re.compile(RUN_DATE_PATTERN)
MAX_DIMENSIONS = 12
MAX_VALUES_PER_DIMENSION = 10_000
SEED_LIMIT = 2**63
MAX_REPLICATES = 1000
DEFAULT_REPLICATES = 1
DEFAULT_SEED_STRATEGY: Literal["independent"] = "independent"
PRE_VERSIONING_SIMULATION_MODEL = 1
"""The model of every run planned before shard messages and manifests carried ``simulation_model``
(a historical fact, not the current version: that is ``domain.simulation.SIMULATION_MODEL``)."""
MAX_REQUEST_BYTES = 256 * 1024
MAX_MESSAGE_BYTES = 256 * 1024

OutputLayout = Literal["per_point", "per_shard"]
SeedStrategy = Literal["independent", "common"]
Replicates = Annotated[StrictInt, Field(ge=1, le=MAX_REPLICATES)]
ParameterValue = Annotated[
    Any, WithJsonSchema({"type": ["boolean", "integer", "number", "string"]})
]
PositiveInt = Annotated[StrictInt, Field(gt=0)]


class SweepRequest(BaseModel):
    """The wire shape of ``POST /sweep-run``; semantic rules live in ``validate_sweep_request``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="SweepRequest")

    schema_version: Literal["v1"] = SCHEMA_VERSION
    run_id: Annotated[StrictStr, Field(pattern=RUN_ID_PATTERN)]
    dimensions: Annotated[
        dict[str, list[ParameterValue]],
        Field(json_schema_extra={"minProperties": 1, "maxProperties": MAX_DIMENSIONS}),
    ]
    base_parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    shard_count: PositiveInt | None = None
    shard_size: PositiveInt | None = None
    max_shards: PositiveInt | None = None
    seed: Annotated[StrictInt, Field(ge=0, lt=SEED_LIMIT)] = 0
    replicates: Replicates = DEFAULT_REPLICATES
    seed_strategy: SeedStrategy = DEFAULT_SEED_STRATEGY
    output_layout: OutputLayout = "per_point"
    failure_injection_shards: list[Annotated[StrictInt, Field(ge=0)]] = Field(
        default_factory=list
    )


@dataclass(frozen=True, slots=True)
class Limits:
    """Deployment limits, passed in from settings (the domain never reads the environment)."""

    max_shards: int = 1000
    max_total_points: int = 1_000_000
    allow_failure_injection: bool = True


@dataclass(frozen=True, slots=True)
class NormalisedRequest:
    """A request that passed every rule, its values converted to their parameters' types."""

    schema_version: Literal["v1"]
    run_id: str
    dimensions: dict[str, tuple[Scalar, ...]]  # names sorted by code point
    base_parameters: dict[str, Scalar]  # names sorted by code point
    shard_count: int | None
    shard_size: int | None
    max_shards: int
    seed: int
    output_layout: OutputLayout
    failure_injection_shards: tuple[int, ...]  # sorted
    replicates: int = DEFAULT_REPLICATES
    seed_strategy: SeedStrategy = DEFAULT_SEED_STRATEGY

    @property
    def shard_strategy(self) -> Literal["shard_count", "shard_size"]:
        return "shard_count" if self.shard_count is not None else "shard_size"

    def canonical_dict(self) -> dict[str, Any]:
        """What ``request_fingerprint`` covers. ``replicates`` and ``seed_strategy`` appear only
        when they differ from their defaults, so a request without them keeps its fingerprint."""
        return {
            **replication_fields(self.replicates, self.seed_strategy),
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "dimensions": {k: list(v) for k, v in self.dimensions.items()},
            "base_parameters": dict(self.base_parameters),
            "shard_count": self.shard_count,
            "shard_size": self.shard_size,
            "max_shards": self.max_shards,
            "seed": self.seed,
            "output_layout": self.output_layout,
            "failure_injection_shards": list(self.failure_injection_shards),
        }


def is_valid_run_id(value: object) -> bool:
    return isinstance(value, str) and _RUN_ID.fullmatch(value) is not None


def check_run_id(run_id: str) -> str:
    """``run_id`` if it follows the rule of run ids; else raises ``InvalidRunId`` naming the rule."""
    if not is_valid_run_id(run_id):
        raise InvalidRunId(run_id, RUN_ID_RULE)
    return run_id


def is_valid_run_date(value: object) -> bool:
    """An ISO date in ASCII digits that exists on the calendar (it names a date partition)."""
    if not isinstance(value, str) or _RUN_DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_sweep_request(payload: object, limits: Limits) -> NormalisedRequest:
    """Check ``payload`` (decoded JSON) against every rule of docs/contract.md §1.

    Raises ``RequestValidationError`` listing each offending field. Shard-plan rules (planned
    count, failure-injection ids, message size) are checked by ``planning.plan_sweep``.
    """
    if not isinstance(payload, dict):
        raise RequestValidationError(
            [ErrorDetail((), f"the request body must be a JSON object, got {_kind(payload)}")]
        )
    try:
        shape = SweepRequest.model_validate(payload)
    except PydanticValidationError as exc:
        raise RequestValidationError(_shape_and_value_errors(exc, payload)) from None
    return _normalise(shape, limits)


def _shape_and_value_errors(exc: PydanticValidationError, payload: dict[str, Any]) -> list[ErrorDetail]:
    """Shape errors, plus the parameter-value errors pydantic cannot see, so one answer names all."""
    errors = _details_from_pydantic(exc)
    dimensions = payload.get("dimensions")
    if isinstance(dimensions, dict) and all(
        isinstance(k, str) and isinstance(v, list) for k, v in dimensions.items()
    ):
        _normalise_dimensions(dimensions, errors)
        base = payload.get("base_parameters", {})
        if isinstance(base, dict) and all(isinstance(k, str) for k in base):
            _normalise_base(base, dimensions, errors)
    unique: dict[tuple[Loc, str], ErrorDetail] = {(e.loc, e.msg): e for e in errors}
    return list(unique.values())


def _normalise(shape: SweepRequest, limits: Limits) -> NormalisedRequest:
    errors: list[ErrorDetail] = []
    if not is_valid_run_id(shape.run_id):
        errors.append(ErrorDetail(("run_id",), f"{RUN_ID_RULE}, got {_clip(repr(shape.run_id))}"))
    dimensions, base = _normalise_space_into(shape.dimensions, shape.base_parameters, errors)
    if (shape.shard_count is None) == (shape.shard_size is None):
        errors.append(
            ErrorDetail(
                ("shard_count",),
                "give exactly one of shard_count or shard_size, a positive integer",
            )
        )
    if shape.max_shards is not None and shape.max_shards > limits.max_shards:
        errors.append(
            ErrorDetail(
                ("max_shards",),
                f"must be at most the deployment cap of {limits.max_shards}, got {shape.max_shards}",
            )
        )
    injected = shape.failure_injection_shards
    if injected and not limits.allow_failure_injection:
        errors.append(
            ErrorDetail(
                ("failure_injection_shards",),
                "failure injection is disabled in this deployment (ALLOW_FAILURE_INJECTION=false)",
            )
        )
    seen: dict[int, int] = {}
    for i, shard_id in enumerate(injected):
        if shard_id in seen:
            errors.append(
                ErrorDetail(
                    ("failure_injection_shards", i),
                    f"duplicate shard id {shard_id} (already at index {seen[shard_id]})",
                )
            )
        seen.setdefault(shard_id, i)
    if errors:
        raise RequestValidationError(errors)
    return NormalisedRequest(
        schema_version=shape.schema_version,
        run_id=shape.run_id,
        dimensions=dimensions,
        base_parameters=base,
        shard_count=shape.shard_count,
        shard_size=shape.shard_size,
        max_shards=shape.max_shards if shape.max_shards is not None else limits.max_shards,
        seed=shape.seed,
        output_layout=shape.output_layout,
        failure_injection_shards=tuple(sorted(set(injected))),
        replicates=shape.replicates,
        seed_strategy=shape.seed_strategy,
    )


def replication_fields(replicates: int, seed_strategy: SeedStrategy) -> dict[str, Any]:
    """``replicates`` and ``seed_strategy`` as the fingerprints see them: absent when default."""
    fields: dict[str, Any] = {}
    if replicates != DEFAULT_REPLICATES:
        fields["replicates"] = replicates
    if seed_strategy != DEFAULT_SEED_STRATEGY:
        fields["seed_strategy"] = seed_strategy
    return fields


def normalise_space(
    dimensions: dict[str, list[Any]], base_parameters: dict[str, Any]
) -> tuple[dict[str, tuple[Scalar, ...]], dict[str, Scalar]]:
    """Normalise a parameter space on its own (a worker re-checks what a message carries)."""
    errors: list[ErrorDetail] = []
    dims, base = _normalise_space_into(dimensions, base_parameters, errors)
    if errors:
        raise RequestValidationError(errors)
    return dims, base


def _normalise_space_into(
    dimensions: dict[str, list[Any]], base_parameters: dict[str, Any], errors: list[ErrorDetail]
) -> tuple[dict[str, tuple[Scalar, ...]], dict[str, Scalar]]:
    """Dimensions and base parameters, normalised; problems are appended to ``errors``. The
    cross-field pairs are checked only once every value is valid, so they compare real numbers."""
    found_before = len(errors)
    dims = _normalise_dimensions(dimensions, errors)
    base = _normalise_base(base_parameters, dimensions, errors)
    if len(errors) == found_before:
        _check_ordered_pairs(dims, base, errors)
    return dims, base


def _normalise_dimensions(
    raw: dict[str, list[Any]], errors: list[ErrorDetail]
) -> dict[str, tuple[Scalar, ...]]:
    if not 1 <= len(raw) <= MAX_DIMENSIONS:
        errors.append(
            ErrorDetail(
                ("dimensions",),
                f"must name 1 to {MAX_DIMENSIONS} parameters, got {len(raw)}",
            )
        )
    out: dict[str, tuple[Scalar, ...]] = {}
    for name in sorted(raw):
        values = raw[name]
        spec = PARAMETERS.get(name)
        if spec is None:
            errors.append(ErrorDetail(("dimensions", name), _unknown_parameter(name)))
            continue
        if not values:
            errors.append(ErrorDetail(("dimensions", name), "must list at least one value"))
            continue
        if len(values) > MAX_VALUES_PER_DIMENSION:
            errors.append(
                ErrorDetail(
                    ("dimensions", name),
                    f"must list at most {MAX_VALUES_PER_DIMENSION:,} values, got {len(values):,}",
                )
            )
            continue
        normalised: list[Scalar] = []
        first_index: dict[Scalar, int] = {}
        for i, value in enumerate(values):
            try:
                v = spec.normalise(value)
            except ValueError as exc:
                errors.append(ErrorDetail(("dimensions", name, i), str(exc)))
                continue
            if v in first_index:
                errors.append(
                    ErrorDetail(
                        ("dimensions", name, i),
                        f"duplicate value {_clip(repr(v))} (already at index {first_index[v]})",
                    )
                )
                continue
            first_index[v] = i
            normalised.append(v)
        out[name] = tuple(normalised)
    return out


def _normalise_base(
    raw: dict[str, Any], dimensions: dict[str, list[Any]], errors: list[ErrorDetail]
) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for name in sorted(raw):
        spec = PARAMETERS.get(name)
        if spec is None:
            errors.append(ErrorDetail(("base_parameters", name), _unknown_parameter(name)))
            continue
        if name in dimensions:
            errors.append(
                ErrorDetail(
                    ("base_parameters", name),
                    "is also a dimension; a parameter is either swept or fixed, not both",
                )
            )
            continue
        try:
            out[name] = spec.normalise(raw[name])
        except ValueError as exc:
            errors.append(ErrorDetail(("base_parameters", name), str(exc)))
    return out


def _check_ordered_pairs(
    dimensions: dict[str, tuple[Scalar, ...]],
    base: dict[str, Scalar],
    errors: list[ErrorDetail],
) -> None:
    """Check ``lower ≤ upper`` for every combination, from the extremes of each list."""
    for pair in ORDERED_PAIRS:
        lower_values, lower_loc = _candidates(pair.lower, dimensions, base)
        upper_values, upper_loc = _candidates(pair.upper, dimensions, base)
        largest_lower = max(lower_values)
        smallest_upper = min(upper_values)
        if largest_lower > smallest_upper:  # type: ignore[operator]
            loc = lower_loc if lower_loc[0] != "defaults" else upper_loc
            errors.append(
                ErrorDetail(
                    loc,
                    f"{pair.lower} must be ≤ {pair.upper} for every point, but the largest "
                    f"{pair.lower} ({largest_lower}) exceeds the smallest {pair.upper} "
                    f"({smallest_upper})",
                )
            )


def _candidates(
    name: str, dimensions: dict[str, tuple[Scalar, ...]], base: dict[str, Scalar]
) -> tuple[tuple[Scalar, ...], Loc]:
    if name in dimensions:
        return dimensions[name], ("dimensions", name)
    if name in base:
        return (base[name],), ("base_parameters", name)
    return (PARAMETERS[name].default,), ("defaults", name)


def _unknown_parameter(name: str) -> str:
    return unknown_parameter_message(name)  # a removed parameter's message names its replacement


_FRIENDLY = {
    "extra_forbidden": "unknown field; remove it (docs/contract.md §1 lists the fields of v1)",
    "missing": "field required",
}
_FIELD_RULES: dict[Loc, str] = {
    ("replicates",): (
        f"must be an integer 1 ≤ x ≤ {MAX_REPLICATES:,} (how many times each point is simulated)"
    ),
    ("seed_strategy",): (
        "must be 'independent' (every point and replicate has its own seed) or 'common' "
        "(replicate r of every point uses the same seed)"
    ),
}


def _details_from_pydantic(exc: PydanticValidationError) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
        msg = _FRIENDLY.get(err["type"], err["msg"])
        if err["type"] == "string_pattern_mismatch" and loc == ("run_id",):
            msg = f"{RUN_ID_RULE}, got {_clip(repr(err.get('input')))}"
        elif loc in _FIELD_RULES and err["type"] not in _FRIENDLY:
            msg = f"{_FIELD_RULES[loc]}, got {_clip(show_value(err.get('input')))}"
        elif err["type"] not in _FRIENDLY:
            msg = f"{msg[:1].lower()}{msg[1:]}, got {_clip(show_value(err.get('input')))}"
        details.append(ErrorDetail(loc, msg))
    return details


def _kind(value: object) -> str:
    return "a string" if isinstance(value, str) else show_value(value)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ShardMessage(BaseModel):
    """One SQS message per shard (docs/contract.md §3).

    A message from a producer that predates ``replicates``, ``seed_strategy`` and
    ``simulation_model`` reads as what that producer ran: one replicate, independent seeds, the
    pre-versioning model. So a message still queued across the upgrade runs as planned, and once
    the model changes it is refused as a model mismatch instead of being simulated with the new one.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    schema_version: Literal["v1"]
    run_id: Annotated[StrictStr, Field(pattern=RUN_ID_PATTERN)]
    run_date: Annotated[StrictStr, Field(pattern=RUN_DATE_PATTERN)]
    shard_id: Annotated[StrictInt, Field(ge=0)]
    start_index: Annotated[StrictInt, Field(ge=0)]
    end_index_exclusive: Annotated[StrictInt, Field(ge=1)]
    total_points: Annotated[StrictInt, Field(ge=1)]
    dimensions: dict[str, list[ParameterValue]]
    base_parameters: dict[str, ParameterValue]
    seed: Annotated[StrictInt, Field(ge=0, lt=SEED_LIMIT)]
    replicates: Replicates = DEFAULT_REPLICATES
    seed_strategy: SeedStrategy = DEFAULT_SEED_STRATEGY
    simulation_model: Annotated[StrictInt, Field(ge=1)] = PRE_VERSIONING_SIMULATION_MODEL
    output_layout: OutputLayout
    config_fingerprint: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
    inject_failure: bool
    continuation: Annotated[StrictInt, Field(ge=1)] | None = None
    """Absent on the shard's first message; k ≥ 1 on its k-th continuation (docs/contract.md §4)."""
    resume_index: Annotated[StrictInt, Field(ge=1)] | None = None
    """On a continuation: the first point of the range not yet written."""

    @field_validator("run_date")
    @classmethod
    def _a_calendar_date(cls, value: str) -> str:
        if not is_valid_run_date(value):
            raise ValueError("must be a calendar date, YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def _continuation_fields_together(self) -> ShardMessage:
        if (self.continuation is None) != (self.resume_index is None):
            raise ValueError("continuation and resume_index are given together or not at all")
        return self

    @property
    def part(self) -> int:
        """Which part of its shard this message runs: 0 for the first, k for continuation k."""
        return self.continuation or 0

    @property
    def first_index(self) -> int:
        """The first point this message runs: its range's start, or where a continuation resumes."""
        return self.start_index if self.resume_index is None else self.resume_index

    def continued(self, resume_index: int) -> ShardMessage:
        """The next part's message: the same shard and range, resuming at ``resume_index``."""
        fields = self.model_dump()
        fields.update(continuation=self.part + 1, resume_index=resume_index)
        return ShardMessage.model_validate(fields)

    def to_json_bytes(self) -> bytes:
        """The message's JSON; a shard's first message carries no continuation fields."""
        if self.continuation is None:
            return self.model_dump_json(exclude={"continuation", "resume_index"}).encode()
        return self.model_dump_json().encode()
