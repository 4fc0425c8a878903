"""The servers under test, each started as its own process tree on 127.0.0.1, and the memory of those trees.

- this project: ``benchmarks.serve_store`` (sparql_api.server.serve on a store folder, default settings), or
  ``quartiers serve`` for the cold start;
- Oxigraph server (``oxigraph serve-read-only``, PyPI package ``oxigraph``) on its own store loaded from the same
  N-Quads, with ``--union-default-graph`` as this project serves the union by default;
- rdflib-endpoint (``rdflib-endpoint serve``) parsing the same N-Quads into an rdflib Dataset (default_union=True).

The peers live in their own virtual environment (``PEER_ENV``), never the project's.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PEER_ENV = Path(os.environ.get("QUARTIERS_BENCH_ENV", "/tmp/qkg-bench-env"))
PEER_PACKAGES = ("oxigraph>=0.5,<0.6", "rdflib-endpoint>=0.6", "click", "uvicorn")
REPO = Path(__file__).resolve().parent.parent
PROBE = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


def ensure_peer_env() -> Path:
    """Create the peers' virtual environment and install them (once)."""
    binary = PEER_ENV / "bin"
    if not (binary / "oxigraph").exists() or not (binary / "rdflib-endpoint").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_ENV)], check=True)
        subprocess.run([str(binary / "pip"), "install", "--quiet", *PEER_PACKAGES], check=True)
    return binary


def peer_versions() -> dict[str, str]:
    out = subprocess.run([str(PEER_ENV / "bin" / "pip"), "list", "--format", "freeze"], capture_output=True, text=True)
    found = dict(line.split("==", 1) for line in out.stdout.splitlines() if "==" in line)
    return {name: found.get(name, "?") for name in ("oxigraph", "rdflib-endpoint", "rdflib")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- memory of a process tree -----------------------------------------------------------------------------
def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(proc.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


def rollup(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes, from /proc/PID/smaps_rollup (0, 0 if it is gone)."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def tree_memory(pid: int) -> dict[str, int]:
    """RSS and PSS summed over the process tree rooted at ``pid``, and its number of processes."""
    pids = descendants(pid)
    sizes = [rollup(p) for p in pids]
    return {"rss": sum(r for r, _ in sizes), "pss": sum(p for _, p in sizes), "processes": len(pids)}


# --- servers ---------------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    command: list[str]
    url: str  # the SPARQL endpoint
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str | None = None  # a path answering 200 once the server is fully up (else: the probe query)
    process: subprocess.Popen | None = None
    log: Path | None = None
    started_seconds: float = 0.0  # process start → first answer

    def start(self, log_dir: Path, timeout: float = 900.0) -> Server:
        self.log = log_dir / (re.sub(r"[^A-Za-z0-9._-]+", "-", self.name) + ".log")
        handle = self.log.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
                                        env={**os.environ, **self.env})
        first = wait_answer(self.url, self.process, timeout)
        self.started_seconds = first - started
        if self.ready_path:
            base = self.url.rsplit("/", 1)[0]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + self.ready_path, timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def memory(self) -> dict[str, int]:
        return tree_memory(self.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wait_answer(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Poll ``url`` with a probe query until it answers 200; the perf_counter time of that answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {' '.join(process.args)}")
        try:
            response = httpx.get(url, params={"query": PROBE}, headers={"Accept": "application/sparql-results+json"},
                                 timeout=5)
            if response.status_code == 200:
                return time.perf_counter()
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def project_server(store_dir: Path, token: str, port: int | None = None, timeout: float = 30.0,
                   extra_path: Path | None = None, name: str = "Quartiers KG") -> Server:
    """``extra_path``: a folder of packages put after the repository on PYTHONPATH (an A/B of a dependency)."""
    port = port or free_port()
    command = [sys.executable, "-m", "benchmarks.serve_store", str(store_dir), str(port), str(timeout)]
    path = f"{REPO}{os.pathsep}{extra_path}" if extra_path else str(REPO)
    return Server(name, command, f"http://127.0.0.1:{port}/sparql", ready_path="/ready",
                  env={"PYTHONPATH": path, "QUARTIERS_TOKEN": token})


def project_cli_server(store_dir: Path, port: int | None = None) -> Server:
    """``quartiers serve`` as a user starts it (checks the build first), for the cold start."""
    port = port or free_port()
    command = [sys.executable, "-m", "quartiers_cli.main", "serve", "--store", str(store_dir), "--port", str(port),
               "--no-access-log", "-q"]
    return Server("Quartiers KG (quartiers serve)", command, f"http://127.0.0.1:{port}/sparql",
                  env={"PYTHONPATH": str(REPO)})


def oxigraph_server(location: Path, port: int | None = None, timeout: float = 30.0) -> Server:
    port = port or free_port()
    command = [str(PEER_ENV / "bin" / "oxigraph"), "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", str(int(timeout))]
    return Server("Oxigraph server", command, f"http://127.0.0.1:{port}/query")


def rdflib_endpoint(nquads: Path, port: int | None = None) -> Server:
    port = port or free_port()
    command = [str(PEER_ENV / "bin" / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
               str(nquads)]
    return Server("rdflib-endpoint", command, f"http://127.0.0.1:{port}/")


def oxigraph_load(location: Path, nquads: Path) -> float:
    """Load ``nquads`` into a new Oxigraph store with the server's CLI; seconds taken."""
    started = time.perf_counter()
    subprocess.run([str(PEER_ENV / "bin" / "oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
                   check=True, capture_output=True)
    return time.perf_counter() - started
