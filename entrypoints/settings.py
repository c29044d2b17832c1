"""Deployment settings (docs/contract.md §6), read once from the environment and validated at start-up.

``from_env`` is the one loader: the Lambda runtime calls it as is, the CLI with its flags as
overrides and with the settings its command needs (a status read needs the bucket, not the queue).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.contract import Limits
from domain.storage_keys import StorageKeys

Backend = Literal["memory", "local", "aws"]
Need = Literal["shard_queue_url", "dead_letter_queue_url", "results_bucket"]
RUNTIME_NEEDS: Mapping[Backend, tuple[Need, ...]] = {
    "memory": (),
    "local": (),
    "aws": ("shard_queue_url", "results_bucket"),
}


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    backend: Backend = Field("local", alias="SWEEP_BACKEND")
    shard_queue_url: str | None = Field(None, alias="SHARD_QUEUE_URL")
    dead_letter_queue_url: str | None = Field(None, alias="SHARD_DLQ_URL")
    results_bucket: str | None = Field(None, alias="SWEEP_RESULTS_BUCKET")
    results_prefix: str = Field("sweeps", alias="SWEEP_RESULTS_PREFIX")
    results_dir: str = Field("results", alias="SWEEP_RESULTS_DIR")
    max_shards: int = Field(1000, alias="MAX_SHARDS", ge=1, le=100_000)
    max_total_points: int = Field(1_000_000, alias="MAX_TOTAL_POINTS", ge=1, le=10**9)
    allow_failure_injection: bool = Field(True, alias="ALLOW_FAILURE_INJECTION")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")
    shard_deadline_seconds: float | None = Field(
        None, alias="SHARD_DEADLINE_SECONDS", gt=0, le=7 * 24 * 3600
    )
    """The longest a worker runs one shard message before it continues the rest in another."""
    worker_memory_mb: int | None = Field(None, alias="WORKER_MEMORY_MB", ge=128, le=1_048_576)
    """A worker's memory budget (on Lambda, its configured memory also counts; the lower wins)."""
    worker_timeout_seconds: int = Field(300, alias="WORKER_TIMEOUT_SECONDS", ge=1, le=900)
    """The worker Lambda's timeout: what the plan warns against (docs/contract.md §4)."""
    runtime_log_group: str = Field("/aws/lambda/ridesweep-runtime", alias="RUNTIME_LOG_GROUP")
    """The runtime's CloudWatch log group, where `ridesweep logs --backend aws` reads a run's story."""
    logs_query_seconds: float = Field(60.0, alias="LOGS_QUERY_TIMEOUT_SECONDS", ge=1, le=900)
    """How long `ridesweep logs --backend aws` waits for its Logs Insights query."""
    cancel_check_seconds: float = Field(1.0, alias="CANCEL_CHECK_SECONDS", ge=0, le=60)
    """How often, at most, a running shard looks for its run's cancellation marker."""
    max_receive_count: int = Field(5, alias="SHARD_MAX_RECEIVE_COUNT", ge=1, le=1000)
    """The shard queue's maxReceiveCount: a transient failure on that receive is the last one
    before the dead-letter queue (logged as ``shard_dead_lettered``)."""

    @model_validator(mode="after")
    def _prefix_makes_keys(self) -> Settings:
        try:
            StorageKeys(self.results_prefix)  # a prefix with '..' segments fails here, not at a write
        except ValueError as exc:
            raise ValueError(f"SWEEP_RESULTS_PREFIX={self.results_prefix!r}: {exc}") from None
        return self

    @classmethod
    def env_names(cls) -> set[str]:
        return {f.alias for f in cls.model_fields.values() if f.alias}

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        overrides: Mapping[str, str | None] | None = None,
        needs: Iterable[Need] | None = None,
    ) -> Settings:
        """The settings of ``environ`` (default: the process environment), some replaced by
        ``overrides`` (by field name; ``None`` keeps the environment's value), validated as a whole.

        ``needs``: the optional settings that must be set (default: what the backend's deployed
        runtime needs: the queue and the bucket for ``aws``); a missing one is named.
        """
        env = dict(os.environ if environ is None else environ)
        for name, value in (overrides or {}).items():
            if value is not None:
                env[cls.alias_of(name)] = value
        values = {name: env[name] for name in cls.env_names() if name in env}
        if "LOG_LEVEL" in values:
            values["LOG_LEVEL"] = values["LOG_LEVEL"].upper()
        try:
            settings = cls.model_validate(values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None
        required = RUNTIME_NEEDS[settings.backend] if needs is None else tuple(needs)
        missing = [cls.alias_of(name) for name in required if not getattr(settings, name)]
        if missing:
            who = f"SWEEP_BACKEND={settings.backend}" if needs is None else "this command"
            raise SettingsError(f"{who} needs {' and '.join(missing)} to be set")
        return settings

    @classmethod
    def alias_of(cls, name: str) -> str:
        alias = cls.model_fields[name].alias
        assert alias is not None, name
        return alias

    @property
    def limits(self) -> Limits:
        return Limits(
            max_shards=self.max_shards,
            max_total_points=self.max_total_points,
            allow_failure_injection=self.allow_failure_injection,
        )

    @property
    def invocation_seconds(self) -> float:
        """The time one worker invocation has for a shard message: the Lambda's timeout, or the
        shard deadline when it is shorter."""
        timeout = float(self.worker_timeout_seconds)
        deadline = self.shard_deadline_seconds
        return timeout if deadline is None else min(timeout, deadline)

    @property
    def run_log_dir(self) -> str | None:
        """Where the local backend appends each run's log lines (``<results>/logs``); elsewhere
        the logs go to stderr (CloudWatch Logs, on Lambda)."""
        return os.path.join(self.results_dir, "logs") if self.backend == "local" else None

    @property
    def keys(self) -> StorageKeys:
        return StorageKeys(self.results_prefix)


def _describe(exc: ValidationError) -> str:
    """One clause per invalid setting: its name, the value given and what it must be."""
    problems = []
    for err in exc.errors(include_url=False):
        name = ".".join(str(p) for p in err["loc"])
        if not name:  # a rule over several settings: its message names them
            problems.append(err["msg"].removeprefix("Value error, "))
            continue
        given = err.get("input")
        shown = f"{name}={given!r}" if isinstance(given, str) else name
        problems.append(f"{shown}: {_rule(name, err)}")
    return "invalid setting " + "; ".join(problems)


def _rule(name: str, err: Any) -> str:
    kind = err["type"]
    if kind == "literal_error":
        choices = [c.strip().strip("'") for c in err["ctx"]["expected"].replace(" or ", ", ").split(",")]
        close = difflib.get_close_matches(str(err.get("input", "")).lower(), [c.lower() for c in choices], 1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"must be one of {', '.join(choices)}{hint}"
    if kind in ("int_parsing", "int_type", "greater_than_equal", "less_than_equal", "int_from_float"):
        low, high = _bounds(name)
        return f"must be a whole number from {low:,} to {high:,}"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    return str(err["msg"]).removeprefix("Value error, ")


def _bounds(alias: str) -> tuple[int, int]:
    field = next(f for f in Settings.model_fields.values() if f.alias == alias)
    low = next((int(m.ge) for m in field.metadata if hasattr(m, "ge")), 0)
    high = next((int(m.le) for m in field.metadata if hasattr(m, "le")), 2**63 - 1)
    return low, high
