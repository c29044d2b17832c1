"""`ridesweep query` and `ridesweep report`: the query pack and the run report, on DuckDB.

Both read one run's Parquet objects through a pyarrow filesystem: the local results directory, or
the results bucket on S3 (`--backend aws`; pyarrow's S3 filesystem, with the endpoint override of
AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, as boto3 has it). The SQL is the same the Athena tables run.

Exit codes: 0 success; 1 the run is unknown; 2 an invalid preset, parameter, setting or SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

import typer

from application.analytics.query_pack import (
    MAX_TOP_N,
    PRESETS,
    ParameterValue,
    QueryParameterError,
    load_preset,
    render,
)
from application.analytics.run_tables import run_date_from_manifest, run_tables
from domain.contract import RUN_ID_RULE, is_valid_run_id
from domain.errors import RunNotFound
from entrypoints.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.fs as pafs

    from adapters.duckdb_query import DuckDbQueries

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
QueryBackend = Literal["local", "aws"]
OutputFormat = Literal["table", "csv", "json"]


class AnalyticsSetupError(Exception):
    """The results cannot be reached with the given settings; the message says which one."""


def s3_filesystem(settings: Settings, environ: Mapping[str, str] | None = None) -> pafs.FileSystem:
    import pyarrow.fs as pafs

    env = os.environ if environ is None else environ
    options: dict[str, Any] = {}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options.update(endpoint_override=parts.netloc, scheme=parts.scheme)
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not region and not endpoint and settings.results_bucket:
        region = pafs.resolve_s3_region(settings.results_bucket)
    if region:
        options["region"] = region
    return pafs.S3FileSystem(**options)


def results_location(settings: Settings, backend: QueryBackend) -> tuple[pafs.FileSystem, str]:
    """The filesystem and the root that the store's keys are relative to."""
    import pyarrow.fs as pafs

    if backend == "aws":
        if not settings.results_bucket:
            raise AnalyticsSetupError("--backend aws needs SWEEP_RESULTS_BUCKET to be set")
        return s3_filesystem(settings), settings.results_bucket
    return pafs.LocalFileSystem(), Path(settings.results_dir).resolve().as_posix()


def open_run(run_id: str, settings: Settings, backend: QueryBackend = "local") -> DuckDbQueries:
    """DuckDB with the six tables of one run; raises ``RunNotFound`` for a run without manifest."""
    from adapters.duckdb_query import DuckDbQueries, ParquetTable, read_object

    if not is_valid_run_id(run_id):
        raise QueryParameterError(f"run id {RUN_ID_RULE}, got {run_id!r}")
    filesystem, root = results_location(settings, backend)
    keys = settings.keys
    manifest = read_object(filesystem, f"{root}/{keys.manifest(run_id)}")
    if manifest is None:
        raise RunNotFound(run_id)
    run_date = run_date_from_manifest(manifest)
    tables = [
        ParquetTable(
            name=t.name,
            directory=f"{root}/{t.key_prefix.rstrip('/')}",
            schema=t.schema,
            constants=t.constants,
            path_keys=t.path_keys,
        )
        for t in run_tables(keys, run_date, run_id)
    ]
    return DuckDbQueries(filesystem, tables)


def run_preset(
    queries: DuckDbQueries, name: str, values: Mapping[str, ParameterValue]
) -> pa.Table:
    return queries.query(render(load_preset(name), values))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any, column: str = "") -> str:
    if value is None:
        return ""
    if column.endswith("_json") and isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(parsed, dict):
            return " ".join(f"{k}={json.dumps(v).strip(chr(34))}" for k, v in parsed.items())
    if isinstance(value, list):
        return " ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:.6g}"
    return str(_plain(value))


def format_rows(table: pa.Table, output: OutputFormat) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    if output == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in rows:
        writer.writerow(
            json.dumps(v) if isinstance(v, list) else ("" if v is None else v) for v in row.values()
        )
    return buffer.getvalue().rstrip("\n")


def _print_table(table: pa.Table, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if Console().is_terminal else Console(width=200)
    shown = Table(title=title, header_style="bold")
    for name in table.column_names:
        shown.add_column(name, overflow="fold")
    for row in table.to_pylist():
        shown.add_row(*(_cell(v, k) for k, v in row.items()))
    console.print(shown)
    console.print(f"{table.num_rows} row(s)")


def _fail(message: str, code: int) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _settings(results: Path | None) -> Settings:
    from entrypoints.settings import SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise _fail(str(exc), EXIT_INVALID) from None
    return settings.model_copy(update={"results_dir": str(results)}) if results else settings


@contextmanager
def _user_errors(settings: Settings, backend: str) -> Iterator[None]:
    """The errors a user can cause in `query` and `report`, as messages and exit codes."""
    try:
        yield
    except (QueryParameterError, AnalyticsSetupError) as exc:
        raise _fail(str(exc), EXIT_INVALID) from None
    except RunNotFound as exc:
        where = settings.results_bucket if backend == "aws" else settings.results_dir
        raise _fail(f"{exc} under {where}", EXIT_FAILED) from None


def register(app: typer.Typer) -> None:
    """Add `query` and `report` to the CLI."""

    @app.command()
    def query(
        run: Annotated[str, typer.Option("--run", help="The run id.", show_default=False)],
        preset: Annotated[
            str | None,
            typer.Argument(help=f"One of: {', '.join(PRESETS)} (omit with --sql).", show_default=False),
        ] = None,
        results: Annotated[
            Path | None,
            typer.Option("--results", help="Results directory (default: SWEEP_RESULTS_DIR or ./results)."),
        ] = None,
        backend: Annotated[
            str, typer.Option(help="local (the results directory) or aws (SWEEP_RESULTS_BUCKET on S3).")
        ] = "local",
        sql: Annotated[
            str | None,
            typer.Option(help="Run this SQL instead of a preset (tables as in Athena; :run_id etc.)."),
        ] = None,
        output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
        point: Annotated[int, typer.Option(help=":point_index of trip-snapshots.")] = 0,
        top: Annotated[int, typer.Option(help=":top_n of health-ranking.")] = 20,
    ) -> None:
        """Run a preset of the query pack (or --sql) over one run's results with DuckDB."""
        if (preset is None) == (sql is None):
            raise _fail("give either a PRESET or --sql", EXIT_INVALID)
        if backend not in ("local", "aws"):
            raise _fail(f"--backend must be local or aws, got {backend!r}", EXIT_INVALID)
        if output_format not in ("table", "csv", "json"):
            raise _fail(f"--format must be table, csv or json, got {output_format!r}", EXIT_INVALID)
        settings = _settings(results)
        values: dict[str, ParameterValue] = {"run_id": run, "point_index": point, "top_n": top}
        import duckdb

        try:
            with _user_errors(settings, backend):
                text = render(sql if sql is not None else load_preset(preset or ""), values)
                with open_run(run, settings, backend) as queries:  # type: ignore[arg-type]
                    table = queries.query(text)
        except duckdb.Error as exc:
            raise _fail(f"query failed: {exc}", EXIT_INVALID) from None
        if output_format == "table":
            _print_table(table, f"{preset or 'sql'} · run {run}")
        else:
            typer.echo(format_rows(table, output_format))  # type: ignore[arg-type]

    @app.command()
    def report(
        run_id: Annotated[str, typer.Argument(help="The run id.")],
        results: Annotated[
            Path | None,
            typer.Option("--results", help="Results directory (default: SWEEP_RESULTS_DIR or ./results)."),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Directory of the HTML file (default: <results>/reports).")
        ] = None,
        backend: Annotated[str, typer.Option(help="local or aws, as for `query`.")] = "local",
        top: Annotated[int, typer.Option(min=1, max=MAX_TOP_N, help="Points in the ranking table.")] = 10,
    ) -> None:
        """Write one self-contained HTML page: heat maps, health ranking, time series, coverage."""
        from entrypoints.report import build_report

        if backend not in ("local", "aws"):
            raise _fail(f"--backend must be local or aws, got {backend!r}", EXIT_INVALID)
        settings = _settings(results)
        with _user_errors(settings, backend), open_run(run_id, settings, backend) as queries:  # type: ignore[arg-type]
            html = build_report(queries, run_id, top=top)
        directory = out if out is not None else Path(settings.results_dir) / "reports"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"report-{run_id}.html"
        path.write_text(html, encoding="utf-8")
        typer.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
