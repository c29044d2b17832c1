"""The figures every drill reports, the comparison with a clean run, and the summary table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from application.results_codec import decode

# Outcome records describe one attempt: when it ran, how long it took and which receive it was.
# Everything else in them must equal what a clean run writes.
ATTEMPT_COLUMNS = ("started_at", "finished_at", "duration_ms", "attempt")
PARTS_COLUMN = "parts"
"""How many messages ran a shard: it depends on the invocations' time, as the attempt columns do,
when shards continue."""


@dataclass
class DrillFigures:
    drill: str
    inputs: int = 0  # requests, messages or values tried
    rejected: int = 0  # answered 4xx, or reported back as a failed record
    faults: int = 0  # transient errors injected
    duplicates: int = 0  # deliveries of a message beyond its first
    retried: int = 0  # shards delivered again after a failure, an expiry or a duplicate
    verified: int = 0  # objects checked equal to the clean run's, at the expected key
    lost: int = 0  # expected objects missing, or present with other content
    misplaced: int = 0  # objects at a key that should not exist (a duplicate under another key)
    server_errors: int = 0  # 5xx answers
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.misplaced == 0 and self.server_errors == 0


@dataclass(frozen=True, slots=True)
class Comparison:
    verified: int
    missing: tuple[str, ...]
    differing: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def lost(self) -> int:
        return len(self.missing) + len(self.differing)


def compare_with_clean_run(
    actual: Mapping[str, bytes],
    clean: Mapping[str, bytes],
    expected: set[str],
    ignored: tuple[str, ...] = ATTEMPT_COLUMNS,
) -> Comparison:
    """Every expected key present with the clean run's bytes; outcome records compared row by row
    on every column but ``ignored``."""
    missing = sorted(expected - actual.keys())
    unexpected = sorted(actual.keys() - expected)
    differing: list[str] = []
    verified = 0
    for key in sorted(expected & actual.keys()):
        if _same_object(key, actual[key], clean[key], ignored):
            verified += 1
        else:
            differing.append(key)
    return Comparison(verified, tuple(missing), tuple(differing), tuple(unexpected))


def _same_object(key: str, left: bytes, right: bytes, ignored: tuple[str, ...]) -> bool:
    if left == right:
        return True
    if "/dataset=shard_outcomes/" not in f"/{key}":
        return False
    return _without(left, ignored) == _without(right, ignored)


def _without(data: bytes, ignored: tuple[str, ...]) -> list[dict[str, object]]:
    table = decode(data)
    rows: list[dict[str, object]] = table.drop_columns(
        [c for c in ignored if c in table.column_names]
    ).to_pylist()
    return rows


COLUMNS = (
    ("drill", "drill"),
    ("inputs", "inputs"),
    ("rejected", "rejected"),
    ("faults", "faults"),
    ("duplicates", "dups"),
    ("retried", "retried"),
    ("verified", "verified"),
    ("lost", "lost"),
    ("misplaced", "misplaced"),
    ("server_errors", "5xx"),
    ("seconds", "s"),
)


def total(figures: Sequence[DrillFigures]) -> DrillFigures:
    summed = DrillFigures("total")
    for f in fields(DrillFigures):
        if f.name in ("drill", "notes"):
            continue
        setattr(summed, f.name, sum(getattr(x, f.name) for x in figures))
    return summed


def render_table(figures: Sequence[DrillFigures]) -> str:
    rows = [*figures, total(figures)]
    cells = [[title for _, title in COLUMNS]]
    for row in rows:
        cells.append(
            [
                f"{value:.1f}" if isinstance(value, float) else str(value)
                for value in (getattr(row, name) for name, _ in COLUMNS)
            ]
        )
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS))]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    rule = "  ".join("-" * w for w in widths)
    out = [line(cells[0]), rule, *(line(r) for r in cells[1:-1]), rule, line(cells[-1])]
    return "\n".join(out)


def summary_line(figures: Sequence[DrillFigures]) -> str:
    t = total(figures)
    return (
        f"drills: inputs={t.inputs} faults={t.faults} duplicates={t.duplicates} "
        f"verified={t.verified} lost={t.lost} misplaced={t.misplaced} 5xx={t.server_errors}"
    )
