"""SHACL-gated writes with the project's own shapes and validator, on a copy of the national store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.layout import WRITES_GRAPH
from graph.namespaces import EUR, QK, QKG, QKI
from graph.store import OxigraphStore
from sparql_api.server import running_server
from sparql_api.settings import Settings

TOKEN = "national-gate-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
SEM_GRAPH = QKG + "data/contracts/saint-etienne-metropole-2024"
SEM = QKI + "contrat/2024/244200770"
SYN = "https://example.org/synthetic/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def gated(national_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, OxigraphStore]]:
    """A writable copy of the whole national store, served with writes on and the default SHACL gate."""
    copy = tmp_path_factory.mktemp("gate-store") / "store"
    shutil.copytree(national_store_path, copy)
    store = OxigraphStore(copy / "oxigraph")
    with running_server(store, Settings(write_token=TOKEN)) as url:
        yield url, store


def funding_update(amount: str) -> str:
    line = SYN + "funding/" + amount.replace("-", "minus")
    return f"""INSERT DATA {{ GRAPH <{SEM_GRAPH}> {{
        <{line}> a <{QK}Funding> ; <{QK}amount> "{amount}"^^<{XSD}decimal> ; <{QK}currency> <{EUR}> ;
            <{QK}funder> <{QKI}org/244200770> ; <{QK}contract> <{SEM}> ; <{QK}year> "2025"^^<{XSD}gYear> ;
            <{QK}purpose> "synthetic test line" ;
            <http://www.w3.org/ns/prov#wasDerivedFrom> <{SYN}source> .
    }} }}"""


def test_a_negative_amount_is_refused_with_the_rule_and_nothing_changes(gated: tuple[str, OxigraphStore]) -> None:
    url, store = gated
    before = store.count(SEM_GRAPH)
    response = httpx.post(url + "/sparql", content=funding_update("-5"), headers=HEADERS, timeout=120)
    assert response.status_code == 422, response.text
    results = [r for r in response.json()["report"]["results"] if r["severity"] == "Violation"]
    assert {r["focus_node"] for r in results} == {SYN + "funding/minus5"}
    assert {r["shape_id"] for r in results} == {"CDV-FIN-002"}, results
    assert store.count(SEM_GRAPH) == before
    assert not store.has_graph(WRITES_GRAPH) or store.count(WRITES_GRAPH) == 0


def test_a_conforming_line_is_applied_and_recorded(gated: tuple[str, OxigraphStore]) -> None:
    url, store = gated
    before = store.count(SEM_GRAPH)
    response = httpx.post(url + "/sparql", content=funding_update("1000"), headers=HEADERS, timeout=120)
    assert response.status_code in (200, 204), response.text
    assert store.count(SEM_GRAPH) == before + 8
    prov = "http://www.w3.org/ns/prov#"
    recorded = store.query(
        f"""SELECT ?added ?in_graph WHERE {{ GRAPH <{WRITES_GRAPH}> {{
              ?a a <{prov}Activity> ; <{QK}triplesAdded> ?added ; <{QK}triplesRemoved> 0 ;
                 <{prov}generated> [ <{prov}specializationOf> <{SEM_GRAPH}> ; <{QK}triplesAdded> ?in_graph ] }} }}"""
    ).rows()
    assert recorded == [{"added": "8", "in_graph": "8"}]


def put_graph(url: str, graph: str, body: bytes) -> httpx.Response:
    return httpx.put(
        url + "/rdf-graphs",
        params={"graph": graph},
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
        timeout=120,
    )


def test_putting_a_contract_file_back_passes_and_a_2015_qpv_code_is_refused(
    gated: tuple[str, OxigraphStore], repo_root: Path
) -> None:
    url, store = gated
    graph = QKG + "data/contracts/annemasse-agglomeration-2024"
    original = (repo_root / "data" / "contracts" / "annemasse-agglomeration-2024.ttl").read_bytes()
    before = store.count(graph)
    assert put_graph(url, graph, original).status_code == 204
    assert store.count(graph) == before

    stale = original.replace(b"<qpv/QN07402M>", b"<qpv/QP074002>")
    assert stale != original
    response = put_graph(url, graph, stale)
    assert response.status_code == 422, response.text
    violations = {
        (r["shape_id"], r["value"]) for r in response.json()["report"]["results"] if r["severity"] == "Violation"
    }
    assert ("CDV-GEO-005", QKI + "qpv/QP074002") in violations, violations
    assert store.count(graph) == before
    assert store.query(f"ASK {{ GRAPH <{graph}> {{ ?c <{QK}coversQPV> <{QKI}qpv/QN07402M> }} }}").boolean
