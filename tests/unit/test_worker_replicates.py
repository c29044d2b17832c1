"""The submit and worker use cases with replicates, over in-memory fakes (docs/contract.md §1-§5):
every replicate of every point in its point's objects, model mismatches refused, replays
byte-identical, and requests without the new fields unchanged."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import application.execute_shard as execute_module
import domain.planning as planning_module
from application.results_codec import SCHEMAS, decode, encode
from domain.contract import PRE_VERSIONING_SIMULATION_MODEL
from domain.errors import RunModelChanged
from domain.fingerprints import parameter_fingerprint, point_seed, replicate_seed
from domain.manifest import RunManifest
from domain.planning import ParameterSpace
from domain.simulation import SIMULATION_MODEL, simulate
from domain.simulation.outputs import NULL_INT
from domain.storage_keys import POINT_DATASETS
from tests.fixtures import FakePorts

RUN_DATE = "2026-11-28"
NEW_COLUMNS = ("replicate", "simulation_seed", "simulation_model")
SMALL: dict[str, Any] = {
    "run_id": "replicated-run",
    "dimensions": {"num_drivers": [4, 8], "commission_rate": [0.1, 0.3]},
    "base_parameters": {"num_riders": 30, "request_window_minutes": 15, "simulation_minutes": 25},
    "shard_count": 2,
    "seed": 9,
}


class World(FakePorts):
    """The fakes the use cases run on; ``objects`` is the whole results store."""

    @property
    def objects(self) -> dict[str, bytes]:
        return self.store.objects

    def run(self, body: dict[str, Any]) -> list[bytes]:
        """Submit ``body`` and execute every message it enqueued; returns the messages."""
        self.submit(body)
        messages = self.queue.take_all()
        for message in messages:
            assert self.execute(message).status == "succeeded"
        return messages

    def table(self, dataset: str, *, point: int | None = None) -> pa.Table:
        """A dataset's rows: one point's object, or every object of the dataset in key order."""
        found = sorted(
            k for k in self.objects
            if f"dataset={dataset}/" in k and (point is None or f"/point_index={point}/" in k)
        )
        assert found, f"no {dataset} object"
        return pa.concat_tables([decode(self.objects[k]) for k in found])

    def data_keys(self) -> list[str]:
        return [k for k in self.objects if any(f"dataset={d}/" in k for d in POINT_DATASETS)]


def replicated(**changes: Any) -> dict[str, Any]:
    return {**SMALL, **changes}


def space_of(body: dict[str, Any]) -> ParameterSpace:
    dims = {k: tuple(float(v) if k == "commission_rate" else v for v in vs)
            for k, vs in body["dimensions"].items()}
    return ParameterSpace(dims, body["base_parameters"])


# --- submit ------------------------------------------------------------------------------------


def test_the_answer_manifest_and_run_context_carry_replicates_and_the_model() -> None:
    world = World()
    answer = world.submit(replicated(replicates=5, seed_strategy="common"))
    assert answer.status == "accepted"
    assert {k: answer.answer()[k] for k in ("total_points", "replicates", "total_simulations")} == {
        "total_points": 4, "replicates": 5, "total_simulations": 20
    }
    assert answer.answer()["simulation_model"] == SIMULATION_MODEL
    manifest = json.loads(world.objects[world.keys.manifest("replicated-run")])
    assert (manifest["replicates"], manifest["seed_strategy"]) == (5, "common")
    assert (manifest["total_simulations"], manifest["simulation_model"]) == (20, SIMULATION_MODEL)
    context = world.table("run_context").to_pylist()[0]
    assert (context["replicates"], context["seed_strategy"]) == (5, "common")
    assert context["simulation_model"] == SIMULATION_MODEL


def test_a_run_without_the_new_fields_records_one_independent_replicate() -> None:
    world = World()
    answer = world.submit(SMALL)
    assert (answer.answer()["replicates"], answer.answer()["total_simulations"]) == (1, 4)
    context = world.table("run_context").to_pylist()[0]
    assert (context["replicates"], context["seed_strategy"]) == (1, "independent")


def test_resubmitting_a_run_planned_under_another_model_is_refused_and_changes_nothing() -> None:
    world = World()
    world.submit(SMALL)
    world.queue.take_all()
    key = world.keys.manifest("replicated-run")
    manifest = json.loads(world.objects[key])
    manifest["simulation_model"] = SIMULATION_MODEL + 1
    world.objects[key] = json.dumps(manifest).encode()
    before = dict(world.objects)
    with pytest.raises(RunModelChanged) as caught:
        world.submit(SMALL)
    assert (caught.value.run_model, caught.value.deployment_model) == (
        SIMULATION_MODEL + 1, SIMULATION_MODEL
    )
    assert "new run_id" in str(caught.value)
    assert world.objects == before
    assert world.queue.take_all() == []


@pytest.mark.parametrize(
    "deployment_model", [PRE_VERSIONING_SIMULATION_MODEL, PRE_VERSIONING_SIMULATION_MODEL + 1]
)
def test_a_manifest_written_before_models_were_recorded_counts_as_the_first_model(
    deployment_model: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planning_module, "SIMULATION_MODEL", deployment_model)
    world = World()
    world.submit(SMALL)
    world.queue.take_all()
    key = world.keys.manifest("replicated-run")
    manifest = json.loads(world.objects[key])
    for name in ("replicates", "seed_strategy", "total_simulations", "simulation_model"):
        del manifest[name]
    world.objects[key] = json.dumps(manifest).encode()
    if deployment_model == PRE_VERSIONING_SIMULATION_MODEL:
        assert world.submit(SMALL).status == "already_accepted"
        assert len(world.queue.take_all()) == 2
        context = world.table("run_context").to_pylist()[0]
        assert (context["replicates"], context["seed_strategy"]) == (1, "independent")
        assert context["simulation_model"] == PRE_VERSIONING_SIMULATION_MODEL
    else:
        with pytest.raises(RunModelChanged):
            world.submit(SMALL)


# --- the worker --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def per_point() -> World:
    world = World()
    world.run(replicated(replicates=3))
    return world


def test_each_point_object_holds_every_replicate_in_order(per_point: World) -> None:
    for point in range(4):
        metrics = per_point.table("shard_metrics", point=point).to_pydict()
        assert metrics["point_index"] == [point] * 3
        assert metrics["replicate"] == [0, 1, 2]
        assert metrics["simulation_seed"] == [replicate_seed(9, point, r, "independent") for r in range(3)]
        assert metrics["simulation_model"] == [SIMULATION_MODEL] * 3
        assert len(set(metrics["parameter_fingerprint"])) == 1
        for dataset in ("trip_data", "snapshot_counts"):
            replicates = per_point.table(dataset, point=point).column("replicate").to_pylist()
            assert replicates == sorted(replicates) and set(replicates) == {0, 1, 2}
        assert per_point.table("effective_parameters", point=point).num_rows == 1


def test_replicate_rows_are_the_simulation_of_that_replicate_seed(per_point: World) -> None:
    space = space_of(SMALL)
    point = 3
    trips = per_point.table("trip_data", point=point)
    snapshots = per_point.table("snapshot_counts", point=point)
    metrics = per_point.table("shard_metrics", point=point).to_pylist()
    for r in range(3):
        output = simulate(space.parameters_at(point), replicate_seed(9, point, r, "independent"))
        assert {k: metrics[r][k] for k in output.metrics} == output.metrics
        mine = trips.filter(pc.equal(trips["replicate"], r))
        assert mine.column("trip_id").to_pylist() == output.trips["trip_id"].tolist()
        assert mine.column("fare").to_pylist() == output.trips["fare"].tolist()
        mine = snapshots.filter(pc.equal(snapshots["replicate"], r))
        assert mine.column("riders_waiting").to_pylist() == output.snapshots["riders_waiting"].tolist()


def test_the_outcome_counts_points_not_simulations(per_point: World) -> None:
    outcomes = per_point.table("shard_outcomes").to_pylist()
    assert [o["points_processed"] for o in outcomes] == [2, 2]


def test_common_seeds_give_every_point_the_same_replicate_seeds() -> None:
    world = World()
    world.run(replicated(replicates=2, seed_strategy="common"))
    seeds = world.table("shard_metrics").to_pydict()
    assert seeds["point_index"] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert seeds["simulation_seed"] == [replicate_seed(9, 0, r, "common") for r in (0, 1)] * 4


def test_per_shard_objects_hold_the_same_rows_ordered_by_point_then_replicate(
    per_point: World,
) -> None:
    world = World()
    world.run(replicated(replicates=3, output_layout="per_shard"))
    assert len(world.data_keys()) == 4 * 2  # one object per dataset and shard
    for dataset in POINT_DATASETS:
        assert world.table(dataset).equals(per_point.table(dataset)), dataset
    metrics = world.table("shard_metrics").to_pydict()
    assert list(zip(metrics["point_index"], metrics["replicate"], strict=True)) == [
        (p, r) for p in range(4) for r in range(3)
    ]


@pytest.mark.parametrize("layout", ["per_point", "per_shard"])
def test_replaying_every_message_rewrites_byte_identical_objects(layout: str) -> None:
    world = World()
    messages = world.run(replicated(replicates=2, seed_strategy="common", output_layout=layout))
    before = {k: v for k, v in world.objects.items() if "shard_outcomes" not in k}
    for key in [k for k in world.objects if "shard_outcomes" in k]:
        del world.objects[key]  # no success outcome: the replay recomputes every shard
    for message in messages:
        assert world.execute(message).status == "succeeded"
    assert {k: v for k, v in world.objects.items() if "shard_outcomes" not in k} == before


def test_a_message_from_another_model_is_recorded_as_model_mismatch_and_not_simulated() -> None:
    world = World()
    world.submit(replicated(replicates=2))
    body = json.loads(world.queue.take_all()[0])
    body["simulation_model"] = SIMULATION_MODEL + 1
    simulated: list[int] = []

    def counting_simulator(parameters: object, seed: int) -> object:
        simulated.append(seed)
        return simulate(parameters, seed)  # type: ignore[arg-type]

    result = world.execute(json.dumps(body).encode(), simulator=counting_simulator)
    assert simulated == []
    assert (result.status, result.error_code, result.points_processed) == ("failed", "model_mismatch", 0)
    assert world.data_keys() == []
    outcome = world.table("shard_outcomes").to_pylist()[0]
    assert outcome["error_code"] == "model_mismatch"
    assert f"simulation model {SIMULATION_MODEL + 1}" in outcome["error_message"]
    assert f"runs model {SIMULATION_MODEL}" in outcome["error_message"]


@pytest.mark.parametrize(("name", "value"), [("replicates", 3), ("seed_strategy", "common")])
def test_a_message_whose_replication_was_edited_fails_its_fingerprint(name: str, value: object) -> None:
    world = World()
    world.submit(replicated(replicates=2))
    body = json.loads(world.queue.take_all()[0])
    body[name] = value
    result = world.execute(json.dumps(body).encode())
    assert (result.status, result.error_code) == ("failed", "fingerprint_mismatch")
    assert world.data_keys() == []


# --- requests without the new fields -----------------------------------------------------------


def test_a_request_without_the_new_fields_gives_the_v1_data_columns_byte_for_byte() -> None:
    """The v1 worker simulated each point once with its point seed and wrote the simulation's
    columns after (record_schema, shard_id, point_index). Rebuild those tables here from
    ``simulate`` itself, so the check holds whatever the model version, and compare them with the
    worker's objects once the added columns are dropped: same rows, same Parquet bytes."""
    world = World()
    world.run(SMALL)
    space = space_of(SMALL)
    for point in range(4):
        seed = point_seed(9, point)
        output = simulate(space.parameters_at(point), seed)
        shard_id = 0 if point < 2 else 1
        metrics: dict[str, list[Any]] = {k: [v] for k, v in output.metrics.items()}
        metrics["parameter_fingerprint"] = [parameter_fingerprint(space.effective_values(point), seed)]
        expected = {
            "shard_metrics": metrics,
            "trip_data": {k: v.tolist() for k, v in output.trips.items()},
            "snapshot_counts": {k: v.tolist() for k, v in output.snapshots.items()},
        }
        for dataset, columns in expected.items():
            written = world.table(dataset, point=point)
            data = written.drop_columns([c for c in NEW_COLUMNS if c in written.column_names
                                         and c not in columns])
            v1 = _v1_table(dataset, shard_id, point, columns, data.schema)
            assert data.equals(v1), (dataset, point)
            assert encode(data, statistics=False) == encode(v1, statistics=False)
        written = world.table("effective_parameters", point=point)
        assert written.schema == SCHEMAS["effective_parameters"]
        assert written.column("point_seed").to_pylist() == [seed]


def _v1_table(
    dataset: str, shard_id: int, point: int, columns: dict[str, list[Any]], schema: pa.Schema
) -> pa.Table:
    rows = len(next(iter(columns.values())))
    keys: dict[str, list[Any]] = {
        "record_schema": ["v1"] * rows, "shard_id": [shard_id] * rows, "point_index": [point] * rows
    }

    def values(f: pa.Field) -> list[Any]:
        if f.name in keys:
            return keys[f.name]
        if f.nullable:  # the simulation marks an absent integer with NULL_INT; Parquet has null
            return [None if v == NULL_INT else v for v in columns[f.name]]
        return columns[f.name]

    return pa.Table.from_pydict({f.name: values(f) for f in schema}, schema=schema)


def _as_an_earlier_producer_wrote_it(message: bytes) -> bytes:
    body = json.loads(message)
    for name in ("replicates", "seed_strategy", "simulation_model"):
        del body[name]
    return json.dumps(body).encode()


def test_a_message_from_an_earlier_producer_runs_as_one_independent_replicate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a worker of the model earlier producers planned under, a message without the new fields
    writes exactly what the same message with them writes."""
    monkeypatch.setattr(planning_module, "SIMULATION_MODEL", PRE_VERSIONING_SIMULATION_MODEL)
    monkeypatch.setattr(execute_module, "SIMULATION_MODEL", PRE_VERSIONING_SIMULATION_MODEL)
    current, earlier = World(), World()
    for message in current.run(SMALL):
        assert earlier.execute(_as_an_earlier_producer_wrote_it(message)).status == "succeeded"
    assert sorted(earlier.data_keys()) == sorted(current.data_keys())
    assert all(earlier.objects[k] == current.objects[k] for k in current.data_keys())


def test_a_message_from_an_earlier_producer_is_a_model_mismatch_on_a_later_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(execute_module, "SIMULATION_MODEL", PRE_VERSIONING_SIMULATION_MODEL + 1)
    world = World()
    world.submit(SMALL)
    message = _as_an_earlier_producer_wrote_it(world.queue.take_all()[0])
    assert world.execute(message).error_code == "model_mismatch"
    assert world.data_keys() == []


@pytest.mark.parametrize("changes", [{}, {"replicates": 4, "seed_strategy": "common"}])
def test_the_typed_manifest_reads_and_rewrites_the_manifest_submit_writes(
    changes: dict[str, Any],
) -> None:
    world = World()
    world.submit(replicated(**changes))
    written = world.objects[world.keys.manifest("replicated-run")]
    manifest = RunManifest.from_json_bytes(written)
    assert manifest.to_json_bytes() == written
    assert manifest.simulation_model == SIMULATION_MODEL
    assert (manifest.replicates, manifest.total_simulations) == (
        changes.get("replicates", 1), 4 * changes.get("replicates", 1)
    )
    assert manifest.seed_strategy == changes.get("seed_strategy", "independent")
