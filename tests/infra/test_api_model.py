"""The API Gateway model of POST /sweep-run: generated from pydantic, draft-4, and never stricter
than the handler (moto stores request validators but does not enforce them, so this is the proof)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

from domain import contract
from tests.infra.conftest import ROOT, Terraform, expression

MODEL_PATH = ROOT / "infra" / "api" / "sweep_request.schema.json"
VALID = {"run_id": "demo-run-001", "dimensions": {"num_drivers": [100, 200]}, "shard_count": 2}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_api_model", ROOT / "infra" / "generate_api_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def gateway(model: dict[str, Any]) -> Any:
    return jsonschema.Draft4Validator(model)


def handler_accepts(payload: object) -> bool:
    try:
        contract.parse_sweep_request(payload, contract.Limits())
    except contract.RequestValidationError:
        return False
    return True


def with_(**changes: Any) -> dict[str, Any]:
    out = dict(VALID)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# --- generated, not hand-kept -------------------------------------------------------------------


def test_committed_model_equals_the_one_generated_from_pydantic() -> None:
    generated = _generator().generate()

    assert MODEL_PATH.read_text(encoding="utf-8") == generated, (
        "infra/api/sweep_request.schema.json is stale: run `make api-model` and commit it"
    )


def test_model_is_a_valid_draft4_schema_without_references(model: dict[str, Any]) -> None:
    jsonschema.Draft4Validator.check_schema(model)
    text = json.dumps(model)

    assert model["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert "$ref" not in text and "$defs" not in text and '"const"' not in text


def test_every_exclusive_bound_is_a_draft4_boolean(model: dict[str, Any]) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("exclusiveMinimum", "exclusiveMaximum"):
                if key in node:
                    assert isinstance(node[key], bool), f"{key} must be a boolean in draft-4"
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(model)


def test_model_forbids_unknown_fields_and_keeps_the_contract_run_id_pattern(
    model: dict[str, Any],
) -> None:
    assert model["additionalProperties"] is False
    assert model["properties"]["run_id"]["pattern"] == contract.RUN_ID_PATTERN
    assert set(model["required"]) == {"run_id", "dimensions"}


def test_terraform_model_reads_the_committed_file(tf: Terraform) -> None:
    model = tf.resource("aws_api_gateway_model", "sweep_request")

    assert model["content_type"] == "application/json"
    assert expression(model["schema"]) == "local.sweep_request_schema"
    assert 'file("${path.module}/../api/sweep_request.schema.json")' in (
        expression(tf.locals["sweep_request_schema"]) or ""
    )


def test_generator_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "model.json"
    stale.write_text("{}\n", encoding="utf-8")
    generator = _generator()

    assert generator.main(["--check", "--output", str(stale)]) == 1
    assert generator.main(["--output", str(stale)]) == 0
    assert generator.main(["--check", "--output", str(stale)]) == 0


# --- rejects what draft-4 can say ---------------------------------------------------------------

MALFORMED = {
    "body is a list": [VALID],
    "body is a string": "demo",
    "schema_version v2": with_(schema_version="v2"),
    "run_id missing": with_(run_id=...),
    "run_id a number": with_(run_id=12),
    "run_id empty": with_(run_id=""),
    "run_id with a space": with_(run_id="demo run"),
    "run_id with a slash": with_(run_id="a/b"),
    "run_id with '='": with_(run_id="run_id=x"),
    "run_id of dots only": with_(run_id=".."),
    "run_id starting with '-'": with_(run_id="-demo"),
    "run_id of 65 characters": with_(run_id="x" * 65),
    "dimensions missing": with_(dimensions=...),
    "dimensions not an object": with_(dimensions=[["num_drivers", [1]]]),
    "dimensions empty": with_(dimensions={}),
    "thirteen dimensions": with_(dimensions={f"p{i}": [1] for i in range(13)}),
    "dimension values not a list": with_(dimensions={"num_drivers": 100}),
    "dimension value null": with_(dimensions={"num_drivers": [None]}),
    "dimension value an object": with_(dimensions={"num_drivers": [{"v": 1}]}),
    "base_parameters a list": with_(base_parameters=[1]),
    "base parameter value a list": with_(base_parameters={"match_radius_km": [3.0]}),
    "neither shard_count nor shard_size": with_(shard_count=...),
    "both shard_count and shard_size": with_(shard_size=4),
    "shard_count null and no shard_size": with_(shard_count=None),
    "shard_count zero": with_(shard_count=0),
    "shard_count negative": with_(shard_count=-3),
    "shard_count a float": with_(shard_count=2.0),
    "shard_count a boolean": with_(shard_count=True),
    "shard_count a string": with_(shard_count="2"),
    "shard_size zero": with_(shard_count=..., shard_size=0),
    "max_shards zero": with_(max_shards=0),
    "seed negative": with_(seed=-1),
    "seed 2**63": with_(seed=2**63),
    "seed a float": with_(seed=1.5),
    "unknown output_layout": with_(output_layout="per_run"),
    "failure_injection_shards not a list": with_(failure_injection_shards=1),
    "failure injection shard negative": with_(failure_injection_shards=[-1]),
    "unknown field": with_(priority="high"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_model_rejects_malformed_request(gateway: Any, case: str) -> None:
    payload = MALFORMED[case]

    assert not gateway.is_valid(payload), f"the API model accepted: {case}"
    assert not handler_accepts(payload), f"the handler accepted what the model rejects: {case}"


# Rules of the shared catalogue that draft-4 can express, so API Gateway rejects them too.
CATALOGUE_REJECTED_BY_GATEWAY = {
    "not an object",
    "schema_version v2",
    "run_id missing",
    "run_id with leading space",
    "run_id with slash",
    "run_id dot-dot",
    "run_id too long",
    "run_id not a string",
    "dimensions missing",
    "dimensions empty",
    "no shard control",
    "both shard controls",
    "shard_count zero",
    "shard_count float",
    "negative seed",
    "seed too large",
    "unknown layout",
    "unknown field",
}


def test_model_rejects_the_shared_catalogue_entries_draft4_can_express(gateway: Any) -> None:
    from tests.invalid_requests import INVALID_REQUESTS as catalogue

    present = CATALOGUE_REJECTED_BY_GATEWAY & set(catalogue)

    accepted = sorted(name for name in present if gateway.is_valid(catalogue[name]))

    assert not accepted, f"the API model accepted: {accepted}"


# --- accepts every valid request ----------------------------------------------------------------

VALID_EDGES = {
    "minimal": with_(),
    "shard_size instead of shard_count": with_(shard_count=..., shard_size=10),
    "explicit null for the other shard control": with_(shard_size=None),
    "null shard_count beside shard_size": with_(shard_count=None, shard_size=3),
    "null max_shards": with_(max_shards=None),
    "every optional field": with_(
        schema_version="v1",
        base_parameters={"match_radius_km": 2, "surge_enabled": True, "start_day": "friday"},
        max_shards=10,
        seed=2**63 - 1,
        output_layout="per_shard",
        failure_injection_shards=[0, 1],
    ),
    "run_id of 64 characters": with_(run_id="A" + "b" * 63),
    "run_id with dots, dashes, underscores": with_(run_id="r.2024_11-28"),
    "mixed value kinds": with_(
        dimensions={
            "num_drivers": [10, 20],
            "commission_rate": [0, 0.25],
            "surge_enabled": [True, False],
            "matching_algorithm": ["simple", "hungarian"],
        }
    ),
}


@pytest.mark.parametrize("case", sorted(VALID_EDGES))
def test_model_accepts_what_the_handler_accepts(gateway: Any, case: str) -> None:
    payload = VALID_EDGES[case]
    assert handler_accepts(payload), f"test data is wrong: the handler rejects {case}"

    errors = [e.message for e in gateway.iter_errors(payload)]

    assert not errors, f"the API model rejects a valid request ({case}): {errors}"


def _valid_examples() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        found.append((f"examples/{path.name}", json.loads(path.read_text(encoding="utf-8"))))
    for path in sorted((ROOT / "tests" / "events").glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        is_post = isinstance(event, dict) and event.get("httpMethod", "") == "POST"
        if is_post and event.get("body") and not event.get("isBase64Encoded"):
            found.append((f"tests/events/{path.name} body", json.loads(event["body"])))
    return [(name, payload) for name, payload in found if handler_accepts(payload)]


def test_contract_example_is_among_the_valid_examples() -> None:
    names = [name for name, _ in _valid_examples()]

    assert "examples/contract_example.json" in names


@pytest.mark.parametrize(("name", "payload"), _valid_examples(), ids=lambda v: str(v)[:60])
def test_model_accepts_every_valid_example(gateway: Any, name: str, payload: Any) -> None:
    errors = [e.message for e in gateway.iter_errors(payload)]

    assert not errors, f"{name} is valid for the handler but the API model rejects it: {errors}"
