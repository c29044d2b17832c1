"""Whether a process on this machine is working on a local run: a lock file per run.

Whoever executes a local run's shards holds a shared ``flock`` on a lock file of the run while it
does; the kernel drops the lock when the process ends, however it ends (Ctrl-C, kill -9, a crash).
``ridesweep status`` asks for the lock exclusively without waiting: refused means someone is
working on the run; granted means a ``running`` run is in fact stopped, waiting for its request to
be run again.

The lock files live in the temporary directory (``ridesweep-<uid>/<results directory's
hash>/<run_id>.lock``), not in the results directory, whose files are exactly the store's objects.
Without ``fcntl`` (not POSIX) nothing is known: ``is_worked_on`` answers ``None``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from entrypoints.settings import Settings

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

def _lock_path(settings: Settings, run_id: str) -> Path:
    results = hashlib.sha256(str(Path(settings.results_dir).resolve()).encode()).hexdigest()[:16]
    owner = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"ridesweep-{owner}" / results / f"{run_id}.lock"


@contextlib.contextmanager
def working_on(settings: Settings, run_ids: Sequence[str]) -> Iterator[None]:
    """Mark ``run_ids`` as worked on by this process for the block (local backend only)."""
    if settings.backend != "local" or fcntl is None or not run_ids:
        yield
        return
    with contextlib.ExitStack() as held:
        for run_id in run_ids:
            path = _lock_path(settings, run_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            held.callback(os.close, descriptor)
            fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield


def is_worked_on(settings: Settings, run_id: str) -> bool | None:
    """True while a process holds the run's lock; ``None`` when this cannot be known."""
    if settings.backend != "local" or fcntl is None:
        return None
    path = _lock_path(settings, run_id)
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
