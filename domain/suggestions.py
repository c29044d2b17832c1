"""'Did you mean ...?' for a name that is not known: the closest known names.

Close means difflib's similarity ratio of at least 0.6 (case ignored), keeping only the names about
as close as the best one (``num_driver`` suggests ``num_drivers``, not also ``num_riders``); a name
with no close match but contained in known ones (``surge``) suggests those.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
NEAR_BEST = 0.08


def closest(name: str, known: Iterable[str], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` known names close to ``name``, the closest first."""
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    folded = name.casefold()
    scored = sorted(
        ((difflib.SequenceMatcher(None, folded, c).ratio(), c) for c in by_folded),
        key=lambda item: (-item[0], item[1]),
    )
    if scored and scored[0][0] >= CUTOFF:
        best = scored[0][0]
        return [by_folded[c] for score, c in scored[:limit] if score >= max(CUTOFF, best - NEAR_BEST)]
    if len(folded) >= 3:
        containing = sorted((c for c in by_folded if folded in c), key=lambda c: (len(c), c))
        return [by_folded[c] for c in containing[:limit]]
    return []


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean 'num_drivers'?"`` (or two or three names), or ``""`` when none is close."""
    names = closest(name, known)
    if not names:
        return ""
    quoted = [repr(n) for n in names]
    choice = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {choice}?"
