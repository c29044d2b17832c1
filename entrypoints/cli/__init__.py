"""The ``ridesweep`` command line (``entrypoints.cli.app``)."""

from entrypoints.cli.app import app, main

__all__ = ["app", "main"]
