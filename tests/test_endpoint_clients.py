"""Real clients against a real server: SPARQLWrapper, rdflib SPARQLStore / SPARQLUpdateStore, an rdflib
SERVICE clause, plain httpx for negotiation corner cases."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from sparql_api.settings import Settings
from tests.servers import serve

TOKEN = "client-token"
G1 = "https://w3id.org/quartiers/graph/data/test/one"
G2 = "https://w3id.org/quartiers/graph/data/test/two"
DATA = {
    G1: b'@prefix qk: <https://w3id.org/quartiers/def#> . <https://w3id.org/quartiers/id/qpv/QN04202M> '
        b'a qk:QPV ; qk:qpvCode "QN04202M" ; <http://www.w3.org/2000/01/rdf-schema#label> "Montreynaud"@fr .',
    G2: b'<https://w3id.org/quartiers/id/qpv/QN06901M> a <https://w3id.org/quartiers/def#QPV> ; '
        b'<https://w3id.org/quartiers/def#qpvCode> "QN06901M" .',
}
Q_CODES = "SELECT ?code WHERE { ?q <https://w3id.org/quartiers/def#qpvCode> ?code } ORDER BY ?code"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    loads = [(data, "text/turtle", graph) for graph, data in DATA.items()]
    settings = Settings(write_token=TOKEN, shacl_gate=False, access_log=False)
    with serve(tmp_path_factory.mktemp("clients"), settings, loads) as url:
        yield url + "/sparql"


def wrapper(endpoint: str, fmt: str, query: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setReturnFormat(fmt)
    sparql.setQuery(query)
    return sparql


def test_sparqlwrapper_json_xml_csv(endpoint):
    res = wrapper(endpoint, JSON, Q_CODES).query().convert()
    assert [b["code"]["value"] for b in res["results"]["bindings"]] == ["QN04202M", "QN06901M"]
    doc = wrapper(endpoint, XML, Q_CODES).query().convert()
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == ["QN04202M", "QN06901M"]
    rows = list(csv.reader(io.StringIO(wrapper(endpoint, CSV, Q_CODES).query().convert().decode())))
    assert rows == [["code"], ["QN04202M"], ["QN06901M"]]


def test_sparqlwrapper_turtle_construct(endpoint):
    data = wrapper(endpoint, TURTLE, "CONSTRUCT WHERE { ?q a ?c }").query().convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) == 2


def test_rdflib_sparqlstore_select_and_construct(endpoint):
    graph = rdflib.Graph(SPARQLStore(endpoint))
    assert [str(r.code) for r in graph.query(Q_CODES)] == ["QN04202M", "QN06901M"]
    constructed = graph.query("CONSTRUCT WHERE { ?q a ?c }").graph
    assert len(constructed) == 2


def test_rdflib_sparqlupdatestore_writes_with_token(endpoint):
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    store.update('INSERT DATA { GRAPH <urn:test:upd> { <urn:a> <urn:b> "rdflib" } }')
    graph = rdflib.Graph(SPARQLStore(endpoint))
    assert [str(r.o) for r in graph.query("SELECT ?o WHERE { GRAPH <urn:test:upd> { ?s ?p ?o } }")] == ["rdflib"]


def test_rdflib_service_clause(endpoint):
    local = rdflib.Graph()
    pattern = "?q <https://w3id.org/quartiers/def#qpvCode> ?code"
    rows = local.query(f"SELECT ?code WHERE {{ SERVICE <{endpoint}> {{ {pattern} }} }}")
    assert sorted(str(r.code) for r in rows) == ["QN04202M", "QN06901M"]


def test_negotiation_defaults_that_clients_expect(endpoint):
    with httpx.Client() as client:
        rdflib_accept = "application/sparql-results+xml, application/rdf+xml"
        r = client.get(endpoint, params={"query": Q_CODES}, headers={"Accept": rdflib_accept})
        assert r.headers["content-type"].startswith("application/sparql-results+xml")
        r = client.get(endpoint, params={"query": "CONSTRUCT WHERE {?s a ?c}"}, headers={"Accept": rdflib_accept})
        assert r.headers["content-type"].startswith("application/rdf+xml")
        r = client.get(endpoint, params={"query": "CONSTRUCT WHERE {?s a ?c}"})
        assert r.headers["content-type"].startswith("text/turtle")
        r = client.get(endpoint, params={"query": Q_CODES},
                       headers={"Accept": "text/csv;q=0.5, application/sparql-results+json;q=0.9, */*;q=0.1"})
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        r = client.get(endpoint, params={"query": Q_CODES, "format": "tsv", "output": "tsv", "results": "x"})
        assert r.text.splitlines() == ["?code", '"QN04202M"', '"QN06901M"']
        for media in ("application/ld+json", "application/n-quads", "application/trig", "application/n-triples"):
            r = client.get(endpoint, params={"query": "CONSTRUCT WHERE {?s a ?c}"}, headers={"Accept": media})
            assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        r = client.get(endpoint, params={"query": Q_CODES}, headers={"Accept": "image/png"})
        assert r.status_code == 406


def test_union_default_graph_and_protocol_dataset(endpoint):
    with httpx.Client() as client:
        r = client.get(endpoint, params={"query": Q_CODES}, headers={"Accept": "application/json"})
        assert len(json.loads(r.text)["results"]["bindings"]) == 2  # union of the named graphs
        r = client.get(endpoint, params={"query": Q_CODES, "default-graph-uri": G2},
                       headers={"Accept": "application/json"})
        assert [b["code"]["value"] for b in r.json()["results"]["bindings"]] == ["QN06901M"]
        from_query = Q_CODES.replace("WHERE", f"FROM <{G1}> WHERE")
        r = client.get(endpoint, params={"query": from_query, "default-graph-uri": G2},
                       headers={"Accept": "application/json"})
        assert [b["code"]["value"] for b in r.json()["results"]["bindings"]] == ["QN06901M"]  # params win


def test_service_description_lists_graphs_with_counts(endpoint):
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        r = httpx.get(endpoint, headers={"Accept": accept})
        graph = rdflib.Graph().parse(data=r.content, format=fmt)
        sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
        void = rdflib.Namespace("http://rdfs.org/ns/void#")
        counts = {str(graph.value(ng, sd.name)): graph.value(graph.value(ng, sd.graph), void.triples).toPython()
                  for ng in graph.subjects(rdflib.RDF.type, sd.NamedGraph)}
        assert counts[G1] == 3 and counts[G2] == 2
        assert (None, sd.endpoint, rdflib.URIRef(endpoint)) in graph
        assert (None, sd.feature, sd.UnionDefaultGraph) in graph
