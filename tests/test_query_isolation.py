"""Queries run in killable worker processes: a runaway query is stopped, the endpoint keeps answering, the
workers see every acknowledged write, and errors come back from them intact."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sparql_api.settings import Settings
from tests.servers import serve, server_tree

SYN = "https://example.org/synthetic/"
TOKEN = "isolation-token"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l FILTER(?c != ?l) }"


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[str]:
    triples = "".join(f"<{SYN}s{i}> <{SYN}p> {i} .\n" for i in range(300)).encode()
    settings = Settings(query_timeout=2, write_token=TOKEN, shacl_gate=False, max_workers=4, min_idle_workers=2,
                        max_slow_per_client=3, access_log=False)
    with serve(tmp_path, settings, [(triples, "text/turtle", SYN + "g")]) as url:
        yield url


def ask(url: str, query: str) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=30)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_runaway_queries_are_stopped_and_the_endpoint_keeps_answering(served: str) -> None:
    url = served
    assert ask(url, "ASK { ?s ?p 299 }").json()["boolean"] is True
    _, before = server_tree()

    async def hostile() -> list[int]:
        async with httpx.AsyncClient(timeout=60) as client:
            replies = await asyncio.gather(*(client.get(url + "/sparql", params={"query": RUNAWAY}) for _ in range(3)))
        return [r.status_code for r in replies]

    assert asyncio.run(hostile()) == [503, 503, 503]
    reply = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert reply.status_code == 200
    assert reply.json()["results"]["bindings"][0]["n"]["value"] == "300"
    _, after = server_tree()
    gone = before - after
    assert gone and not any(alive(pid) for pid in gone)  # the runaway workers were killed, others took over


def test_workers_see_every_acknowledged_write(served: str) -> None:
    url = served
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


def test_errors_and_formats_come_back_from_the_workers(served: str) -> None:
    url = served
    bad = ask(url, "SELECT ?x WHERE { ?x ")
    assert bad.status_code == 400 and "1:" in bad.text
    csv = httpx.get(url + "/sparql", params={"query": f"SELECT ?o WHERE {{ <{SYN}s7> ?p ?o }}"},
                    headers={"Accept": "text/csv"})
    assert csv.text.splitlines() == ["o", "7"]
    turtle = httpx.get(url + "/sparql", params={"query": f"CONSTRUCT WHERE {{ <{SYN}s7> ?p ?o }}"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "7" in turtle.text
    refused = httpx.get(url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
