"""Fixtures shared across test packages. Keep this small; package-specific fixtures live beside
their tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


class _AtomicConditionalPuts:
    """moto checks ``If-None-Match`` and then writes without a lock, so two racing conditional
    PUTs can both win (we saw 1 race in 1,500); S3 guarantees exactly one winner. Serialising
    conditional PUTs gives moto that guarantee, so race tests test our code, not moto's."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "PUT" and "HTTP_IF_NONE_MATCH" in environ:
            with self._lock:
                return self._app(environ, start_response)
        return self._app(environ, start_response)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 and SQS over real HTTP on 127.0.0.1 (a free port), one server per test process."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi_server = server._server  # werkzeug reads .app on every request
    assert wsgi_server is not None
    wsgi_server.app = _AtomicConditionalPuts(wsgi_server.app)
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 (through the environment, as the container builds it) at the moto server."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**FAKE_AWS_ENV, "AWS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(name, value)
    return moto_endpoint


def moto_client(service: str, endpoint: str, **overrides: Any) -> Any:
    """A client aimed at ``endpoint`` with fake credentials, whatever the environment says."""
    from adapters.aws.clients import make_client

    return make_client(
        service,  # type: ignore[arg-type]
        endpoint_url=endpoint,
        region_name=FAKE_AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        **overrides,
    )


@pytest.fixture(scope="session")
def moto_s3(moto_endpoint: str) -> Any:
    return moto_client("s3", moto_endpoint)


@pytest.fixture(scope="session")
def moto_sqs(moto_endpoint: str) -> Any:
    return moto_client("sqs", moto_endpoint)


@pytest.fixture(autouse=True)
def _no_run_log_dir_left_behind() -> Iterator[None]:
    """A command run in-process may point the runs' log files at its results directory; the next
    test must not write there."""
    yield
    import entrypoints.logs

    entrypoints.logs._run_log_dir = None
