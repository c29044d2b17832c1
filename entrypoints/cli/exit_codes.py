"""Every exit code of ``ridesweep``, and the one mapping from the errors a user can meet to them.

- 0: done (every shard succeeded, or the command did what it says);
- 1: a shard failed for good (the output says which): the run ended ``partial`` or ``failed``;
- 2: an invalid request, setting, flag, file, run id, preset, query parameter or SQL statement (the
  message names it);
- 3: the run id is already taken by a different request, or its run was planned under another
  simulation model or was cancelled (submit under a new run id); for ``cancel``, the run has
  already ended;
- 4: the machine or AWS failed: disk, permissions, network, credentials, region, a missing bucket
  or queue (the message says what to fix; then run the same command again: finished shards are
  kept);
- 5: the run is not finished: shards are still to run (rerun to resume a local run) or running
  elsewhere;
- 70: a bug in ridesweep (``--debug`` prints the traceback to report);
- 130: interrupted (Ctrl-C or SIGTERM).

A command raises; ``with_exit_codes`` turns what it raised into one line on stderr, the cause then
the fix, and the code above, never a traceback (``--debug`` or ``LOG_LEVEL=DEBUG`` add it).
A new kind of user error gets its code here, in ``failure_of``.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from typing import ParamSpec, TypeVar

import typer
from rich.text import Text

from application.analytics.query_pack import QueryParameterError
from domain.cancellation import CorruptCancellation
from domain.errors import (
    InvalidRunId,
    MalformedJson,
    RequestValidationError,
    RunAlreadyEnded,
    RunCancelled,
    RunConflict,
    RunModelChanged,
    RunNotFound,
)
from domain.manifest import CorruptManifest
from entrypoints.cli.console import err_console
from entrypoints.cli.diagnoses import Where, diagnose
from entrypoints.settings import SettingsError
from ports.run_logs import LogsUnavailable
from ports.run_queries import QueryFailed

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    INVALID = 2
    CONFLICT = 3
    ENVIRONMENT = 4
    INCOMPLETE = 5
    BUG = 70
    INTERRUPTED = 130


EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 a shard failed; 2 an invalid request, setting, flag, file, run id or "
    "query; 3 the run id is taken by another request, or its run was planned under another "
    "simulation model or was cancelled (cancel: the run has already ended); 4 the machine or "
    "AWS failed (disk, permissions, network, credentials, region, a missing bucket or queue: fix "
    "it, then run again); 5 the run is not finished (rerun to resume); 70 a bug (--debug shows "
    "the traceback); 130 interrupted."
)


class UsageError(Exception):
    """Flags or arguments that do not go together; the message says how to call the command."""


command_where: ContextVar[Where | None] = ContextVar("command_where", default=None)
"""What the current command works on (set by the settings loader), for the messages."""
show_tracebacks: ContextVar[bool] = ContextVar("show_tracebacks", default=False)
"""``--debug`` or ``LOG_LEVEL=DEBUG``: print an error's traceback before its line."""


@dataclass(frozen=True, slots=True)
class Failure:
    code: ExitCode
    label: str
    message: str
    details: tuple[str, ...] = ()


def failure_of(exc: BaseException) -> Failure | None:
    """The exit code and message of an error a user can meet; ``None`` for a bug."""
    if isinstance(exc, RequestValidationError):
        return Failure(ExitCode.INVALID, "invalid request", "", tuple(d.render() for d in exc.details))
    if isinstance(exc, SettingsError):
        return Failure(ExitCode.INVALID, "error", f"{exc}: fix the environment variable or pass the flag")
    if isinstance(exc, QueryFailed):
        return Failure(ExitCode.INVALID, "error", f"query failed: {exc}")
    if isinstance(exc, UsageError | MalformedJson | QueryParameterError | NotImplementedError | InvalidRunId):
        return Failure(ExitCode.INVALID, "error", str(exc))
    if isinstance(exc, RunConflict | RunModelChanged | RunCancelled | RunAlreadyEnded):
        return Failure(ExitCode.CONFLICT, "conflict", str(exc))
    where = command_where.get() or Where()
    if isinstance(exc, RunNotFound):
        place = where.results if where.bucket is None else f"s3://{where.bucket}"
        under = f" under {place}" if place else ""
        return Failure(
            ExitCode.INVALID, "error", f"{exc}{under}: check the run id, or --results / --backend"
        )
    if isinstance(exc, CorruptManifest):
        return Failure(
            ExitCode.ENVIRONMENT,
            "error",
            f"{exc}: the results store holds a damaged manifest; restore or delete the run's "
            "runs/run_id=… directory, then submit again",
        )
    if isinstance(exc, CorruptCancellation):
        return Failure(
            ExitCode.ENVIRONMENT,
            "error",
            f"{exc}: the results store holds a damaged cancellation marker; restore the run's "
            "runs/run_id=…/cancelled.json from its bucket's versions, or delete it to resume the run",
        )
    if isinstance(exc, LogsUnavailable):
        return Failure(ExitCode.ENVIRONMENT, "error", str(exc))
    diagnosis = diagnose(exc, where)
    if diagnosis is not None:
        return Failure(ExitCode.ENVIRONMENT, "error", diagnosis.line())
    return None


def with_exit_codes(command: Callable[P, R]) -> Callable[P, R]:
    """``command`` with every error it raises printed as one line and turned into its exit code."""

    @functools.wraps(command)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:  # outside a run's own handler (entrypoints/cli/interrupts.py)
            err_console.print("interrupted", highlight=False)
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if show_tracebacks.get():
                traceback.print_exception(exc)
            failure = failure_of(exc) or Failure(
                ExitCode.BUG,
                "internal error",
                f"{type(exc).__name__}: {_first_line(exc)}. This is a bug in ridesweep: run the "
                "command again with --debug and report the traceback",
            )
            report(failure)
            raise typer.Exit(failure.code) from None

    return checked


def report(failure: Failure) -> None:
    """One line; a request with several faults gets its label, then one line per fault."""
    if not failure.message and len(failure.details) == 1:
        err_console.print(f"[red]{failure.label}:[/red]", Text(failure.details[0]), highlight=False)
        return
    err_console.print(f"[red]{failure.label}:[/red]", Text(failure.message), highlight=False)
    for detail in failure.details:
        err_console.print(Text(f"  • {detail}"), highlight=False)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else "(no message)"
