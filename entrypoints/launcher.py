"""The ``ridesweep`` console script. It looks at the arguments before importing the CLI: a local
``run`` that will use worker processes starts their forkserver first, so the workers' imports
(about a second) overlap the command's own start-up instead of following it. It lives outside
``entrypoints.cli`` because importing that package imports the whole CLI.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> None:
    try:
        if wants_workers(sys.argv[1:], os.environ):
            from entrypoints.forkserver import warm_up

            warm_up()
        from entrypoints.cli.app import main as run_command
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: nothing was done yet
        sys.stderr.write("interrupted before the command started: nothing was done\n")
        sys.exit(130)  # ExitCode.INTERRUPTED, without importing the CLI for it
    run_command()


def wants_workers(argv: list[str], environ: Any) -> bool:
    """Whether these arguments are a ``run`` on the local backend with more than one worker (a
    guess from the arguments alone: a wrong guess costs a second of one core, never a result)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] != "run":
        return False
    backend = environ.get("SWEEP_BACKEND", "local")
    workers = None
    for i, arg in enumerate(argv):
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if arg.startswith("--backend="):
            backend = arg.split("=", 1)[1]
        elif arg == "--backend":
            backend = value
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg == "--workers":
            workers = value
    if backend != "local":
        return False
    if workers is not None:
        return workers.isdigit() and int(workers) > 1
    from entrypoints.forkserver import usable_cores

    return usable_cores() > 1

