"""`ridesweep query` and `ridesweep report`: the query pack and the run report, on DuckDB.

Both call the analytics use case on the local results directory or (``--backend aws``) the results
bucket; the SQL is the same the Athena tables run.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from application.analytics.query_pack import MAX_TOP_N, PRESETS, ParameterValue
from domain.contract import check_run_id
from entrypoints.cli.console import console
from entrypoints.cli.exit_codes import UsageError
from entrypoints.cli.formatting import IDENTIFIER, Column, cell, print_table, quantities
from entrypoints.cli.options import (
    BackendOption,
    BucketOption,
    CliBackend,
    PrefixOption,
    ResultsOption,
    backend_settings,
)
from entrypoints.container import build_container
from ports.run_queries import QueryResult

if TYPE_CHECKING:
    from application.analytics.run_analytics import RunAnalytics

OutputFormat = Literal["table", "csv", "json"]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any, column: str = "") -> str:
    if column.endswith("_json") and isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(parsed, dict):
            return " ".join(f"{k}={_cell(v)}" for k, v in parsed.items())
    if isinstance(value, decimal.Decimal | dt.datetime | dt.date):
        value = _plain(value)
    return cell(value, column)


def format_rows(result: QueryResult, output: OutputFormat) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in result.rows]
    if output == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in rows:
        writer.writerow(
            json.dumps(v) if isinstance(v, list) else ("" if v is None else v) for v in row.values()
        )
    return buffer.getvalue().rstrip("\n")


def _print_table(result: QueryResult, title: str) -> None:
    numeric = {name: _numeric(result, name) for name in result.columns}
    columns = [Column(name, numeric=numeric[name]) for name in result.columns]
    cells = [_column(result, name, numeric[name]) for name in result.columns]
    rows = [list(row) for row in zip(*cells, strict=True)]
    print_table(console, columns, rows, title=title)
    console.print(f"{len(result.rows):,} row(s)")


def _column(result: QueryResult, name: str, numeric: bool) -> list[str]:
    """A column's cells: amounts with one number of decimals per column, identifiers plain."""
    values = [row[name] for row in result.rows]
    if numeric and not IDENTIFIER.search(name):
        return quantities([_plain(v) if isinstance(v, decimal.Decimal) else v for v in values])
    return [_cell(v, name) for v in values]


def _numeric(result: QueryResult, column: str) -> bool:
    return all(
        isinstance(row[column], int | float | decimal.Decimal) or row[column] is None for row in result.rows
    )


def _open_run(
    run_id: str,
    backend: CliBackend | None,
    results: Path | None,
    bucket: str | None = None,
    prefix: str | None = None,
) -> tuple[RunAnalytics, Path]:
    check_run_id(run_id)
    settings = backend_settings(
        backend, results=results, needs=("results_bucket",), bucket=bucket, prefix=prefix
    )
    opened: RunAnalytics = build_container(settings).open_run_analytics(run_id)
    return opened, Path(settings.results_dir)


def query(
    run: Annotated[str, typer.Option("--run", help="The run id.", show_default=False)],
    preset: Annotated[
        str | None,
        typer.Argument(help=f"One of: {', '.join(PRESETS)} (omit with --sql).", show_default=False),
    ] = None,
    results: ResultsOption = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    sql: Annotated[
        str | None,
        typer.Option(help="Run this SQL instead of a preset (tables as in Athena; :run_id etc.)."),
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = "table",
    point: Annotated[int, typer.Option(help=":point_index of trip-snapshots and snapshot-bands.")] = 0,
    replicate: Annotated[int, typer.Option(help=":replicate of trip-snapshots.")] = 0,
    top: Annotated[int, typer.Option(help=":top_n of health-ranking.")] = 20,
) -> None:
    """Run a preset of the query pack (or --sql) over one run's results with DuckDB."""
    if (preset is None) == (sql is None):
        raise UsageError("give either a PRESET or --sql")
    values: dict[str, ParameterValue] = {"point_index": point, "replicate": replicate, "top_n": top}
    opened, _ = _open_run(run, backend, results, bucket, prefix)
    with opened as run_tables:
        answer = run_tables.sql(sql, values) if sql is not None else run_tables.preset(preset or "", values)
    if output_format == "table":
        _print_table(answer, f"{preset or 'sql'} · run {run}")
    else:
        typer.echo(format_rows(answer, output_format))


def report(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    results: ResultsOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Directory of the HTML file (default: <results>/reports).")
    ] = None,
    backend: BackendOption = None,
    bucket: BucketOption = None,
    prefix: PrefixOption = None,
    top: Annotated[int, typer.Option(min=1, max=MAX_TOP_N, help="Points in the ranking table.")] = 10,
) -> None:
    """Write one self-contained HTML page: heat maps, health ranking, time series, coverage."""
    from application.analytics.report_data import gather_report
    from entrypoints.cli.report_page import HEATMAP_METRICS, render_report

    opened, results_dir = _open_run(run_id, backend, results, bucket, prefix)
    with opened as run_tables:
        data = gather_report(run_tables, HEATMAP_METRICS)
    directory = out if out is not None else results_dir / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"report-{run_id}.html"
    page = render_report(data, top=top)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:  # a full disk: no half-written page, and a message that names it
        path.unlink(missing_ok=True)
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    typer.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


COMMANDS = (query, report)
