"""Run the endpoint with uvicorn: ``serve`` (blocking) and ``running_server`` (a thread, for tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import uvicorn

from graph.store import Store
from sparql_api.app import create_app
from sparql_api.settings import Settings


def serve(store: Store, settings: Settings) -> None:
    """Serve until interrupted."""
    uvicorn.run(create_app(store, settings), host=settings.host, port=settings.port, log_level="info")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 and a free port, in a background thread; yields its base URL."""
    settings = replace(settings or Settings(), host="127.0.0.1", port=free_port())
    config = uvicorn.Config(
        create_app(store, settings), host=settings.host, port=settings.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sparql-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the SPARQL server failed to start")
        time.sleep(0.02)
    try:
        yield f"http://{settings.host}:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
