"""The ``ridesweep`` command line: one Typer app, its commands gathered from one module per group.

A new command group is one module with a ``COMMANDS`` tuple, named once in ``COMMAND_GROUPS``;
every command is registered through ``with_exit_codes``, so its user errors exit with the codes of
``entrypoints.cli.exit_codes`` (documented there and in ``ridesweep --help``).
"""

from __future__ import annotations

import inspect
import os
import sys
from importlib import metadata
from typing import Annotated

import typer

from domain.simulation import SIMULATION_MODEL
from entrypoints.cli import analytics, operate, parameters, planning, queue, runs
from entrypoints.cli.exit_codes import EXIT_CODES_HELP, ExitCode, show_tracebacks, with_exit_codes

COMMAND_GROUPS = (runs, planning, operate, queue, analytics, parameters)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Parameter sweeps of a ride-hailing marketplace simulation.\n\n" + EXIT_CODES_HELP,
)
def unwrapped(text: str) -> str:
    """A docstring as help: its paragraphs, each on one line, for the terminal to wrap (the
    source's line breaks would otherwise cut sentences in the middle)."""
    paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def summary(text: str) -> str:
    """The first clause of a docstring, for the list of commands."""
    first = unwrapped(text).split("\n\n")[0]
    depth = 0
    for i, char in enumerate(first):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and first[i : i + 2] in (": ", "; ", ". ") and i >= 20:
            return first[:i].rstrip(".") + "."
    return first


for group in COMMAND_GROUPS:
    for command in group.COMMANDS:
        doc = command.__doc__ or ""
        app.command(help=unwrapped(doc), short_help=summary(doc))(with_exit_codes(command))


def version_line() -> str:
    try:
        version = metadata.version("ridesweep")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "(not installed)"
    return f"ridesweep {version}, simulation model {SIMULATION_MODEL}"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit(ExitCode.OK)


@app.callback()
def options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version and the simulation model, then exit.",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an error, print the traceback too; `run` also prints its log lines as they "
            "happen (so does LOG_LEVEL=DEBUG).",
        ),
    ] = False,
) -> None:
    """Options before the command: ``ridesweep --debug run ...``."""
    show_tracebacks.set(debug or os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
