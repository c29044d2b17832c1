"""Security: no request, shard message or key can put an object outside ``<prefix>/``.

Three properties, each over hostile run ids and parameter values:
- validation + planning + storage_keys: every key a plan can produce (both layouts, every dataset,
  the manifest, outcomes) lies under ``<prefix>/``, in ``name=value`` segments of safe characters,
  and is already in normal form; the worker's view (keys built from the shard message after a
  round trip through JSON) is the same;
- StorageKeys on its own: whatever values reach it, it raises ``ValueError`` or returns a confined key;
- the file blob store: whatever key it is given, it refuses it or writes inside its directory, even
  through a symlink that points outside.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from adapters.local.file_blob_store import FileBlobStore
from application.execute_shard import parse_shard_message
from domain.contract import Limits, parse_sweep_request
from domain.errors import RequestValidationError
from domain.parameters import PARAMETERS
from domain.planning import SweepPlan, plan_sweep
from domain.storage_keys import ALL_DATASETS, POINT_DATASETS, StorageKeys
from tests.drills.figures import DrillFigures
from tests.drills.hostile import RUN_ID_ALPHABET, hostile_text, json_scalars

PREFIXES = ("sweeps", "results/2026", "a", "team-a/ridesweep/prod")
_SEGMENT = re.compile(r"[a-z_]+=[A-Za-z0-9._-]+|part-0\.parquet|manifest\.json|runs")
RUN_DATE = "2026-11-28"


def assert_confined(key: str, prefix: str) -> None:
    assert key.startswith(prefix + "/"), key
    assert posixpath.normpath(key) == key, key
    for segment in key[len(prefix) + 1 :].split("/"):
        assert _SEGMENT.fullmatch(segment), f"unsafe segment {segment!r} in {key!r}"
        assert segment not in (".", ".."), key


valid_run_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
run_ids = st.one_of(
    valid_run_ids,
    hostile_text,
    st.builds(lambda a, b: a + b, valid_run_ids, hostile_text),
    st.text(RUN_ID_ALPHABET + "/=\\ \n", min_size=1, max_size=70),
)


def parameter_values(name: str) -> st.SearchStrategy[Any]:
    """Mostly values in the parameter's range (so plans get built and their keys checked), some not."""
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        valid: st.SearchStrategy[Any] = st.booleans()
    elif spec.kind == "enum":
        valid = st.sampled_from(spec.choices)
    elif spec.kind == "int":
        valid = st.integers(int(spec.minimum or 0), int(min(spec.maximum or 100, 100)))
    else:
        valid = st.floats(spec.minimum or 0, spec.maximum or 100, exclude_max=spec.maximum_exclusive)
    return st.one_of(valid, valid, valid, json_scalars)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(PARAMETERS)), min_size=1, max_size=3, unique=True))
    body: dict[str, Any] = {
        "run_id": draw(run_ids),
        "dimensions": {n: draw(st.lists(parameter_values(n), min_size=1, max_size=3)) for n in names},
        "shard_count": draw(st.integers(1, 6)),
        "seed": draw(st.integers(0, 2**63 - 1)),
        "output_layout": draw(st.sampled_from(["per_point", "per_shard"])),
    }
    base = [n for n in draw(st.lists(st.sampled_from(sorted(PARAMETERS)), max_size=2)) if n not in names]
    if base:
        body["base_parameters"] = {n: draw(parameter_values(n)) for n in base}
    return body


def keys_of_plan(plan: SweepPlan, keys: StorageKeys, run_date: str) -> list[str]:
    run_id = plan.request.run_id
    out = [keys.manifest(run_id), keys.run_context(run_date, run_id), *keys.run_prefixes(run_date, run_id)]
    for shard in plan.shards:
        points = range(shard.start_index, shard.end_index_exclusive)
        out += [keys.outcome(run_date, run_id, s, shard.shard_id) for s in ("success", "failure")]
        out.append(keys.shard_prefix(run_date, run_id, shard.shard_id))
        for dataset in POINT_DATASETS:
            for layout in ("per_point", "per_shard"):
                out += keys.dataset_objects(layout, dataset, run_date, run_id, shard.shard_id, points)
        # the worker's view: the same keys, rebuilt from the message it receives
        message = parse_shard_message(plan.shard_message(shard, run_date).to_json_bytes())
        out += keys.dataset_objects(
            message.output_layout,
            "shard_metrics",
            message.run_date,
            message.run_id,
            message.shard_id,
            range(message.start_index, message.end_index_exclusive),
        )
        out.append(keys.outcome(message.run_date, message.run_id, "success", message.shard_id))
    return [k.rstrip("/") for k in out]


def confinement_drill(examples: int, seed: int, figures: DrillFigures | None = None) -> DrillFigures:
    figures = figures or DrillFigures("key confinement")
    started = time.perf_counter()
    limits = Limits()

    common = settings(
        max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )

    @hypothesis_seed(seed)
    @common
    @given(body=requests(), prefix=st.sampled_from(PREFIXES))
    def through_the_contract(body: dict[str, Any], prefix: str) -> None:
        figures.inputs += 1
        try:
            plan = plan_sweep(parse_sweep_request(body, limits), limits)
        except RequestValidationError:
            figures.rejected += 1
            return
        assert plan.request.run_id == body["run_id"]  # validated as given, never trimmed or rewritten
        for key in keys_of_plan(plan, StorageKeys(prefix), RUN_DATE):
            figures.verified += 1
            assert_confined(key, prefix)

    @hypothesis_seed(seed + 1)
    @common
    @given(
        run_id=run_ids,
        run_date=st.one_of(st.just(RUN_DATE), hostile_text, st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z")),
        shard_id=st.one_of(st.integers(), json_scalars),
        dataset=st.one_of(st.sampled_from(ALL_DATASETS), hostile_text),
        prefix=st.sampled_from(PREFIXES),
    )
    def storage_keys_alone(run_id: Any, run_date: Any, shard_id: Any, dataset: Any, prefix: str) -> None:
        figures.inputs += 1
        keys = StorageKeys(prefix)
        builders: list[Callable[[], str]] = [
            lambda: keys.manifest(run_id),
            lambda: keys.run_context(run_date, run_id),
            lambda: keys.point_object(dataset, run_date, run_id, shard_id, 0),
            lambda: keys.shard_object(dataset, run_date, run_id, shard_id),
            lambda: keys.outcome(run_date, run_id, "success", shard_id),
            lambda: keys.dataset_prefix(dataset, run_date, run_id).rstrip("/"),
        ]
        refused = False
        for build in builders:
            try:
                key = build()
            except ValueError:
                refused = True
                continue
            figures.verified += 1
            assert_confined(key, prefix)
        figures.rejected += refused

    with tempfile.TemporaryDirectory(prefix="ridesweep-confine-") as tmp:
        # the store sits three levels down, so a key that climbs out with up to three '..' still
        # lands inside the sandbox, where the walk below sees it
        sandbox = Path(tmp)
        root, outside = sandbox / "l1" / "l2" / "root", sandbox / "outside"
        root.mkdir(parents=True)
        outside.mkdir()
        store = FileBlobStore(root)
        traversal = st.sampled_from(
            [
                "../outside/x",
                "../../x",
                "../../../x",
                "../../../outside/x",
                str(outside / "x"),
                str(sandbox / "x"),
                "link/x",
                "a/../../x",
                "a/./../../x",
                "..",
                ".",
                "",
                "a/..",
                "root/../../x",
                "link/../../x",
                "x\x00y",
                "~/x",
                "link",
                "link/",
            ]
        )

        def reset_root() -> None:
            for child in root.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            (root / "link").symlink_to(outside, target_is_directory=True)

        def outside_the_root() -> list[str]:
            found = []
            for dirpath, dirnames, filenames in os.walk(sandbox):
                here = Path(dirpath)
                if here == root or root in here.parents:
                    continue
                found += [str(here / n) for n in filenames]
                found += [str(here / n) for n in dirnames if here / n not in (root, *root.parents, outside)]
            return found

        @hypothesis_seed(seed + 2)
        @common
        @given(
            key=st.one_of(
                traversal, hostile_text, st.builds(lambda a, b: a + "/" + b, traversal, hostile_text)
            )
        )
        def file_store(key: str) -> None:
            figures.inputs += 1
            reset_root()
            refused = False
            for operation in (
                lambda: store.put(key, b"x"),
                lambda: store.create_if_absent(key, b"x"),
                lambda: store.get(key),
                lambda: store.exists(key),
            ):
                try:
                    operation()
                except (ValueError, OSError):
                    refused = True
            figures.rejected += refused
            escaped = outside_the_root()
            figures.misplaced += len(escaped)
            assert not escaped, escaped

        try:
            through_the_contract()
            storage_keys_alone()
            file_store()
        finally:
            figures.seconds = time.perf_counter() - started
    return figures
