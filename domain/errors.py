"""Typed domain errors; each entrypoint maps them to an HTTP status or exit code in one place."""

from __future__ import annotations

from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    loc: Loc
    msg: str

    def render(self) -> str:
        where = render_loc(self.loc)
        return f"{where}: {self.msg}" if where else self.msg

    def as_dict(self) -> dict[str, object]:
        return {"loc": list(self.loc), "msg": self.msg}


def render_loc(loc: Loc) -> str:
    """``("dimensions", "num_drivers", 1)`` → ``dimensions.num_drivers[1]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class RequestValidationError(DomainError):
    """The sweep request breaks a rule of the contract; nothing may be written or enqueued."""

    def __init__(self, details: list[ErrorDetail]) -> None:
        self.details = details
        super().__init__("; ".join(d.render() for d in details))


class MalformedJson(DomainError):
    """The request body is not parseable JSON."""


class RequestTooLarge(DomainError):
    """The request body exceeds the size the contract allows."""


class RunConflict(DomainError):
    """The run id is taken by a request with another fingerprint."""

    def __init__(self, run_id: str, existing_fingerprint: str, new_fingerprint: str) -> None:
        self.run_id = run_id
        self.existing_fingerprint = existing_fingerprint
        self.new_fingerprint = new_fingerprint
        super().__init__(
            f"run_id {run_id!r} was already accepted with a different request "
            f"(request_fingerprint {existing_fingerprint[:12]}…, this one {new_fingerprint[:12]}…); "
            "choose a new run_id or resend the original request"
        )


class RunModelChanged(DomainError):
    """The run id names a run planned under another simulation model than this deployment's.

    A run is never completed with two models, so its pending shards cannot be resumed here.
    """

    def __init__(self, run_id: str, run_model: int, deployment_model: int) -> None:
        self.run_id = run_id
        self.run_model = run_model
        self.deployment_model = deployment_model
        super().__init__(
            f"run_id {run_id!r} was planned under simulation model {run_model}, and this "
            f"deployment runs model {deployment_model}; a run is never completed with two models, "
            f"so nothing was resumed. Its results so far stay readable; to run the sweep under "
            f"model {deployment_model}, submit it with a new run_id"
        )


class RunNotFound(DomainError):
    def __init__(self, run_id: str, message: str | None = None) -> None:
        self.run_id = run_id
        super().__init__(message or f"no run with run_id {run_id!r}")


class InvalidRunId(RunNotFound):
    """A run id that breaks the rule of run ids (docs/contract.md §1): no run can have it. A
    ``RunNotFound``, so a lookup by such an id answers as for an unknown run, with a message that
    names the rule instead of sending the user to look for the run."""

    def __init__(self, run_id: str, rule: str) -> None:
        super().__init__(run_id, f"{run_id!r} is not a valid run id: a run id {rule}")


class MalformedShardMessage(DomainError):
    """A queue message that is not a valid shard message (truncated, edited, foreign)."""


class ShardFailure(DomainError):
    """A deterministic failure of a shard: retrying cannot help, so it is recorded and acknowledged."""

    def __init__(self, error_code: str, message: str) -> None:
        self.error_code = error_code
        super().__init__(message)


class RunCancelled(DomainError):
    """The run id names a run that was cancelled: it is never resumed, so nothing is enqueued."""

    def __init__(self, run_id: str, cancelled_at: str) -> None:
        self.run_id = run_id
        self.cancelled_at = cancelled_at
        super().__init__(
            f"run_id {run_id!r} was cancelled at {cancelled_at} and a cancelled run is never "
            "resumed; nothing was enqueued. Its results so far stay readable; to run the sweep "
            "again, submit it with a new run_id"
        )


class RunAlreadyEnded(DomainError):
    """A cancel of a run whose every shard has already ended: there is nothing left to stop."""

    def __init__(self, run_id: str, state: str) -> None:
        self.run_id = run_id
        self.state = state
        super().__init__(
            f"run_id {run_id!r} has already ended ({state}): every shard has an outcome, so "
            "there is nothing to cancel and nothing was written"
        )
