"""Durability and shutdown of the real server process (issue 8): kill -9 in the middle of writes loses no
acknowledged write; several clients mixing reads and authorised writes see no half-applied update and lose none;
SIGTERM stops the server and every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sparql_api.server import free_port
from tests.servers import children, make_store

TOKEN = "durability-token"
UPDATE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
SYN = "https://example.org/synthetic/"
G = SYN + "graph/durable"
SERVE = """
import sys
from pathlib import Path
from sparql_api.server import serve
from sparql_api.settings import Settings

if __name__ == "__main__":
    serve(Path(sys.argv[1]), Settings(port=int(sys.argv[2]), write_token=sys.argv[3], shacl_gate=False,
                                      max_workers=3, min_idle_workers=1, access_log=False))
"""


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    script = store / "serve.py"
    script.write_text(SERVE, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(store), str(port), TOKEN],
                               cwd=Path(__file__).parent.parent, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "server exited")
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


@contextmanager
def served(store: Path) -> Iterator[str]:
    """A server process on ``store``; stopped with SIGTERM afterwards."""
    port = free_port()
    process = start(store, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def tree(pid: int) -> set[int]:
    found = {pid}
    frontier = [pid]
    while frontier:
        kids = children(frontier.pop())
        found |= kids
        frontier.extend(kids)
    return found


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Path]:
    make_store(tmp_path, [(f"<{SYN}seed> <{SYN}p> 0 .".encode(), "text/turtle", G)])
    yield tmp_path


def insert(url: str, n: int) -> int:
    text = f"INSERT DATA {{ GRAPH <{G}> {{ <{SYN}w{n}> <{SYN}n> {n} . <{SYN}w{n}> <{SYN}pair> {n} }} }}"
    return httpx.post(url + "/sparql", content=text, headers=UPDATE, timeout=30).status_code


def written(url: str) -> set[int]:
    query = f"SELECT ?n WHERE {{ GRAPH <{G}> {{ ?s <{SYN}n> ?n }} }}"
    reply = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=60)
    return {int(b["n"]["value"]) for b in reply.json()["results"]["bindings"]}


def test_kill_9_during_writes_loses_no_acknowledged_write(store: Path) -> None:
    acknowledged: set[int] = set()
    counter = 0
    for _round in range(3):
        port = free_port()
        process = start(store, port)
        url = f"http://127.0.0.1:{port}"
        assert acknowledged <= written(url)  # what earlier rounds acknowledged survived the kill
        stop = threading.Event()

        def writer(url: str, stop: threading.Event) -> None:
            nonlocal counter
            while not stop.is_set():
                counter += 1
                n = counter
                try:
                    if insert(url, n) in (200, 204):
                        acknowledged.add(n)
                except httpx.HTTPError:
                    return

        before = len(acknowledged)
        thread = threading.Thread(target=writer, args=(url, stop))
        thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) == before and time.monotonic() < deadline:
            time.sleep(0.05)  # the first write of the round is acknowledged (the writer process is up)
        time.sleep(0.5)  # more writes land, the kill falls in the middle of others
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        stop.set()
        thread.join()
    with served(store) as url:
        assert len(acknowledged) >= 3
        assert acknowledged <= written(url)


def test_readers_and_writers_together_see_whole_updates_and_keep_every_write(store: Path) -> None:
    acknowledged: set[int] = set()
    torn: list[str] = []
    lock = threading.Lock()

    def write(base: int) -> None:
        for i in range(15):
            if insert(url, base + i) in (200, 204):
                with lock:
                    acknowledged.add(base + i)

    def read() -> None:
        query = (f"SELECT (COUNT(?a) AS ?ns) (COUNT(?b) AS ?pairs) WHERE {{ GRAPH <{G}> {{ "
                 f"{{ ?a <{SYN}n> ?x }} UNION {{ ?b <{SYN}pair> ?y }} }} }}")
        for _ in range(30):
            reply = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"},
                              timeout=60)
            if reply.status_code != 200:
                torn.append(f"status {reply.status_code}")
                continue
            row = reply.json()["results"]["bindings"][0]
            if row["ns"]["value"] != row["pairs"]["value"]:
                torn.append(str(row))

    with served(store) as url:
        threads = [threading.Thread(target=write, args=(1000 * k,)) for k in range(1, 4)]
        threads += [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert torn == []
        assert len(acknowledged) == 45
        assert acknowledged <= written(url)


def test_sigterm_stops_the_server_and_all_its_processes(store: Path) -> None:
    port = free_port()
    process = start(store, port)
    url = f"http://127.0.0.1:{port}"
    assert insert(url, 1) in (200, 204)
    processes = tree(process.pid)
    assert len(processes) >= 3  # the server, its zygote, workers and writer
    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully (lifespan: writer flushed, workers stopped), then re-raises the signal
    assert process.wait(timeout=60) in (0, -signal.SIGTERM)
    assert b"Traceback" not in (process.stderr.read() if process.stderr else b"")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in processes):
        time.sleep(0.1)
    left = {pid for pid in processes if Path(f"/proc/{pid}/status").exists()
            and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()}
    assert left == set()
    with served(store) as url:  # the store opens cleanly afterwards, the write is there
        assert 1 in written(url)


def test_validate_while_the_server_holds_the_store(store: Path) -> None:
    """The old main crashed with a traceback (`Flush is only possible on read-write instances`) when `quartiers
    validate` ran beside `quartiers serve` on the same store. Now it answers: a report, or a line saying why not."""
    with served(store) as url:
        assert insert(url, 7) in (200, 204)  # the writer process now holds the store
        run = subprocess.run([sys.executable, "-m", "quartiers_cli.main", "validate", "--store", str(store)],
                             capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=600)
        assert "Traceback" not in run.stderr, run.stderr[-2000:]
        assert run.returncode in (0, 1, 2)
        assert run.stdout.strip() or run.stderr.strip()
        assert 7 in written(url)  # the server kept serving its store
