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


def quantities(values: Sequence[float | int | None]) -> list[str]:
    """A column of amounts with one number of decimals: four significant digits of the largest
    (``520.0`` beside ``680.9``, not ``520``), none when every value is whole."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if all(v.is_integer() for v in finite):
        decimals = 0
    else:
        largest = max(abs(v) for v in finite) or 1.0
        decimals = max(0, min(6, 3 - math.floor(math.log10(largest))))
    return [_fixed(v, decimals) for v in values]


def _fixed(value: float | int | None, decimals: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not math.isfinite(float(value)):
        return quantity(value)
    return f"{value:,.{decimals}f}"


def plural(count: int, noun: str) -> str:
    """``1 shard``, ``2 shards``, ``1,000 shards``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


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
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
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
    full = [replace(column, short=None) for column in columns]
    table = _table(full, rows, title, wrap=False)
    if _fits(console, table, width):
        console.print(table)
        return
    short = list(full)
    for i in _abbreviation_order(columns, rows):  # the headers that overhang their values most first
        short[i] = replace(columns[i], short=columns[i].short or _abbreviation(columns[i].header, short))
        table = _table(short, rows, title, wrap=False)
        if _fits(console, table, width):
            console.print(table)
            _legend(console, columns, short)
            return
    for candidate in (full, short):
        if any(not c.numeric for c in candidate):
            table = _table(candidate, rows, title, wrap=True)
            if _measure(console, table).minimum <= width:
                console.print(table)
                _legend(console, columns, candidate)
                return
    _records(console, columns, rows, title, record_label)


def _abbreviation_order(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int]:
    """Columns whose header is wider than their widest value (and than 5 characters), the most
    overhanging first."""
    overhang = {}
    for i, column in enumerate(columns):
        widest = max((len(row[i]) for row in rows), default=0)
        label = column.short or ""
        saved = len(column.header) - max(widest, len(label) or 2)
        if len(column.header) > 5 and saved > 0:
            overhang[i] = saved
    return sorted(overhang, key=lambda i: -overhang[i])


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


def _abbreviation(header: str, columns: Sequence[Column]) -> str:
    """``commission_rate`` → ``cr``, ``num_drivers`` → ``nd``; a digit added on a clash."""
    taken = {c.short or c.header for c in columns}
    words = [w for w in re.split(r"[_\s]+", header) if w]
    base = "".join(w[0] for w in words) if len(words) > 1 else header[:4]
    label, n = base, 2
    while label in taken:
        label, n = f"{base}{n}", n + 1
    return label


def _legend(console: Console, columns: Sequence[Column], shown: Sequence[Column]) -> None:
    pairs = [f"{s.short} = {c.header}" for c, s in zip(columns, shown, strict=True) if s.short]
    if pairs:
        console.print(Text("  " + "; ".join(pairs), style="dim"))


def _records(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None, label: str
) -> None:
    """One block per row: its first column as a heading, then ``name value`` pairs, a long text on
    a line of its own; continuation lines are indented."""
    if title:
        console.print(Text(title, style="bold"))
    room = max(20, console.width - 2)
    for row in rows:
        console.print(Text(f"{label} {row[0]}" if label else row[0], style="bold"))
        lines: list[Text] = [Text()]
        texts: list[Text] = []
        for column, value in zip(columns[1:], row[1:], strict=True):
            if not value:
                continue
            if not column.numeric and len(value) > 30:
                shown = Text() if column.header == "description" else Text(f"{column.header} ", style="dim")
                texts.append(shown.append(value, style=column.style or ""))
                continue
            pair = Text(f"{column.header} ", style="dim").append(value, style=column.style or "")
            line = lines[-1]
            if line and len(line) + 3 + len(pair) > room:
                lines.append(Text())
                line = lines[-1]
            if line:
                line.append(" · ", style="dim")
            line.append_text(pair)
        for text in [line for line in lines if line] + texts:
            for wrapped in text.wrap(console, room):
                console.print(Text("  ") + wrapped, soft_wrap=True)


def print_pairs(console: Console, pairs: Sequence[tuple[str, str]], *, indent: int = 2) -> None:
    """``name  value`` lines, the names aligned and long values wrapped under themselves."""
    width = max((len(name) for name, _ in pairs), default=0)
    room = console.width - indent - width - 2
    for name, value in pairs:
        if room < 24:  # too narrow to align: the value under its name
            console.print(Text(" " * indent + name, style="dim"))
            for line in Text(value).wrap(console, max(10, console.width - indent - 2)):
                console.print(Text(" " * (indent + 2)) + line, soft_wrap=True)
            continue
        for i, line in enumerate(Text(value).wrap(console, room)):
            label = Text(" " * indent + f"{name if i == 0 else '':<{width}}  ", style="dim")
            console.print(label + line, soft_wrap=True)
