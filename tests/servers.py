"""Real servers for end-to-end tests: a store folder in a temporary directory, served by uvicorn."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from graph.store import OxigraphStore
from sparql_api.server import running_server
from sparql_api.settings import Settings

Load = tuple[bytes, str, str | None]  # data, media type, graph (None = default graph)


def make_store(folder: Path, loads: Sequence[Load] = ()) -> Path:
    """A store folder holding ``loads`` (closed again, so the server's writer can open it)."""
    store = OxigraphStore(folder / "oxigraph")
    for data, media, graph in loads:
        store.load(data, media, graph)
    store.close()
    del store
    gc.collect()
    return folder


@contextmanager
def serve(folder: Path, settings: Settings | None = None, loads: Sequence[Load] = ()) -> Iterator[str]:
    """Serve a new store folder with ``loads``; yields the server's base URL."""
    make_store(folder, loads)
    with running_server(folder, settings or Settings(access_log=False)) as url:
        yield url


def snapshot(url: str) -> list[str]:
    """Every quad of the served store's named graphs, as sorted TSV lines (to compare before and after)."""
    import httpx

    query = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"},
                         timeout=60)
    response.raise_for_status()
    return sorted(response.text.splitlines()[1:])


def ask(url: str, query: str) -> bool:
    import httpx

    response = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"},
                         timeout=60)
    response.raise_for_status()
    return bool(response.json()["boolean"])


def rows(url: str, query: str) -> list[dict[str, str]]:
    import httpx

    response = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"},
                         timeout=60)
    response.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def triples_in(url: str, graph: str) -> int:
    return int(rows(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"])


def children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        if f"PPid:\t{pid}\n" in status and "State:\tZ" not in status:
            found.add(int(proc.name))
    return found


def server_tree(pid: int | None = None) -> tuple[set[int], set[int]]:
    """(zygote pids, their children: the workers and the writer) of servers started by this test process."""
    import os

    zygotes = {p for p in children(pid or os.getpid()) if process_name(p) == "quartiers-zygot"}
    forked = set().union(*(children(z) for z in zygotes)) if zygotes else set()
    return zygotes, {p for p in forked if process_name(p) in ("quartiers-worke", "quartiers-write")}


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
