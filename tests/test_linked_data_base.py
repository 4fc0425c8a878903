"""Linked data when the public base IRI differs from the server's address (``--base``), on a synthetic store;
and the pure functions of ``graph.linkeddata`` on hand-computed inputs."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from graph.linkeddata import iris, jsonld, svg
from sparql_api.settings import Settings
from tests.servers import serve

BASE = "https://example.org/synthetic/quartiers/"
GRAPH = BASE + "graph/data/test"
DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<{GRAPH}> a dcat:Dataset ; dct:title "Données synthétiques"@fr, "Synthetic data"@en ;
    dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence/> ;
    dct:issued "2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
<{BASE}id/thing/1> rdfs:label "Chose un"@fr, "Thing one"@en ; rdfs:seeAlso <{BASE}id/thing/2> .
<{BASE}id/thing/2> rdfs:label "Chose deux"@fr ; rdfs:seeAlso <javascript:alert(1)> .
""".encode()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ld-base")
    settings = Settings(access_log=False, base_iri=BASE, open_writes=True)
    with serve(folder, settings, [(DATA, "text/turtle", GRAPH)]) as found:
        yield found


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as c:
        yield c


def test_iri_under_another_base_resolves_on_the_server(client: httpx.Client, url: str) -> None:
    first = client.get("/id/thing/1", headers={"Accept": "text/turtle"})
    assert first.status_code == 303
    assert first.headers["location"] == url + "/id/thing/1.ttl"  # the server's address, not the base
    graph = rdflib.Graph().parse(data=client.get(first.headers["location"]).text, format="turtle")
    thing = rdflib.URIRef(BASE + "id/thing/1")
    assert (thing, rdflib.RDFS.seeAlso, rdflib.URIRef(BASE + "id/thing/2")) in graph
    assert (thing, rdflib.RDFS.label, rdflib.Literal("Thing one", lang="en")) in graph
    page = client.get("/id/thing/1.html").text
    assert 'href="/id/thing/2"' in page  # links to IRIs under the base stay on the server
    assert "Chose un" in page and "Chose deux" in page
    assert client.get("/id/thing/3").status_code == 404
    assert 'href="javascript:' not in client.get("/id/thing/2.html").text  # no script link from data


def test_graph_iri_catalogue_and_dumps(client: httpx.Client, url: str) -> None:
    assert client.get("/graph/data/test", headers={"Accept": "text/html"}).status_code == 303
    catalog = rdflib.Graph().parse(data=client.get("/catalog", headers={"Accept": "text/turtle"}).text,
                                   format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dataset = rdflib.URIRef(GRAPH)
    assert (dataset, rdflib.RDF.type, dcat.Dataset) in catalog
    downloads = {str(d) for dist in catalog.objects(dataset, dcat.distribution)
                 for d in catalog.objects(dist, dcat.downloadURL)}
    assert url + "/dumps/data/test.ttl" in downloads
    dump = client.get("/dumps/data/test.nt.gz")
    triples = list(ox.parse(gzip.decompress(dump.content), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(list(ox.parse(DATA, format=ox.RdfFormat.TURTLE)))
    assert client.get("/dumps/data/test.nt.gz", headers={"If-None-Match": dump.headers["etag"]}).status_code == 304
    void = client.get("/.well-known/void")
    assert void.status_code == 200 and GRAPH in void.text


def test_a_write_renews_catalogue_void_pages_and_dump_etags(client: httpx.Client) -> None:
    before = client.get("/dumps/all.nq")
    catalog_before = client.get("/catalog", headers={"Accept": "text/turtle"}).text
    added = BASE + "graph/data/added"
    update = (f"INSERT DATA {{ GRAPH <{added}> {{ <{BASE}id/thing/3> "
              f"<http://www.w3.org/2000/01/rdf-schema#label> \"Chose trois\"@fr }} }}")
    assert client.post("/sparql", data={"update": update}).status_code == 204
    assert added not in catalog_before
    assert added in client.get("/catalog", headers={"Accept": "text/turtle"}).text
    assert added in client.get("/.well-known/void").text
    assert "Chose trois" in client.get("/id/thing/3.html").text
    assert client.get("/dumps/all.nq", headers={"If-None-Match": before.headers["etag"]}).status_code == 200
    after = client.get("/dumps/all.nq")
    assert after.headers["etag"] != before.headers["etag"] and b"Chose trois" in after.content


# --- pure functions -------------------------------------------------------------------------------------------
def test_resolve_suffixes() -> None:
    assert iris.resolve("/id/qpv/QN04202M.ttl", BASE) == iris.Resolved(BASE + "id/qpv/QN04202M", "id/qpv/QN04202M",
                                                                       "ttl")
    assert iris.resolve("/id/qpv/QN04202M", BASE).suffix is None
    assert iris.resolve("/id/x/a.b", BASE).iri == BASE + "id/x/a.b"  # an unknown suffix is part of the IRI
    assert iris.local_path(BASE + "def#QPV", BASE) == "/def"
    assert iris.local_path("http://elsewhere.example/x", BASE) is None


def test_outline_of_a_square() -> None:
    outline = svg.outline("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))", size=100)
    assert outline is not None
    assert outline.width == 100.0 and outline.height == 100.0  # at the equator a degree is a degree
    assert outline.path.startswith("M0.0,100.0 L100.0,100.0 L100.0,0.0 L0.0,0.0")  # north up
    assert svg.outline("POINT(1 2)") is None
    crs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
    two = svg.rings(crs + "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))")
    assert len(two) == 2


def test_compact_round_trip() -> None:
    qk = BASE + "def#"
    rows = [{"t": {"type": "uri", "value": qk + "covers"}, "kind": {"type": "uri", "value": "http://www.w3.org/2002/07/owl#ObjectProperty"}},
            {"t": {"type": "uri", "value": qk + "amount"}, "kind": {"type": "uri", "value": "http://www.w3.org/2002/07/owl#DatatypeProperty"},
             "range": {"type": "uri", "value": "http://www.w3.org/2001/XMLSchema#decimal"}},
            {"t": {"type": "uri", "value": qk + "Thing"}, "kind": {"type": "uri", "value": "http://www.w3.org/2002/07/owl#Class"}}]
    context = jsonld.build_context(rows, qk)
    data = f"""<{BASE}id/a> a <{qk}Thing> ; <{qk}covers> <{BASE}id/b> ; <{qk}amount> 12.50 ;
        <http://www.w3.org/2000/01/rdf-schema#label> "A"@fr, "plain" ; <{qk}covers> "not an IRI" ."""
    triples = list(ox.parse(data.encode(), format=ox.RdfFormat.TURTLE))
    document = jsonld.compact(triples, context, "https://example.org/synthetic/context.jsonld", BASE + "id/a", qk)
    node = document["@graph"][0]
    assert node["type"] == "Thing" and node["amount"] == "12.50"
    assert set(map(str, node["covers"])) == {f"{BASE}id/b", "{'@value': 'not an IRI'}"}
    expanded = rdflib.Graph().parse(data=__import__("json").dumps({**document, **context}), format="json-ld")
    expected = rdflib.Graph().parse(data=data, format="turtle")
    from rdflib.compare import isomorphic

    assert isomorphic(expanded, expected)

