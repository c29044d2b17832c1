"""Ctrl-C and SIGTERM while a command works: the first asks it to stop cleanly, the second quits.

Inside ``Interrupts(stop=..., quit=...)``, the first SIGINT or SIGTERM calls ``stop`` (which must
only set flags: it runs in a signal handler) and prints what happens next; a second one calls
``quit`` (kill the workers) and ends the process at once with exit code 130. Outside the block the
previous handlers are back.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from entrypoints.cli.exit_codes import ExitCode

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    def __init__(self, *, stop: Callable[[], None], quit: Callable[[], None], stopping_note: str) -> None:
        self._stop = stop
        self._quit = quit
        self._note = stopping_note
        self._previous: dict[int, Any] = {}
        self.count = 0

    @property
    def interrupted(self) -> bool:
        return self.count > 0

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            self._stop()
            _say(f"\n{signal.Signals(signum).name}: {self._note} (press Ctrl-C again to quit at once)")
            return
        self._quit()
        _say("interrupted again: quitting now; rerun the same command to resume")
        os._exit(ExitCode.INTERRUPTED)

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()


def _say(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
