"""The endpoint keeps the inferred graph current: a write's entailments appear and disappear with it, in the
same commit, and clients cannot write the inferred graph."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.layout import INFERRED_GRAPH
from graph.namespaces import QK, QKG, QKI
from sparql_api.server import running_server
from sparql_api.settings import Settings
from tests.servers import ask

TOKEN = "inference-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
SEM_GRAPH = QKG + "data/contracts/saint-etienne-metropole-2024"
SEM = QKI + "contrat/2024/244200770"
QPV = QKI + "qpv/QN04202M"  # La Chapelle, the only QPV of Andrézieux-Bouthéon (42005) in the national list
COMMUNE = QKI + "commune/42005"


@pytest.fixture(scope="module")
def served(national_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    copy = tmp_path_factory.mktemp("inference-store") / "store"
    shutil.copytree(national_store_path, copy)
    with running_server(copy, Settings(write_token=TOKEN, shacl_gate=False, access_log=False)) as url:
        yield url


def entailed(url: str, s: str, p: str, o: str) -> bool:
    return ask(url, f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{s}> <{p}> <{o}> }} }}")


def test_a_write_changes_its_entailments_and_only_the_service_writes_them(served: str) -> None:
    url = served
    assert entailed(url, SEM, QK + "concernsCommune", COMMUNE)
    assert entailed(url, QPV, QK + "coveredBy", SEM)
    removed = f"DELETE DATA {{ GRAPH <{SEM_GRAPH}> {{ <{SEM}> <{QK}coversQPV> <{QPV}> }} }}"
    assert httpx.post(url + "/sparql", content=removed, headers=HEADERS, timeout=120).status_code == 204
    assert not entailed(url, SEM, QK + "concernsCommune", COMMUNE)
    assert not entailed(url, QPV, QK + "coveredBy", SEM)
    restored = removed.replace("DELETE DATA", "INSERT DATA")
    assert httpx.post(url + "/sparql", content=restored, headers=HEADERS, timeout=120).status_code == 204
    assert entailed(url, SEM, QK + "concernsCommune", COMMUNE)
    assert entailed(url, QPV, QK + "coveredBy", SEM)
    forged = f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ <{SEM}> <{QK}concernsCommune> <{QKI}commune/75056> }} }}"
    response = httpx.post(url + "/sparql", content=forged, headers=HEADERS, timeout=120)
    assert response.status_code == 403
    assert not entailed(url, SEM, QK + "concernsCommune", QKI + "commune/75056")


def test_the_asserted_endpoint_leaves_the_entailments_out_and_both_are_described(served: str) -> None:
    url = served
    query = f"ASK {{ <{SEM}> <{QK}concernsCommune> <{COMMUNE}> }}"  # entailed only (the chain coversQPV/commune)
    for path, expected in (("/sparql", True), ("/sparql/asserted", False)):
        response = httpx.get(url + path, params={"query": query}, headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.json()["boolean"] is expected, path
    stated = f"ASK {{ <{SEM}> <{QK}coversQPV> <{QPV}> }}"  # the asserted data is all there, on both
    for path in ("/sparql", "/sparql/asserted"):
        response = httpx.get(url + path, params={"query": stated}, headers={"Accept": "application/json"})
        assert response.json()["boolean"] is True, path
    ent = "http://www.w3.org/ns/entailment/"
    with_entailments = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"}).text
    asserted = httpx.get(url + "/sparql/asserted", headers={"Accept": "text/turtle"}).text
    assert f"<{ent}OWL-RDF-Based>" in with_entailments and "owl-profile/RL" in with_entailments
    assert f"<{ent}Simple>" in asserted and INFERRED_GRAPH not in asserted
    update = httpx.post(url + "/sparql/asserted", content="CLEAR ALL", headers=HEADERS)
    assert update.status_code == 405
