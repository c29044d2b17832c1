"""Commands of the `ridesweep` CLI registered by this module (see `register`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
