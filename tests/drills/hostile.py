"""Hostile input: what a caller can send to the API, and what a broken producer can put on the queue.

Every generated API input breaks at least one rule of docs/contract.md §1 by construction (the
strategies never rely on the code under test to decide what is invalid), so every answer must be a
JSON 4xx with a message, and nothing may be written or enqueued. Shard messages that are not valid
v1 messages must come back as batch item failures; messages that parse but cannot run must be
recorded as failure outcomes; either way the rest of the batch goes on.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from domain.parameters import PARAMETERS
from domain.storage_keys import StorageKeys
from tests.drills.figures import DrillFigures
from tests.harness import Harness, load_event

MAX_REQUEST_BYTES = 256 * 1024  # docs/contract.md §1
REQUEST_FIELDS = frozenset(
    {
        "schema_version",
        "run_id",
        "dimensions",
        "base_parameters",
        "shard_count",
        "shard_size",
        "max_shards",
        "seed",
        "output_layout",
        "failure_injection_shards",
    }
)
# The contract's run id rule, written out here rather than imported, so the drill does not trust
# the pattern it is testing.
_RUN_ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
RUN_ID_ALPHABET = string.ascii_letters + string.digits + "._-"

# Valid and tiny: two points, two shards. Every mutation below breaks at least one rule.
VALID_REQUEST: dict[str, Any] = {
    "schema_version": "v1",
    "run_id": "fuzz-base",
    "dimensions": {"num_riders": [30, 40], "num_drivers": [5]},
    "base_parameters": {"request_window_minutes": 10, "simulation_minutes": 20},
    "shard_count": 2,
    "seed": 3,
    "output_layout": "per_point",
    "failure_injection_shards": [],
}


def contract_allows_run_id(value: object) -> bool:
    return isinstance(value, str) and _RUN_ID_RULE.fullmatch(value) is not None


# ---------------------------------------------------------------- values a caller can send

PATHY = (
    "..",
    ".",
    "/",
    "a/b",
    "../../etc/passwd",
    "/abs",
    "=",
    "run_id=x",
    "a\\b",
    "\x00",
    "a\x00b",
    "\n",
    "a\n",
    " a",
    "a ",
    "%2e%2e",
    "%2F",
    "C:\\x",
    "~",
    "\u202edemo",
    "\ufeffdemo",
    "ｄｅｍｏ",
    "démo",
    "😀",
    "-demo",
    ".demo",
    "_demo",
    "x" * 65,
    "",
    "a" * 10_000,
    "\ud800",
    "demo\udc80",
)
_hostile_chars = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates: valid in a JSON escape, not in UTF-8
    st.sampled_from("/\\.=%\x00\n\r\t "),
)
hostile_text = st.one_of(
    st.text(_hostile_chars, max_size=80),
    st.sampled_from(PATHY),
    st.builds(lambda a, b: a + b, st.sampled_from(PATHY), st.text(_hostile_chars, max_size=10)),
)
huge_ints = st.one_of(
    st.integers(min_value=2**63, max_value=10**400),
    st.integers(min_value=-(10**400), max_value=-(2**63)),
    st.sampled_from([2**63, 2**64, 10**308, 10**309, 10**4000]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=12,
)


def _not(*kinds: type) -> st.SearchStrategy[Any]:
    """JSON values of none of ``kinds`` (``bool`` counts apart from ``int``)."""

    def ok(v: Any) -> bool:
        if isinstance(v, bool):
            return bool not in kinds
        return not isinstance(v, kinds)

    return json_values.filter(ok)


def _bad_value_for(name: str) -> st.SearchStrategy[Any]:
    """A value outside the type or range of parameter ``name``."""
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return _not(bool)
    if spec.kind == "enum":
        return st.one_of(_not(str), hostile_text.filter(lambda s: s not in spec.choices))
    lo = spec.minimum if spec.minimum is not None else -1e300
    hi = spec.maximum if spec.maximum is not None else 1e300
    out_of_range = st.one_of(
        st.floats(max_value=lo, allow_nan=False).filter(lambda x: x < lo),
        st.floats(min_value=hi, allow_nan=False).filter(
            lambda x: x > hi or (spec.maximum_exclusive and x >= hi)
        ),
        st.sampled_from([float("nan"), float("inf"), float("-inf")]),
        huge_ints,
    )
    if spec.kind == "int":
        fractional = st.floats(min_value=lo, max_value=hi).filter(lambda x: not float(x).is_integer())
        return st.one_of(out_of_range, fractional, st.booleans(), hostile_text, st.none())
    return st.one_of(out_of_range, st.booleans(), hostile_text, st.none(), st.lists(st.integers()))


parameter_names = st.sampled_from(sorted(PARAMETERS))
unknown_names = hostile_text.filter(lambda s: s not in PARAMETERS)


@st.composite
def _bad_dimensions(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["type", "empty", "unknown", "value", "none", "dup", "many", "nonlist"]))
    dims = copy.deepcopy(VALID_REQUEST["dimensions"])
    if kind == "type":
        return draw(_not(dict))
    if kind == "empty":
        return {}
    if kind == "unknown":
        dims[draw(unknown_names)] = draw(st.lists(json_scalars, max_size=3))
    elif kind == "value":
        name = draw(parameter_names)
        good = [PARAMETERS[name].default]
        bad = draw(_bad_value_for(name))
        dims[name] = draw(st.permutations([*good, bad]))
    elif kind == "none":
        dims[draw(parameter_names)] = []
    elif kind == "dup":
        name = draw(parameter_names)
        dims[name] = [PARAMETERS[name].default] * draw(st.integers(2, 4))
    elif kind == "many":  # more than the 12 dimensions the contract allows
        dims = {name: [PARAMETERS[name].default] for name in sorted(PARAMETERS)[:13]}
    else:
        dims[draw(parameter_names)] = draw(_not(list))
    return dims


@st.composite
def _bad_base(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["type", "unknown", "value", "both"]))
    base = copy.deepcopy(VALID_REQUEST["base_parameters"])
    if kind == "type":
        return draw(_not(dict))
    if kind == "unknown":
        base[draw(unknown_names)] = draw(json_values)
    elif kind == "value":
        name = draw(parameter_names.filter(lambda n: n not in VALID_REQUEST["dimensions"]))
        base[name] = draw(_bad_value_for(name))
    else:  # a parameter both swept and fixed
        base["num_riders"] = 50
    return base


non_positive = st.one_of(st.integers(max_value=0), st.integers(min_value=-(10**400), max_value=0))
not_an_int = st.one_of(_not(int), st.booleans(), st.floats(allow_nan=True, allow_infinity=True))

# field group → (drop the field?, a value that breaks the rule). Groups never touch the same field,
# so applying several of them keeps the request invalid.
_GROUPS: dict[str, Callable[[st.DrawFn, dict[str, Any]], None]] = {}


def _group(name: str) -> Callable[[Callable[[st.DrawFn, dict[str, Any]], None]], Any]:
    def register(fn: Callable[[st.DrawFn, dict[str, Any]], None]) -> Any:
        _GROUPS[name] = fn
        return fn

    return register


@_group("schema_version")
def _schema_version(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body["schema_version"] = draw(json_values.filter(lambda v: v != "v1"))


@_group("run_id")
def _run_id(draw: st.DrawFn, body: dict[str, Any]) -> None:
    if draw(st.integers(0, 4)) == 0:
        del body["run_id"]
    else:
        body["run_id"] = draw(
            st.one_of(_not(str), hostile_text.filter(lambda s: not contract_allows_run_id(s)))
        )


@_group("dimensions")
def _dimensions(draw: st.DrawFn, body: dict[str, Any]) -> None:
    if draw(st.integers(0, 6)) == 0:
        del body["dimensions"]
    else:
        body["dimensions"] = draw(_bad_dimensions())


@_group("base_parameters")
def _base(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body["base_parameters"] = draw(_bad_base())


@_group("sharding")
def _sharding(draw: st.DrawFn, body: dict[str, Any]) -> None:
    kind = draw(st.sampled_from(["neither", "both", "count", "size"]))
    if kind == "neither":
        del body["shard_count"]
    elif kind == "both":
        body["shard_size"] = draw(st.one_of(st.integers(min_value=1), huge_ints.filter(lambda n: n > 0)))
    elif kind == "count":
        body["shard_count"] = draw(st.one_of(non_positive, not_an_int))
    else:
        del body["shard_count"]
        body["shard_size"] = draw(st.one_of(non_positive, not_an_int))


@_group("max_shards")
def _max_shards(draw: st.DrawFn, body: dict[str, Any]) -> None:
    # null is allowed (it means "the cap"), so it is not among the bad values
    body["max_shards"] = draw(
        st.one_of(st.integers(min_value=1001), non_positive, not_an_int.filter(lambda v: v is not None))
    )


@_group("seed")
def _seed(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body["seed"] = draw(
        st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63), huge_ints, not_an_int)
    )


@_group("output_layout")
def _layout(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body["output_layout"] = draw(json_values.filter(lambda v: v not in ("per_point", "per_shard")))


@_group("failure_injection_shards")
def _injection(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body["failure_injection_shards"] = draw(
        st.one_of(
            _not(list),
            st.lists(st.integers(min_value=2), min_size=1, max_size=3),  # beyond the 2 planned shards
            st.lists(st.integers(max_value=-1), min_size=1, max_size=3),
            st.just([0, 0]),
            st.lists(not_an_int, min_size=1, max_size=3),
            st.lists(huge_ints, min_size=1, max_size=2),
        )
    )


@_group("extra")
def _extra(draw: st.DrawFn, body: dict[str, Any]) -> None:
    body[draw(hostile_text.filter(lambda k: k not in REQUEST_FIELDS))] = draw(json_values)


_NEST = "\x00nest\x00"
# fields where a nested list is never valid (dimensions and base_parameters need objects)
_NESTABLE = ("schema_version", "run_id", "shard_count", "seed", "output_layout", "max_shards")


@dataclass(frozen=True, slots=True)
class HostileCase:
    kind: str
    method: str
    path: str
    body: bytes
    expected: int | None  # the status the contract names, when it names one

    def __repr__(self) -> str:  # hypothesis prints this for a falsifying example
        shown = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
        return f"HostileCase({self.kind}, {self.method} {self.path!r}, {len(self.body)} bytes: {shown!r})"


def _dumps(draw: st.DrawFn, value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated_requests(draw: st.DrawFn) -> HostileCase:
    body = copy.deepcopy(VALID_REQUEST)
    for group in draw(st.sets(st.sampled_from(sorted(_GROUPS)), min_size=1, max_size=3)):
        _GROUPS[group](draw, body)
    data = _dumps(draw, body)
    return HostileCase("mutated", "POST", "/sweep-run", data, 400)


@st.composite
def deeply_nested(draw: st.DrawFn) -> HostileCase:
    body = copy.deepcopy(VALID_REQUEST)
    body[draw(st.sampled_from(_NESTABLE))] = _NEST
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    deepest = (MAX_REQUEST_BYTES - len(json.dumps(body))) // (len(opener) + len(closer))
    depth = draw(st.one_of(st.integers(2, 900), st.integers(900, deepest)))
    data = json.dumps(body).replace(json.dumps(_NEST), opener * depth + "1" + closer * depth)
    return HostileCase("nested", "POST", "/sweep-run", data.encode(), 400)


@st.composite
def raw_bodies(draw: st.DrawFn) -> HostileCase:
    valid = json.dumps(VALID_REQUEST).encode()
    kind = draw(st.sampled_from(["bytes", "truncated", "bad-utf8", "bom", "scalar", "object", "blank"]))
    if kind == "bytes":
        data = draw(st.binary(max_size=400))
    elif kind == "truncated":
        data = valid[: draw(st.integers(0, len(valid) - 1))]
    elif kind == "bad-utf8":
        at = draw(st.integers(0, len(valid)))
        data = valid[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + valid[at:]
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + valid
    elif kind == "scalar":  # any JSON that is not an object
        data = _dumps(draw, draw(_not(dict)))
    elif kind == "object":  # a random object, with at least one field the contract does not know
        obj = draw(st.dictionaries(hostile_text, json_values, max_size=5))
        obj[draw(hostile_text.filter(lambda k: k not in REQUEST_FIELDS))] = draw(json_values)
        data = _dumps(draw, obj)
    else:
        data = draw(st.sampled_from([b"", b" ", b"\n\t ", b"null"]))
    return HostileCase(kind, "POST", "/sweep-run", data, 400)


@st.composite
def oversize_bodies(draw: st.DrawFn) -> HostileCase:
    size = MAX_REQUEST_BYTES + draw(st.integers(1, 200_000))
    body = copy.deepcopy(VALID_REQUEST)
    if draw(st.booleans()):
        data = json.dumps(body).encode()
        data = data + b" " * (size - len(data))  # valid JSON, only too big
    else:
        body["run_id"] = "x" * size
        data = json.dumps(body).encode()
    return HostileCase("oversize", "POST", "/sweep-run", data, 413)


@st.composite
def other_routes(draw: st.DrawFn) -> HostileCase:
    run_id = draw(hostile_text)
    method = draw(st.sampled_from(["GET", "GET", "POST", "PUT", "DELETE", "PATCH", "get", "HEAD", ""]))
    path = draw(
        st.sampled_from(
            [
                f"/sweep-run/{run_id}",
                f"/sweep-run/{run_id}/",
                f"/prod/sweep-run/{run_id}",
                "/sweep-run",
                f"/{run_id}",
                "/",
                "",
            ]
        )
    )
    return HostileCase("route", method, path, draw(st.sampled_from([b"", b"{}"])), None)


hostile_cases = st.one_of(
    mutated_requests(), deeply_nested(), raw_bodies(), oversize_bodies(), other_routes()
)
EVENT_FORMATS = ("v1", "v1-base64", "v2", "v2-text")


def api_event(case: HostileCase, fmt: str) -> dict[str, Any]:
    """The case as API Gateway would deliver it to a catch-all route, so the handler routes the
    hostile path itself: a REST ``/{proxy+}`` resource (v1) or an HTTP API ``$default`` route (v2),
    body text or base64."""
    if fmt.startswith("v1"):
        event = load_event("api_v1_post_sweep_run.json")
        event["httpMethod"] = case.method
        event["path"] = case.path
        event["resource"] = "/{proxy+}"
        event["pathParameters"] = {"proxy": case.path.lstrip("/")}
    else:
        event = load_event("api_v2_post_sweep_run.json")
        event["routeKey"] = event["requestContext"]["routeKey"] = "$default"
        event["rawPath"] = case.path
        event["requestContext"]["http"].update(method=case.method, path=case.path)
    if fmt in ("v1-base64", "v2"):
        event["body"], event["isBase64Encoded"] = base64.b64encode(case.body).decode(), True
    else:  # text bodies: bytes that are not UTF-8 arrive as the local server passes them
        event["body"], event["isBase64Encoded"] = case.body.decode("utf-8", "surrogateescape"), False
    return event


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]


def check_api_answer(response: dict[str, Any]) -> Answer:
    """A proxy response whose body is a JSON object naming the error, sendable as UTF-8."""
    assert isinstance(response, dict), response
    assert response["headers"]["Content-Type"] == "application/json"
    text = response["body"]
    assert isinstance(text, str)
    text.encode("utf-8")  # strict: a lone surrogate here means the answer cannot be sent
    body = json.loads(text)
    assert isinstance(body, dict)
    return Answer(int(response["statusCode"]), body)


def api_fuzz(examples: int, seed: int, figures: DrillFigures | None = None) -> DrillFigures:
    """Throw ``examples`` hostile inputs at the handler; raises at the first broken promise."""
    figures = figures or DrillFigures("hostile API input")
    harness = Harness()
    started = time.perf_counter()

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=hostile_cases, fmt=st.sampled_from(EVENT_FORMATS))
    def throw(case: HostileCase, fmt: str) -> None:
        figures.inputs += 1
        answer = check_api_answer(harness.handler(api_event(case, fmt), harness.context))
        if answer.status >= 500:
            figures.server_errors += 1
        if case.kind == "route" and answer.status == 200 and answer.body.get("runs") == []:
            # GET /sweep-run (with a trailing slash or a stage) is the list of runs: an empty one
            assert harness.objects == {} and harness.queued == []
            figures.verified += 1
            return
        assert 400 <= answer.status < 500, (answer.status, answer.body)
        figures.rejected += 1
        if case.expected is not None:
            assert answer.status == case.expected, (answer.status, answer.body)
        assert isinstance(answer.body.get("error"), str) and answer.body["error"]
        assert isinstance(answer.body.get("message"), str) and answer.body["message"]
        assert harness.objects == {}, sorted(harness.objects)[:5]
        assert harness.queued == []

    try:
        throw()
    finally:
        figures.seconds = time.perf_counter() - started
    return figures


# ---------------------------------------------------------------- the queue side

SHARD_FIELDS = (
    "schema_version",
    "run_id",
    "run_date",
    "shard_id",
    "start_index",
    "end_index_exclusive",
    "total_points",
    "dimensions",
    "base_parameters",
    "seed",
    "output_layout",
    "config_fingerprint",
    "inject_failure",
)
_BAD_SHARD_FIELD: dict[str, st.SearchStrategy[Any]] = {
    "schema_version": json_values.filter(lambda v: v != "v1"),
    "run_id": st.one_of(_not(str), hostile_text.filter(lambda s: not contract_allows_run_id(s))),
    "run_date": st.one_of(_not(str), hostile_text, st.sampled_from(["2026-1-1", "../..", "20261128"])),
    "shard_id": st.one_of(st.integers(max_value=-1), not_an_int),
    "start_index": st.one_of(st.integers(max_value=-1), not_an_int),
    "end_index_exclusive": st.one_of(st.integers(max_value=0), not_an_int),
    "total_points": st.one_of(st.integers(max_value=0), not_an_int),
    "dimensions": st.one_of(_not(dict), st.dictionaries(st.text(max_size=5), _not(list), min_size=1)),
    "base_parameters": _not(dict),
    "seed": st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63), not_an_int),
    "output_layout": json_values.filter(lambda v: v not in ("per_point", "per_shard")),
    "config_fingerprint": st.one_of(_not(str), hostile_text),
    "inject_failure": _not(bool),
}


@dataclass(frozen=True, slots=True)
class HostileRecord:
    kind: str  # "malformed": must be a batch item failure; "unrunnable": a failure outcome
    body: Any  # what the record carries (a string, or worse)
    message: dict[str, Any] | None = None  # the parsed message of an unrunnable record


@st.composite
def hostile_records(draw: st.DrawFn, genuine: list[dict[str, Any]], shard_ids: Any) -> HostileRecord:
    message = copy.deepcopy(draw(st.sampled_from(genuine)))
    text = json.dumps(message)
    kind = draw(
        st.sampled_from(["truncated", "text", "json", "drop", "extra", "field", "record", "unrunnable"])
    )
    if kind == "truncated":
        return HostileRecord("malformed", text[: draw(st.integers(0, len(text) - 1))])
    if kind == "text":
        return HostileRecord("malformed", draw(st.text(_hostile_chars, max_size=200)))
    if kind == "json":
        return HostileRecord("malformed", json.dumps(draw(json_values), allow_nan=True))
    if kind == "drop":
        del message[draw(st.sampled_from(SHARD_FIELDS))]
    elif kind == "extra":
        message[draw(hostile_text.filter(lambda k: k not in SHARD_FIELDS))] = draw(json_values)
    elif kind == "field":
        name = draw(st.sampled_from(SHARD_FIELDS))
        message[name] = draw(_BAD_SHARD_FIELD[name])
    elif kind == "record":  # the SQS record itself has no text body
        return HostileRecord("malformed", draw(st.one_of(st.none(), st.integers(), st.lists(st.integers()))))
    else:
        # parses as a v1 message, but cannot run: its run, shard and date are known, so the worker
        # records a failure outcome (shard ids from a range no real shard uses)
        message["shard_id"] = next(shard_ids)
        breakage = draw(st.sampled_from(["range", "beyond", "total", "parameter", "value"]))
        if breakage == "range":
            message["start_index"] = message["end_index_exclusive"]
        elif breakage == "beyond":
            message["end_index_exclusive"] = message["total_points"] + draw(st.integers(1, 10**6))
        elif breakage == "total":
            message["total_points"] += draw(st.integers(1, 10**6))
        elif breakage == "parameter":
            message["dimensions"]["num_cars"] = [1]
        else:
            message["dimensions"]["num_drivers"] = [
                draw(st.sampled_from([0, -5, 10**7, 1.5, "9", True, None]))
            ]
        return HostileRecord("unrunnable", json.dumps(message, allow_nan=True), message)
    return HostileRecord("malformed", json.dumps(message, allow_nan=True))


def sqs_event(bodies: list[Any], receive_count: int = 1) -> dict[str, Any]:
    template = load_event("sqs_shard_batch.json")["Records"][0]
    records = []
    for i, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record["messageId"] = f"record-{i}"
        record["body"] = body
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def sqs_fuzz(examples: int, seed: int, figures: DrillFigures | None = None) -> DrillFigures:
    """Batches that mix genuine shard messages with hostile ones; the genuine ones must complete."""
    figures = figures or DrillFigures("hostile shard messages")
    harness = Harness()
    status, accepted = harness.post(VALID_REQUEST)
    assert status == 202, accepted
    genuine_bodies = harness.container.shard_inbox().take_all()
    genuine = [json.loads(b) for b in genuine_bodies]
    keys: StorageKeys = harness.container.keys()
    run_date, run_id = accepted["run_date"], accepted["run_id"]
    unused_shard_ids = iter(range(1000, 10**9))
    unrunnable = 0
    started = time.perf_counter()

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        hostile=st.lists(hostile_records(genuine, unused_shard_ids), min_size=1, max_size=6),
        order=st.integers(0, 2**32),
    )
    def throw(hostile: list[HostileRecord], order: int) -> None:
        nonlocal unrunnable
        batch: list[tuple[str, Any, HostileRecord | None]] = [
            ("genuine", b.decode(), None) for b in genuine_bodies
        ] + [("hostile", r.body, r) for r in hostile]
        random.Random(order).shuffle(batch)
        answer = harness.handler(sqs_event([body for _, body, _ in batch]), harness.context)
        figures.inputs += len(hostile)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        for i, (_origin, _body, record) in enumerate(batch):
            reported = f"record-{i}" in failed
            if record is None:
                assert not reported, "a genuine message failed because of its neighbours"
            elif record.kind == "malformed":
                assert reported, f"a malformed record was acknowledged: {record.body!r:.300}"
                figures.rejected += 1
            else:
                assert record.message is not None and not reported
                unrunnable += 1
                m = record.message
                assert harness.objects.get(keys.outcome(m["run_date"], m["run_id"], "failure", m["shard_id"]))
                assert not harness.objects.get(
                    keys.outcome(m["run_date"], m["run_id"], "success", m["shard_id"])
                )
        code, status_body = harness.get(run_id)
        assert (code, status_body["state"]) == (200, "succeeded"), status_body
        stray = [k for k in harness.objects if not k.startswith(keys.prefix + "/")]
        assert stray == []
        point_keys = {
            k for k in harness.objects if "/status=success/" in k and "/dataset=shard_outcomes/" not in k
        }
        assert all(f"/run_date={run_date}/run_id={run_id}/" in k for k in point_keys)

    try:
        throw()
    finally:
        figures.seconds = time.perf_counter() - started
        figures.notes.append(
            f"{figures.rejected} malformed records reported as batch item failures, {unrunnable} "
            "unrunnable ones recorded as failure outcomes; every genuine record completed"
        )
    return figures
