"""The consoles every command prints to: results on stdout, messages on stderr.

On a terminal, tables fit its width (entrypoints/cli/formatting.py); piped or captured, they get
160 columns.
"""

from __future__ import annotations

from rich.console import Console

console = Console()
if not console.is_terminal:  # piped or captured: room for the tables rather than 80 columns
    console = Console(width=160)
err_console = Console(stderr=True, soft_wrap=True)  # a message stays one line, however narrow
