"""Load: many concurrent submissions against the local HTTP server (``ridesweep serve``) on loopback.

A bounded pool of clients sends a shuffled mix of new runs, resends of the same run (some in
bursts, so they race), conflicting requests that reuse a run id, invalid requests and status
queries. Afterwards: no 5xx and no unanswered request; each run id answered 202 exactly once; every
other answer with the winning request is 200 ``already_accepted`` and every answer with another
request is 409; the drainer completes every accepted run; the results directory holds exactly the
keys those runs should write.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.local.file_blob_store import FileBlobStore
from entrypoints.local_server import make_server
from entrypoints.settings import Settings
from tests.drills.figures import DrillFigures
from tests.harness import expected_keys
from tests.invalid_requests import INVALID_REQUESTS

PREFIX = "sweeps"
TINY = {"request_window_minutes": 10, "simulation_minutes": 20, "num_drivers": 5}


def run_request(number: int, *, variant: int = 0) -> dict[str, Any]:
    """Run ``number``: one point, one shard. Another ``variant`` is another request (seed)."""
    return {
        "run_id": f"load-{number:05d}",
        "dimensions": {"num_riders": [30 + number % 31]},
        "base_parameters": dict(TINY),
        "shard_count": 1,
        "seed": number + 1_000_000 * variant,
    }


@dataclass(frozen=True, slots=True)
class Submission:
    kind: str  # new | resend | conflict | invalid | status
    method: str
    path: str
    body: bytes
    run_id: str | None = None
    variant: int = 0


@dataclass(frozen=True, slots=True)
class Reply:
    submission: Submission
    status: int  # 0: no answer (connection refused, reset or timed out)
    body: dict[str, Any]
    error: str = ""


def plan_submissions(total: int, rng: random.Random) -> list[Submission]:
    """About 40 % new runs, 25 % resends, 8 % conflicts, 20 % invalid, 7 % status queries."""
    runs = max(1, int(total * 0.40))
    originals = [_post("new", run_request(n)) for n in range(runs)]
    others: list[Submission] = []
    invalid_bodies = [json.dumps(v).encode() for v in INVALID_REQUESTS.values()] + [
        b"{not json",
        b"",
        b"\xff\xfe{}",
        b"[" * 50_000,
        b" " * (256 * 1024 + 1) + b"{}",
    ]
    while len(originals) + len(others) < total:
        roll = rng.random()
        number = rng.randrange(runs)
        if roll < 0.42:
            others.append(_post("resend", run_request(number)))
        elif roll < 0.55:
            others.append(_post("conflict", run_request(number, variant=rng.randint(1, 3))))
        elif roll < 0.88:
            others.append(Submission("invalid", "POST", "/sweep-run", rng.choice(invalid_bodies)))
        else:
            others.append(Submission("status", "GET", f"/sweep-run/load-{number:05d}", b""))
    order = originals + others
    rng.shuffle(order)
    # a few bursts: the same request several times in a row, so the clients race on one run id
    for _ in range(max(1, total // 50)):
        at = rng.randrange(len(order))
        if order[at].kind in ("new", "resend"):
            order[at + 1 : at + 1] = [_post("resend", run_request(_number(order[at])))] * 3
    return order[:total]


def _post(kind: str, request: dict[str, Any]) -> Submission:
    return Submission(
        kind,
        "POST",
        "/sweep-run",
        json.dumps(request).encode(),
        request["run_id"],
        request["seed"] // 1_000_000,
    )


def _number(submission: Submission) -> int:
    assert submission.run_id is not None
    return int(submission.run_id.removeprefix("load-"))


def send(port: int, submission: Submission, timeout: float = 60.0) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            submission.method,
            submission.path,
            body=submission.body,
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        text = response.read()
        body = json.loads(text) if text else {}
        return Reply(submission, response.status, body if isinstance(body, dict) else {"body": body})
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Reply(submission, 0, {}, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


@contextmanager
def local_server(results: Path) -> Iterator[int]:
    """``ridesweep serve`` on 127.0.0.1 (a free port), local backend, drainer running; stops itself."""
    settings = Settings(SWEEP_BACKEND="local", SWEEP_RESULTS_DIR=str(results), SWEEP_RESULTS_PREFIX=PREFIX)
    server, drainer = make_server(settings, port=0)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    serving.start()
    drainer.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        drainer.stop()
        drainer.join(timeout=10)
        serving.join(timeout=10)


def wait_until_finished(port: int, run_ids: list[str], deadline_s: float) -> dict[str, dict[str, Any]]:
    """Poll GET /sweep-run/{id} until no run is still running (or the deadline passes)."""
    states: dict[str, dict[str, Any]] = {}
    pending = list(run_ids)
    deadline = time.monotonic() + deadline_s
    while pending and time.monotonic() < deadline:
        still = []
        for run_id in pending:
            reply = send(port, Submission("status", "GET", f"/sweep-run/{run_id}", b""))
            states[run_id] = {"status": reply.status, **reply.body}
            if reply.status == 200 and reply.body.get("state") == "running":
                still.append(run_id)
        pending = still
        if pending:
            time.sleep(0.1)
    return states


def load_drill(
    submissions: int, clients: int, seed: int, figures: DrillFigures | None = None
) -> DrillFigures:
    figures = figures or DrillFigures("load: local server")
    rng = random.Random(seed)
    plan = plan_submissions(submissions, rng)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ridesweep-load-") as tmp, local_server(Path(tmp)) as port:
        with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="load-client") as pool:
            replies = list(pool.map(lambda s: send(port, s), plan))
        accepted = _check_answers(replies, figures)
        states = wait_until_finished(port, sorted(accepted), deadline_s=300)
        unfinished = {r: s for r, s in states.items() if s.get("state") != "succeeded"}
        assert not unfinished, f"{len(unfinished)} runs did not finish: {list(unfinished.items())[:3]}"
        _check_store(Path(tmp), accepted, figures)
    figures.seconds = time.perf_counter() - started
    figures.notes.append(
        f"{len(accepted)} runs accepted once each; answers: "
        + ", ".join(f"{k}={v}" for k, v in sorted(Counter(r.status for r in replies).items()))
    )
    return figures


def _check_answers(replies: list[Reply], figures: DrillFigures) -> dict[str, Submission]:
    """The winner of each run id: the submission answered 202."""
    figures.inputs = len(replies)
    figures.server_errors = sum(1 for r in replies if r.status >= 500 or r.status == 0)
    broken = [
        (r.submission.kind, r.status, r.error or r.body) for r in replies if r.status >= 500 or r.status == 0
    ]
    assert not broken, f"{len(broken)} requests answered 5xx or not at all: {broken[:5]}"
    figures.rejected = sum(1 for r in replies if 400 <= r.status < 500)

    by_run: dict[str, list[Reply]] = defaultdict(list)
    for reply in replies:
        kind = reply.submission.kind
        if kind == "invalid":
            assert reply.status in (400, 413), (reply.status, reply.body)
            assert reply.body.get("error") and reply.body.get("message")
        elif kind == "status":
            assert reply.status in (200, 404), (reply.status, reply.body)
        else:
            assert reply.submission.run_id is not None
            by_run[reply.submission.run_id].append(reply)

    winners: dict[str, Submission] = {}
    for run_id, answers in by_run.items():
        won = [r for r in answers if r.status == 202]
        assert len(won) == 1, f"{run_id}: {len(won)} answers 202 (want exactly one)"
        winner = won[0]
        assert winner.body["status"] == "accepted" and winner.body["run_id"] == run_id
        winners[run_id] = winner.submission
        for reply in answers:
            if reply is winner:
                continue
            if reply.submission.body == winner.submission.body:
                assert reply.status == 200 and reply.body["status"] == "already_accepted", reply.body
                assert reply.body["request_fingerprint"] == winner.body["request_fingerprint"]
                figures.duplicates += 1
            else:
                assert reply.status == 409 and reply.body["error"] == "run_conflict", reply.body
    return winners


def _check_store(root: Path, winners: dict[str, Submission], figures: DrillFigures) -> None:
    store = FileBlobStore(root)
    actual = set(store.list_keys(""))
    expected: set[str] = set()
    for submission in winners.values():
        manifest = json.loads(store.get(f"{PREFIX}/runs/run_id={submission.run_id}/manifest.json") or b"{}")
        request = json.loads(submission.body)
        assert manifest.get("request", {}).get("seed") == request["seed"], "the manifest is not the winner's"
        accepted_at = datetime.fromisoformat(manifest["accepted_at"])
        expected |= expected_keys(request, manifest["run_date"], prefix=PREFIX, accepted_at=accepted_at)
    figures.verified = len(expected & actual)
    figures.lost = len(expected - actual)
    figures.misplaced = len(actual - expected)
    assert actual == expected, (sorted(expected - actual)[:5], sorted(actual - expected)[:5])
    leftovers = [p for p in root.rglob(".tmp-*")]
    assert not leftovers, f"temporary files left behind: {leftovers[:5]}"


# ---------------------------------------------------------------- HTTP a client should not send


def _post_raw(body: bytes) -> bytes:
    return b"POST /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body


ODD_REQUESTS: dict[str, bytes] = {
    "content-length not a number": b"POST /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    "negative content-length": b"POST /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
    "absurd content-length": b"POST /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: "
    + b"9" * 5000
    + b"\r\n\r\n{}",
    "over the server's read limit": b"POST /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n",
    "PUT": b"PUT /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    "DELETE": b"DELETE /sweep-run/load-00001 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    "PATCH": b"PATCH /sweep-run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    "lone surrogate in a field name": _post_raw(
        b'{"run_id":"a","dimensions":{"\\ud800":[1]},"shard_count":1}'
    ),
    "lone surrogate in the run id": _post_raw(b'{"run_id":"\\udc80","dimensions":{"num_riders":[1]}}'),
    "path traversal in the run id": b"GET /sweep-run/..%2F..%2Fetc HTTP/1.1\r\nHost: x\r\n\r\n",
}


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> tuple[int, dict[str, Any]]:
    """Send ``data`` as is; the status and JSON body of the answer (status 0: none came)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while b"\r\n\r\n" not in received or not _complete(received):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            return 0, {"error": "timed out"}
    if not received.startswith(b"HTTP/1."):
        return 0, {"error": "no answer", "received": received[:100].decode("latin-1")}
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {"not_json": body[:100].decode("latin-1")}
    return status, parsed


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


def odd_http_drill(figures: DrillFigures | None = None) -> DrillFigures:
    figures = figures or DrillFigures("odd HTTP: local server")
    started = time.perf_counter()
    problems = []
    with tempfile.TemporaryDirectory(prefix="ridesweep-http-") as tmp, local_server(Path(tmp)) as port:
        for name, data in ODD_REQUESTS.items():
            figures.inputs += 1
            status, body = raw_exchange(port, data)
            if status >= 500 or status == 0:
                figures.server_errors += 1
            if 400 <= status < 500 and body.get("error") and body.get("message"):
                figures.rejected += 1
            else:
                problems.append((name, status, body))
        written = list(Path(tmp).rglob("*"))
    figures.seconds = time.perf_counter() - started
    assert not problems, problems
    assert not written, written[:5]
    return figures
