"""Dataset clauses, IRI parameters, RDF/XML bodies and client credentials, against a real server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import rdflib
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from graph.layout import WRITES_GRAPH
from sparql_api.settings import Settings
from tests.servers import serve

SYN = "https://example.org/synthetic/"
TOKEN = "dataset-token"
G1, G2 = SYN + "g1", SYN + "g2"


@pytest.fixture()
def served(tmp_path) -> Iterator[str]:
    loads = [(f"<{SYN}a> <{SYN}p> 1 , 2 , 3 .".encode(), "text/turtle", G1),
             (f"<{SYN}b> <{SYN}p> 4 .".encode(), "text/turtle", G2)]
    with serve(tmp_path, Settings(write_token=TOKEN, shacl_gate=False, access_log=False), loads) as url:
        yield url


def in_graph(url: str, graph: str) -> int:
    return count(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def graph_exists(url: str, graph: str) -> bool:
    response = httpx.get(url + "/sparql", params={"query": f"ASK {{ GRAPH <{graph}> {{ }} }}"},
                         headers={"Accept": "application/sparql-results+json"})
    return bool(response.json()["boolean"])


def count(url: str, query: str, **params: str) -> int:
    response = httpx.get(
        url + "/sparql", params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_from_and_from_named_define_the_dataset(served: str) -> None:
    url = served
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 4  # the union of the graphs
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM <{G1}> WHERE {{ ?s ?p ?o }}") == 3
    assert count(url, "SELECT (COUNT(*) AS ?n) FROM <file:///etc/passwd> WHERE { ?s ?p ?o }") == 0
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G2}> WHERE {{ ?s ?p ?o }}") == 0
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G2}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 1
    # protocol parameters override FROM
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM <{G1}> WHERE {{ ?s ?p ?o }}", **{"default-graph-uri": G2}) == 1


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_a_graph_parameter_that_is_not_an_iri_is_a_400(served: str, name: str) -> None:
    url = served
    response = httpx.get(url + "/sparql", params={"query": "ASK {}", name: "foo bar"})
    assert response.status_code == 400
    assert "invalid IRI" in response.text and "IRI invalide" in response.text
    assert httpx.get(url + "/rdf-graphs", params={"graph": "not an iri"}).status_code == 400


def test_using_graph_uri_cannot_smuggle_operations(served: str) -> None:
    url = served
    injected = (
        f"{G1}> WHERE {{ ?s ?p ?o }} ; LOAD <http://127.0.0.1:9/x> INTO GRAPH <{SYN}stolen> ; INSERT {{ }} USING <{G1}"
    )
    update = f"INSERT {{ GRAPH <{SYN}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = httpx.post(
        url + "/sparql",
        data={"update": update, "using-graph-uri": injected},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400, response.text
    assert not graph_exists(url, SYN + "stolen") and not graph_exists(url, SYN + "copy")


def test_a_truncated_rdf_xml_body_is_refused_and_the_graph_kept(served: str) -> None:
    url = served
    truncated = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>'
    response = httpx.put(
        url + "/rdf-graphs",
        params={"graph": G1},
        content=truncated,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/rdf+xml"},
    )
    assert response.status_code == 400
    assert "line 1 column" in response.text
    assert in_graph(url, G1) == 3


def test_basic_credentials_with_the_token_as_password_write_and_name_the_agent(
    served: str,
) -> None:
    url = served
    client = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql")
    client.setCredentials("alice", TOKEN)
    client.setMethod(POST)
    client.setQuery(f"INSERT DATA {{ GRAPH <{SYN}basic> {{ <{SYN}c> <{SYN}p> 5 }} }}")
    client.query()
    assert in_graph(url, SYN + "basic") == 1
    query = f"SELECT ?nick WHERE {{ GRAPH <{WRITES_GRAPH}> {{ ?a <http://xmlns.com/foaf/0.1/nick> ?nick }} }}"
    agents = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/json"}).json()
    assert [b["nick"]["value"] for b in agents["results"]["bindings"]] == ["alice"]
    wrong = httpx.post(
        url + "/sparql",
        content="CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
        auth=("alice", "not-the-token"),
    )
    assert wrong.status_code == 403
    assert in_graph(url, G1) == 3
    reader = SPARQLWrapper(url + "/sparql")
    reader.setQuery("ASK { ?s ?p 5 }")
    reader.setReturnFormat(JSON)
    assert reader.query().convert()["boolean"] is True


def test_the_service_description_only_claims_what_is_on(served: str) -> None:
    url = served
    sd = rdflib.Graph().parse(data=httpx.get(url + "/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    ns = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    features = set(sd.objects(None, ns.feature))
    languages = set(sd.objects(None, ns.supportedLanguage))
    assert ns.BasicFederatedQuery not in features  # SERVICE is refused while the allow-list is empty
    assert ns.UnionDefaultGraph in features
    assert {ns.SPARQL10Query, ns.SPARQL11Query, ns.SPARQL11Update} <= languages


def test_options_and_wrong_methods_say_what_is_allowed(served: str) -> None:
    url = served
    options = httpx.options(url + "/sparql")
    assert options.status_code == 204 and options.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    put = httpx.put(url + "/sparql", params={"query": "ASK {}"})
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST, HEAD, OPTIONS"


def test_head_gives_the_length_of_the_get_without_a_body(served: str) -> None:
    url = served
    for path, params in (("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"}), ("/rdf-graphs", {"graph": G1})):
        got = httpx.get(url + path, params=params)
        head = httpx.head(url + path, params=params)
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        assert int(head.headers["content-length"]) == len(got.content) > 0
        assert head.headers["content-type"] == got.headers["content-type"]
