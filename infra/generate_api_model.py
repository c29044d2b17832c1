"""Write the API Gateway model of ``POST /sweep-run`` from the pydantic ``SweepRequest``.

API Gateway validates request bodies against JSON Schema draft-4, while pydantic emits draft
2020-12. This script converts one into the other, so the gateway rejects a body of the wrong shape
before the Lambda runs, and the two can never drift (``make api-model`` rewrites the file; a test in
``tests/infra`` fails when the committed copy is stale):

* ``$ref`` into ``$defs`` is inlined (API Gateway resolves references only to other models);
* ``const`` becomes a one-value ``enum``; a numeric ``exclusiveMinimum``/``exclusiveMaximum``
  becomes ``minimum``/``maximum`` with the draft-4 boolean flag;
* ``anyOf: [X, {"type": "null"}]`` (an optional field that may be sent as null) folds into X;
* ``title`` annotations are dropped (API Gateway ignores them; they only add noise);
* "exactly one of shard_count / shard_size", which pydantic leaves to the handler, becomes a
  ``oneOf`` of two branches, each requiring one of the fields as a non-null value with the other
  absent or null — the same rule the handler applies.

Whatever draft-4 cannot say (parameter names and ranges, duplicate values, point limits) stays in
the handler; the gateway model only ever rejects requests the handler would reject too.

Usage: ``python infra/generate_api_model.py [--check] [--output PATH]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "api" / "sweep_request.schema.json"
DRAFT4_URI = "http://json-schema.org/draft-04/schema#"

EXACTLY_ONE_OF: tuple[str, ...] = ("shard_count", "shard_size")

DRAFT4_KEYWORDS = frozenset(
    {
        "$schema", "id", "title", "description", "default", "format",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "items", "additionalItems", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "properties", "patternProperties",
        "additionalProperties", "dependencies",
        "enum", "type", "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "additionalItems", "additionalProperties", "not")


class UnsupportedSchema(ValueError):
    """The pydantic schema uses a construct this converter does not translate to draft-4."""


def draft4_schema(source: Mapping[str, Any]) -> dict[str, Any]:
    """Return the draft-4 document API Gateway accepts for the draft 2020-12 ``source``."""
    definitions = source.get("$defs", {})
    body = _convert(source, definitions, path="#")
    body.pop("$defs", None)
    body.pop("title", None)
    _add_exactly_one_of(body, EXACTLY_ONE_OF)
    document = {
        "$schema": DRAFT4_URI,
        "title": "SweepRequest",
        **body,
    }
    _check_keywords(document, path="#")
    return document


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate() -> str:
    from domain.contract import SweepRequest

    return render(draft4_schema(SweepRequest.model_json_schema()))


def _convert(node: Mapping[str, Any], definitions: Mapping[str, Any], path: str) -> dict[str, Any]:
    if "$ref" in node:
        target = _resolve(node["$ref"], definitions)
        rest = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**copy.deepcopy(target), **rest}
        return _convert(merged, definitions, path)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "$defs"):
            continue
        if key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if bound in node:
                raise UnsupportedSchema(f"{path}: both {bound} and {key} are set")
            out[bound] = value
            out[key] = True
        elif key in _SCHEMA_MAPS:
            out[key] = {
                name: _convert(sub, definitions, f"{path}/{key}/{name}") for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS:
            out[key] = [_convert(sub, definitions, f"{path}/{key}/{i}") for i, sub in enumerate(value)]
        elif key in _SCHEMA_VALUES and isinstance(value, Mapping):
            out[key] = _convert(value, definitions, f"{path}/{key}")
        else:
            out[key] = copy.deepcopy(value)
    return _fold_nullable(out)


def _resolve(ref: str, definitions: Mapping[str, Any]) -> Mapping[str, Any]:
    prefix = "#/$defs/"
    if not ref.startswith(prefix) or ref[len(prefix) :] not in definitions:
        raise UnsupportedSchema(f"cannot inline reference {ref!r}")
    target: Mapping[str, Any] = definitions[ref[len(prefix) :]]
    return target


def _fold_nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``{"anyOf": [X, {"type": "null"}], ...}`` → X with ``"null"`` added to its type."""
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    (other,) = [o for o in options if o != {"type": "null"}]
    kind = other.get("type")
    if isinstance(kind, str):
        types = [kind, "null"]
    elif isinstance(kind, list):
        types = [*kind, "null"]
    else:
        return node
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    clash = set(rest) & set(other)
    if clash:
        raise UnsupportedSchema(f"cannot fold a nullable schema whose keywords clash: {clash}")
    return {**other, **rest, "type": types}


def _add_exactly_one_of(body: dict[str, Any], names: Sequence[str]) -> None:
    properties = body.get("properties", {})
    missing = [n for n in names if n not in properties]
    if missing:
        raise UnsupportedSchema(f"the request model has no field(s) {missing}")
    body["oneOf"] = [
        {
            "required": [name],
            "properties": {
                name: {"not": {"type": "null"}},
                **{other: {"type": "null"} for other in names if other != name},
            },
        }
        for name in names
    ]


def _check_keywords(node: Any, path: str) -> None:
    if not isinstance(node, Mapping):
        return
    unknown = sorted(set(node) - DRAFT4_KEYWORDS)
    if unknown:
        raise UnsupportedSchema(f"{path}: keywords draft-4 does not know: {unknown}")
    for key in _SCHEMA_MAPS:
        for name, sub in node.get(key, {}).items():
            _check_keywords(sub, f"{path}/{key}/{name}")
    for key in _SCHEMA_LISTS:
        for i, sub in enumerate(node.get(key, [])):
            _check_keywords(sub, f"{path}/{key}/{i}")
    for key in _SCHEMA_VALUES:
        _check_keywords(node.get(key), f"{path}/{key}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs instead of writing it"
    )
    args = parser.parse_args(argv)
    text = generate()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `make api-model`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
