"""Run the endpoint with uvicorn: ``serve`` (blocking) and ``running_server`` (a thread, for tests)."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import uvicorn

from sparql_api.app import create_app
from sparql_api.engine import StreamAborted
from sparql_api.settings import Settings

STARTUP_SECONDS = 120.0


class HideAborts(logging.Filter):
    """A stream aborted on purpose (a failure after the first byte) is logged as one line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], StreamAborted):
            record.msg = f"stream aborted: {record.exc_info[1]}"
            record.args = ()
            record.exc_info = None
        return True


def configure_logging(access_log: bool) -> None:
    logging.getLogger("uvicorn.error").addFilter(HideAborts())
    access = logging.getLogger("quartiers.access")
    access.setLevel(logging.INFO if access_log else logging.WARNING)
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False


def uvicorn_config(store_dir: Path, settings: Settings, log_level: str) -> uvicorn.Config:
    configure_logging(settings.access_log)
    return uvicorn.Config(
        create_app(store_dir, settings),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,  # the app logs each request itself (request id, redacted query)
        lifespan="on",
        timeout_graceful_shutdown=10,
        timeout_keep_alive=30,
    )


def serve(store_dir: Path, settings: Settings) -> None:
    """Serve until interrupted (SIGINT/SIGTERM: requests in flight finish, then processes stop)."""
    uvicorn.Server(uvicorn_config(store_dir, settings, "info")).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(store_dir: Path, settings: Settings | None = None) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 and a free port, in a background thread; yields its base URL once
    the in-memory replica is loaded and its workers are up (not merely answering from the disk reader)."""
    settings = replace(settings or Settings(access_log=False), host="127.0.0.1", port=free_port())
    server = uvicorn.Server(uvicorn_config(store_dir, settings, "warning"))
    thread = threading.Thread(target=server.run, name="sparql-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    app = server.config.app
    while not (server.started and app.state.engine.replica_ready.is_set()):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the SPARQL server failed to start")
        time.sleep(0.02)
    try:
        yield f"http://{settings.host}:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
