"""`ridesweep params`: every simulation parameter a request may set, from the parameter registry."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import typer

from domain.parameters import PARAMETERS, ParameterSpec
from domain.suggestions import did_you_mean
from entrypoints.cli.console import console
from entrypoints.cli.exit_codes import UsageError
from entrypoints.cli.formatting import Column, print_table, quantity

ParamsFormat = Literal["table", "json"]


def describe(spec: ParameterSpec) -> dict[str, Any]:
    """One parameter as ``--format json`` prints it."""
    return {
        "name": spec.name,
        "type": spec.kind,
        "default": spec.default,
        "minimum": spec.minimum if spec.kind in ("int", "float") else None,
        "maximum": spec.maximum if spec.kind in ("int", "float") else None,
        "maximum_exclusive": spec.maximum_exclusive if spec.kind in ("int", "float") else None,
        "choices": list(spec.choices) or None,
        "unit": spec.unit or None,
        "description": spec.description,
    }


def value_range(spec: ParameterSpec) -> str:
    if spec.kind == "bool":
        return "true, false"
    if spec.kind == "enum":
        return ", ".join(spec.choices)
    upper = "<" if spec.maximum_exclusive else "to"
    return f"{_bound(spec.minimum)} {upper} {_bound(spec.maximum)}"


def _bound(value: float | None) -> str:
    if value is None:
        return "∞"
    return quantity(int(value)) if float(value).is_integer() else quantity(value)


def _default(spec: ParameterSpec) -> str:
    value = spec.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return quantity(value)
    return str(value)


def params(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Parameters to show (default: all).", show_default=False),
    ] = None,
    output_format: Annotated[ParamsFormat, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the simulation parameters a request may sweep or set: type, default, range, unit and
    what each one does (docs/model.md explains the model behind them)."""
    chosen = list(names or PARAMETERS)
    unknown = [name for name in chosen if name not in PARAMETERS]
    if unknown:
        raise UsageError(
            "; ".join(f"unknown parameter {name!r}{did_you_mean(name, PARAMETERS)}" for name in unknown)
            + " (`ridesweep params` lists them all)"
        )
    specs = [PARAMETERS[name] for name in chosen]
    if output_format == "json":
        typer.echo(json.dumps([describe(spec) for spec in specs], ensure_ascii=False, indent=2))
        return
    columns = [
        Column("name", numeric=False, style="bold"),
        Column("type", numeric=False),
        Column("default", numeric=False),
        Column("range", numeric=False),
        Column("unit", numeric=False),
        Column("description", numeric=False),
    ]
    rows = [
        [spec.name, spec.kind, _default(spec), value_range(spec), spec.unit, spec.description]
        for spec in specs
    ]
    print_table(console, columns, rows)
    if names is None:
        console.print(f"{len(specs)} parameters; docs/model.md describes what each lever does")


COMMANDS = (params,)
