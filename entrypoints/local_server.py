"""A local HTTP server on 127.0.0.1 that feeds the Lambda handler API Gateway proxy events.

Shards enqueued in-process are drained by a background thread, so
``curl -X POST http://127.0.0.1:P/sweep-run -d @request.json`` works on a laptop exactly as on AWS.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from entrypoints.container import Container, build_container
from entrypoints.handler import make_handler
from entrypoints.local_runner import execute_bodies
from entrypoints.logs import configure_logging, get_logger
from entrypoints.settings import Settings

MAX_BODY = 1024 * 1024  # read at most this much; the handler answers 413 above 256 KiB


def proxy_event(method: str, path: str, body: bytes, client_ip: str, user_agent: str) -> dict[str, Any]:
    """An API Gateway REST (v1) event of a greedy proxy resource (``/{proxy+}``), as a stage sends
    it for a path it does not model: the handler routes it by its path."""
    text = body.decode("utf-8", "surrogateescape")
    route, _, query = path.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    multi = {name: [v for k, v in pairs if k == name] for name, _ in pairs}
    return {
        "resource": "/{proxy+}",
        "pathParameters": {"proxy": route.lstrip("/")},
        "path": route,
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "User-Agent": user_agent},
        "body": text,
        "isBase64Encoded": False,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "stage": "local",
            "identity": {"sourceIp": client_ip, "userAgent": user_agent},
        },
    }


class ShardDrainer(threading.Thread):
    """Runs queued shard messages one after another until stopped."""

    def __init__(self, container: Container) -> None:
        super().__init__(name="shard-drainer", daemon=True)
        self._container = container
        self._stop_event = threading.Event()
        self.idle = threading.Event()

    def run(self) -> None:
        queue = self._container.shard_inbox()
        while not self._stop_event.is_set():
            if not queue.wait_for_messages(timeout=0.2):
                self.idle.set()
                continue
            self.idle.clear()
            bodies = queue.take_all()
            try:
                execute_bodies(bodies, self._container)
            except Exception:  # a transient failure: put the messages back for another try
                get_logger().exception("drain_failed", messages=len(bodies))
                queue.put_back(bodies)
                self._stop_event.wait(1.0)  # back off before the retry

    def stop(self) -> None:
        self._stop_event.set()


def make_server(settings: Settings, port: int = 0) -> tuple[ThreadingHTTPServer, ShardDrainer]:
    container = build_container(settings)
    handler = make_handler(container)

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self, method: str) -> None:
            length = _content_length(self.headers.get("Content-Length"))
            if length is None:
                self._reply(
                    400, {"error": "bad_request", "message": "Content-Length must be a number of bytes"}
                )
                self.close_connection = True
                return
            if length > MAX_BODY:
                self._reply(413, {"error": "request_too_large", "message": "the body exceeds 256 KiB"})
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            event = proxy_event(
                method, self.path, body, self.client_address[0], self.headers.get("User-Agent", "")
            )
            answer = handler(event, None)
            self._reply(int(answer["statusCode"]), answer["body"])

        def _reply(self, status: int, body: Any) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_PUT(self) -> None:  # the handler answers 405, as the deployed API does
            self._dispatch("PUT")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

        def log_message(self, format: str, *args: Any) -> None:
            return  # the handler logs every request through structlog

    server = ThreadingHTTPServer(("127.0.0.1", port), RequestHandler)
    server.daemon_threads = True
    drainer = ShardDrainer(container)
    return server, drainer


def _content_length(header: str | None) -> int | None:
    """The body's size in bytes (0 when absent), or ``None`` when the header is not a size."""
    if header is None or not header.strip():
        return 0
    text = header.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def serve_forever(
    settings: Settings, *, port: int, announce: Callable[[str], None], log_group: str | None = None
) -> None:
    """``log_group``: also send the log lines there (CloudWatch Logs), as the deployed API does."""
    shipper = build_container(settings).log_shipper(log_group) if log_group else None
    configure_logging(settings.log_level, run_log_dir=settings.run_log_dir, forward=shipper)
    server, drainer = make_server(settings, port)
    if settings.backend == "aws":  # shards go to SQS; `ridesweep worker` runs them
        where = f"s3://{settings.results_bucket}/{settings.keys.prefix}, shards on {settings.shard_queue_url}"
    else:
        drainer.start()
        where = settings.results_dir
    host, bound = str(server.server_address[0]), server.server_address[1]
    announce(f"serving on http://{host}:{bound} (results in {where}); Ctrl-C stops")
    try:
        server.serve_forever()
    finally:
        drainer.stop()
        server.server_close()
        if shipper is not None:
            shipper.close()
