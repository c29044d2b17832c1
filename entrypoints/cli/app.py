"""The ``ridesweep`` command line: one Typer app, its commands gathered from one module per group.

A new command group is one module with a ``COMMANDS`` tuple, named once in ``COMMAND_GROUPS``;
every command is registered through ``with_exit_codes``, so its user errors exit with the codes of
``entrypoints.cli.exit_codes`` (documented there and in ``ridesweep --help``).
"""

from __future__ import annotations

import sys

import typer

from entrypoints.cli import analytics, queue, runs
from entrypoints.cli.exit_codes import ExitCode, with_exit_codes

COMMAND_GROUPS = (runs, queue, analytics)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Parameter sweeps of a ride-hailing marketplace simulation.\n\n"
    "Exit codes: 0 done; 1 a shard failed or the run is unknown; 2 an invalid request, setting, "
    "flag or query; 3 the run id is taken by another request, or its run was planned under "
    "another simulation model; 4 storage, network, credentials or "
    "permissions failed (run again once fixed); 130 interrupted.",
)
for group in COMMAND_GROUPS:
    for command in group.COMMANDS:
        app.command()(with_exit_codes(command))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
