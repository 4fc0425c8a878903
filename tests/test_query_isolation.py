"""Queries over an on-disk store run in killable worker processes: a runaway query is stopped, the endpoint
keeps answering, and the workers see every acknowledged write."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.store import OxigraphStore
from sparql_api.server import running_server
from sparql_api.settings import Settings

SYN = "https://example.org/synthetic/"
TOKEN = "isolation-token"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l FILTER(?c != ?l) }"


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, OxigraphStore, object]]:
    store = OxigraphStore(tmp_path / "oxigraph")
    triples = "".join(f"<{SYN}s{i}> <{SYN}p> {i} .\n" for i in range(300))
    store.load(triples.encode(), "text/turtle", SYN + "g")
    settings = Settings(query_timeout=2, write_token=TOKEN, shacl_gate=False, query_workers=2)
    with running_server(store, settings) as url:
        yield url, store, settings


def ask(url: str, query: str) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=30)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def worker_pids() -> set[int]:
    """The query worker processes of this test process (spawned children, not the resource tracker)."""
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and is_worker(p)}


def is_worker(proc: Path) -> bool:
    try:
        status = (proc / "status").read_text()
        cmdline = (proc / "cmdline").read_text()
    except OSError:
        return False
    return f"PPid:\t{os.getpid()}\n" in status and "spawn_main" in cmdline and "State:\tZ" not in status


def test_runaway_queries_are_stopped_and_the_endpoint_keeps_answering(served) -> None:
    url, _, _ = served
    assert ask(url, "ASK { ?s ?p 299 }").json()["boolean"] is True
    before = worker_pids()
    assert len(before) == 2

    async def hostile() -> list[int]:
        async with httpx.AsyncClient(timeout=60) as client:
            replies = await asyncio.gather(
                *(client.get(url + "/sparql", params={"query": RUNAWAY}) for _ in range(3))
            )
        return [r.status_code for r in replies]

    statuses = asyncio.run(hostile())
    assert statuses == [503, 503, 503]
    reply = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert reply.status_code == 200
    assert reply.json()["results"]["bindings"][0]["n"]["value"] == "300"
    after = worker_pids()
    assert len(after) == 2
    assert not any(alive(pid) for pid in before - after)  # the runaway workers were killed
    assert before != after


def test_workers_see_every_acknowledged_write(served) -> None:
    url, _, _ = served
    assert ask(url, f"ASK {{ <{SYN}new> ?p ?o }}").json()["boolean"] is False
    for i in range(3):
        response = httpx.post(
            url + "/sparql",
            content=f"INSERT DATA {{ GRAPH <{SYN}g> {{ <{SYN}new> <{SYN}p> {1000 + i} }} }}",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"},
        )
        assert response.status_code == 204
        count = ask(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{SYN}new> ?p ?o }}").json()
        assert count["results"]["bindings"][0]["n"]["value"] == str(i + 1)


def test_errors_and_formats_come_back_from_the_workers(served) -> None:
    url, _, _ = served
    bad = ask(url, "SELECT ?x WHERE { ?x ")
    assert bad.status_code == 400 and "1:" in bad.text
    csv = httpx.get(url + "/sparql", params={"query": f"SELECT ?o WHERE {{ <{SYN}s7> ?p ?o }}"},
                    headers={"Accept": "text/csv"})
    assert csv.text.splitlines() == ["o", "7"]
    turtle = httpx.get(url + "/sparql", params={"query": f"CONSTRUCT WHERE {{ <{SYN}s7> ?p ?o }}"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "7" in turtle.text
    refused = httpx.get(url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
