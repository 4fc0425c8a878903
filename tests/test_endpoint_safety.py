"""Safety points of the endpoint, each against a real server: auth, SHACL gate + provenance, no file or
network access through the query language, limits, CORS, protocol errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph.layout import WRITES_GRAPH
from sparql_api.settings import Settings
from tests.servers import serve, snapshot

TOKEN = "safety-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
QK = "https://w3id.org/quartiers/def#"
G = "https://w3id.org/quartiers/graph/data/test/qpv"
SHAPES = Path(__file__).parent / "w3c" / "gate_shapes.ttl"
QPV_SHAPE = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/quartiers/shapes#TEST-QPV-001> a sh:PropertyShape ; sh:targetClass <{QK}QPV> ;
  sh:path <{QK}qpvCode> ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:severity sh:Violation ;
  sh:message "Un QPV a un seul code."@fr, "A QPV has one code."@en .
"""
QPV_DATA = [(f'<urn:qpv:1> a <{QK}QPV> ; <{QK}qpvCode> "QN1" .'.encode(), "text/turtle", G)]


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    shapes = tmp_path_factory.mktemp("shapes") / "qpv.ttl"
    shapes.write_text(QPV_SHAPE, encoding="utf-8")
    settings = Settings(write_token=TOKEN, gate_shapes=(str(shapes),), max_body_bytes=2000, access_log=False)
    with serve(tmp_path_factory.mktemp("gated"), settings, QPV_DATA) as url:
        yield url


def ask(url: str, query: str) -> bool:
    return httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"}).json()["boolean"]


def test_writes_off_without_token_configured(tmp_path):
    with serve(tmp_path, Settings(access_log=False), QPV_DATA) as url:
        r = httpx.post(url + "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
        assert r.status_code == 403
        assert httpx.delete(url + "/rdf-graphs", params={"graph": G}).status_code == 403


def test_token_required_401_and_wrong_403(gated):
    url = gated
    body = "INSERT DATA { GRAPH <urn:g:x> { <urn:a> <urn:b> 1 } }"
    assert httpx.post(url + "/sparql", content=body, headers={"Content-Type": "application/sparql-update"}
                      ).status_code == 401
    assert httpx.post(url + "/sparql", content=body, headers={**AUTH, "Authorization": "Bearer nope"}
                      ).status_code == 403
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200  # reads need nothing


def test_gate_rejects_violation_with_report_and_store_unchanged(gated):
    url = gated
    before = snapshot(url)
    bad = f'INSERT DATA {{ GRAPH <{G}> {{ <urn:qpv:1> <{QK}qpvCode> "QN2" }} }}'  # 2 codes: maxCount 1
    r = httpx.post(url + "/sparql", content=bad, headers=AUTH)
    assert r.status_code == 422
    report = r.json()["report"]
    assert report["conforms_at_min_severity"] is False
    assert report["results"][0]["focus_node"] == "urn:qpv:1"
    assert report["results"][0]["shape_id"] == "TEST-QPV-001"
    r = httpx.post(url + "/sparql", content=bad, headers={**AUTH, "Accept": "text/turtle"})
    assert r.status_code == 422 and "sh:ValidationReport" in r.text
    r = httpx.put(url + "/rdf-graphs", params={"graph": G}, content=f"<urn:qpv:9> a <{QK}QPV> .",
                  headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert r.status_code == 422
    assert snapshot(url) == before


def test_conforming_write_applied_and_recorded(gated):
    url = gated
    good = f'INSERT DATA {{ GRAPH <{G}> {{ <urn:qpv:2> a <{QK}QPV> ; <{QK}qpvCode> "QN2" }} }}'
    assert httpx.post(url + "/sparql", content=good, headers=AUTH).status_code == 204
    assert ask(url, f'ASK {{ GRAPH <{G}> {{ <urn:qpv:2> <{QK}qpvCode> "QN2" }} }}')
    assert ask(url, f"""ASK {{ GRAPH <{WRITES_GRAPH}> {{
        ?w a <http://www.w3.org/ns/prov#Activity> ; <{QK}triplesAdded> 2 ; <{QK}triplesRemoved> 0 ;
           <http://www.w3.org/ns/prov#wasAssociatedWith> ?agent ;
           <http://www.w3.org/ns/prov#endedAtTime> ?t ;
           <http://www.w3.org/ns/prov#generated> [ <http://www.w3.org/ns/prov#specializationOf> <{G}> ] .
        ?agent <http://xmlns.com/foaf/0.1/nick> "editor" }} }}""")
    # the audit graph is the service's: clients cannot write it, and CLEAR ALL leaves it alone
    r = httpx.post(url + "/sparql", content=f"DROP GRAPH <{WRITES_GRAPH}>", headers=AUTH)
    assert r.status_code == 403


def test_from_file_iri_reads_nothing(tmp_path):
    with serve(tmp_path, Settings(access_log=False), QPV_DATA) as url:
        for params in ({"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"},
                       {"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "file:///etc/passwd"}):
            r = httpx.get(url + "/sparql", params=params, headers={"Accept": "application/json"})
            assert r.status_code == 200
            assert r.json()["results"]["bindings"] == []


def test_load_and_service_outside_allow_list_fail(gated):
    url = gated
    r = httpx.post(url + "/sparql", content="LOAD <file:///etc/passwd>", headers=AUTH)
    assert r.status_code == 403 and "file:///etc/passwd" in r.text
    r = httpx.get(url + "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "Accès refusé" in r.text and "Forbidden" in r.text
    r = httpx.get(url + "/sparql", params={"query": "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:s {} }"})
    assert r.status_code == 403 and "http://evil.example/s" in r.text


def test_results_are_complete_and_the_body_is_capped(gated):
    url = gated
    values = " ".join(str(i) for i in range(5000))
    r = httpx.get(url + "/sparql", params={"query": f"SELECT * {{ VALUES ?x {{ {values} }} }}"},
                  headers={"Accept": "application/json"})
    assert [int(b["x"]["value"]) for b in r.json()["results"]["bindings"]] == list(range(5000))
    r = httpx.post(url + "/sparql", content="ASK {}" + " " * 3000, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_query_timeout_returns_503_or_aborts_the_stream(tmp_path):
    data = "".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(300)).encode()
    with serve(tmp_path, Settings(query_timeout=0.5, access_log=False), [(data, "text/turtle", "urn:g")]) as url:
        cross = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l"
        r = httpx.get(url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ {cross} }}"},
                      headers={"Accept": "text/csv"}, timeout=60)
        assert r.status_code == 503 and "timeout" in r.text
        # a result already streaming when its time runs out is cut loudly: the client sees a broken body
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url + "/sparql", params={"query": f"SELECT * {{ {cross} }}"},
                      headers={"Accept": "text/csv"}, timeout=60)
        assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200  # still serving


def test_syntax_error_has_line_and_column(gated):
    url = gated
    r = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert r.status_code == 400 and "2:" in r.text


def test_cors_preflight_with_authorization(gated):
    url = gated
    r = httpx.options(url + "/sparql", headers={
        "Origin": "https://yasgui.triply.cc", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 200
    assert "authorization" in r.headers["access-control-allow-headers"].lower()
    r = httpx.get(url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.triply.cc"})
    assert r.headers["access-control-allow-origin"] == "*"
