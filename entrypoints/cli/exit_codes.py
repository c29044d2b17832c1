"""Every exit code of ``ridesweep``, and the one mapping from the errors a user can meet to them.

- 0: done (every shard succeeded, or the command did what it says);
- 1: a shard failed (the output says which), or the run is unknown;
- 2: an invalid request, setting, flag, preset, query parameter or SQL statement (the message
  names it);
- 3: the run id is already taken by a different request, or its run was planned under another
  simulation model (submit under a new run id);
- 4: the machine or AWS failed: storage, network, credentials, permissions (run the command again
  once fixed: finished shards are kept);
- 130: interrupted (Ctrl-C).

A command raises; ``with_exit_codes`` turns what it raised into one line on stderr and the code
above, never a traceback. A new kind of user error gets its code here, in ``failure_of``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from typing import ParamSpec, TypeVar

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.text import Text

from application.analytics.query_pack import QueryParameterError
from domain.errors import (
    MalformedJson,
    RequestValidationError,
    RunConflict,
    RunModelChanged,
    RunNotFound,
)
from domain.manifest import CorruptManifest
from entrypoints.cli.console import err_console
from entrypoints.settings import SettingsError
from ports.errors import TransientError
from ports.run_queries import QueryFailed

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    INVALID = 2
    CONFLICT = 3
    ENVIRONMENT = 4
    INTERRUPTED = 130


class UsageError(Exception):
    """Flags or arguments that do not go together; the message says how to call the command."""


results_location: ContextVar[str | None] = ContextVar("results_location", default=None)
"""Where the current command reads results (set by the settings loader), for "unknown run" messages."""


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
        return Failure(ExitCode.INVALID, "error", f"{exc} (or pass the matching flag)")
    if isinstance(exc, QueryFailed):
        return Failure(ExitCode.INVALID, "error", f"query failed: {exc}")
    if isinstance(exc, UsageError | MalformedJson | QueryParameterError | NotImplementedError):
        return Failure(ExitCode.INVALID, "error", str(exc))
    if isinstance(exc, RunConflict | RunModelChanged):
        return Failure(ExitCode.CONFLICT, "conflict", str(exc))
    if isinstance(exc, RunNotFound):
        where = results_location.get()
        return Failure(ExitCode.FAILED, "error", f"{exc} under {where}" if where else str(exc))
    if isinstance(
        exc, TransientError | OSError | BotoCoreError | ClientError | BrokenProcessPool | CorruptManifest
    ):
        return Failure(
            ExitCode.ENVIRONMENT,
            "error",
            f"{type(exc).__name__}: {exc}\nRun the same command again once this is fixed: "
            "finished shards are kept.",
        )
    return None


def with_exit_codes(command: Callable[P, R]) -> Callable[P, R]:
    """``command`` with every user error it raises printed and turned into its exit code."""

    @functools.wraps(command)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            report(failure)
            raise typer.Exit(failure.code) from None

    return checked


def report(failure: Failure) -> None:
    err_console.print(f"[red]{failure.label}:[/red]", Text(failure.message), highlight=False)
    for detail in failure.details:
        err_console.print(Text(f"  • {detail}"), highlight=False)
