"""Numbers and tables on the terminal, one way for every command.

Numbers: a quantity has thousands separators and four significant digits (``1,234``, ``35.63``,
``0.4568``, ``0.1``); an identifier (point, shard, replicate, rank, seed) is printed plain, as it is typed
back (``--point 1234``); a share is a percentage (``45.2%``); a time is in seconds (``2.5 s``).

Tables fit the terminal: a table that is too wide first gets short column labels with a legend
under it, then wraps its text columns, and when even that does not fit it is printed as one
block of ``column  value`` lines per row, so nothing is ever cut to ``1,16…``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

IDENTIFIER = re.compile(r"(^|_)(index|id|ids|rank|replicate|seed|shard|point|attempt|part|parts)$")
"""Column names whose integers are identifiers, printed without separators."""


def quantity(value: float | int | None) -> str:
    """An amount: separators, at most four significant digits (integers in full)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    decimals = max(0, min(6, 3 - math.floor(math.log10(abs(value)))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def duration(seconds: float) -> str:
    """A span of time in the largest unit that keeps it readable: ``0.4 s``, ``12 s``, ``3.5 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def size(n_bytes: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{quantity(n_bytes / scale)} {unit}"
    return f"{int(n_bytes)} B"


def cell(value: object, column: str = "") -> str:
    """A value of a query answer as shown in a table: identifiers plain, quantities as above."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and IDENTIFIER.search(column):
        return str(value)
    if isinstance(value, int | float):
        return quantity(value)
    if isinstance(value, list):
        return " ".join(cell(v, column) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    numeric: bool = True
    """Right-aligned and never wrapped; a text column may wrap at spaces when space is short."""
    style: str | None = None
    short: str | None = None
    """A short label for narrow terminals (with a legend); ``None``: made up when needed."""


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    record_label: str = "",
) -> None:
    """``rows`` (already formatted) as a table that fits ``console``'s width, or as records headed
    by their first column (``record_label`` before it, e.g. "point")."""
    width = console.width
    table = _table(columns, rows, title, wrap=False)
    if _fits(console, table, width):
        console.print(table)
        return
    short = _shortened(columns, rows)
    if short is not None:
        table = _table(short, rows, title, wrap=False)
        if _fits(console, table, width):
            console.print(table)
            _legend(console, columns, short)
            return
    for candidate in (columns, short):
        if candidate is not None and any(not c.numeric for c in candidate):
            table = _table(candidate, rows, title, wrap=True)
            if _measure(console, table).minimum <= width:
                console.print(table)
                if candidate is short:
                    _legend(console, columns, short)
                return
    _records(console, columns, rows, title, record_label)


def _table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None, *, wrap: bool
) -> Table:
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, column in enumerate(columns):
        widest = max((len(row[i]) for row in rows), default=0)
        table.add_column(
            column.short or column.header,
            justify="right" if column.numeric else "left",
            style=column.style,
            no_wrap=column.numeric or not wrap,
            min_width=widest if column.numeric else None,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(Text(value) for value in row))
    return table


def _fits(console: Console, table: Table, width: int) -> bool:
    return _measure(console, table).maximum <= width


def _measure(console: Console, table: Table) -> Measurement:
    """The table's natural widths, not clamped to the console's."""
    return Measurement.get(console, console.options.update(max_width=100_000), table)


def _shortened(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[Column] | None:
    """Columns whose header is wider than their values get a short label; ``None``: none does."""
    shortened: list[Column] = []
    taken: set[str] = set()
    changed = False
    for i, column in enumerate(columns):
        widest = max((len(row[i]) for row in rows), default=0)
        if len(column.header) > max(widest, 4):
            label = column.short or _abbreviation(column.header, taken)
            taken.add(label)
            shortened.append(replace(column, short=label))
            changed = True
        else:
            shortened.append(replace(column, short=None))
    return shortened if changed else None


def _abbreviation(header: str, taken: set[str]) -> str:
    """``commission_rate`` → ``cr``, ``num_drivers`` → ``nd``; a digit added on a clash."""
    words = [w for w in re.split(r"[_\s]+", header) if w]
    base = "".join(w[0] for w in words) if len(words) > 1 else header[:3]
    label, n = base, 2
    while label in taken:
        label, n = f"{base}{n}", n + 1
    return label


def _legend(console: Console, columns: Sequence[Column], short: Sequence[Column]) -> None:
    pairs = [f"{s.short} = {c.header}" for c, s in zip(columns, short, strict=True) if s.short]
    console.print(Text("  " + "; ".join(pairs), style="dim"), soft_wrap=False)


def _records(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None, label: str
) -> None:
    """One block per row: its first column as a heading, then ``name value`` pairs, a long text on
    a line of its own; continuation lines are indented."""
    if title:
        console.print(Text(title, style="bold"))
    for row in rows:
        console.print(Text(f"{label} {row[0]}" if label else row[0], style="bold"))
        pairs = Text()
        texts: list[Text] = []
        for column, value in zip(columns[1:], row[1:], strict=True):
            if not value:
                continue
            if not column.numeric and len(value) > 30:
                shown = Text() if column.header == "description" else Text(f"{column.header} ", style="dim")
                texts.append(shown.append(value, style=column.style or ""))
                continue
            if pairs:
                pairs.append(" · ", style="dim")
            pairs.append(f"{column.header} ", style="dim")
            pairs.append(value, style=column.style or "")
        for text in [pairs, *texts]:
            for line in text.wrap(console, max(20, console.width - 2)):
                console.print(Text("  ") + line, soft_wrap=True)
