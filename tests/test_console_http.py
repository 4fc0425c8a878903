"""The web console without a browser: /sparql answers HTML to browsers only (SPARQL clients see no change), the
pages and their local front-end files are served, the builder's configuration comes from the ontology and shapes,
the dashboard's figures equal the source tables (../shared/reference)."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH
from SPARQLWrapper import JSON, SPARQLWrapper

from graph.namespaces import QK, QKI
from graph.sparnatural import config_graph, source_graph
from sparql_api.console import VENDOR, node_modules, wants_query_page
from sparql_api.server import running_server
from sparql_api.settings import Settings
from tests.servers import serve

CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
SYNTHETIC = b"""<https://example.org/synthetic/s> <https://example.org/synthetic/p> "v" ."""
LOADS = [(SYNTHETIC, "application/n-triples", "https://example.org/synthetic/graph")]


# --- negotiation (pure) --------------------------------------------------------------------------------------
@pytest.mark.parametrize("accept", [CHROME, FIREFOX, "text/html"])
def test_browsers_get_the_query_page(accept: str) -> None:
    assert wants_query_page("GET", accept, None)
    assert wants_query_page("HEAD", accept, None)


@pytest.mark.parametrize("accept", [
    None, "", "*/*",  # curl's default, no header
    SPARQLWRAPPER_JSON, "application/sparql-results+xml", "text/turtle", "application/ld+json",
    "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1",  # rdflib / Jena style
    "text/turtle, text/html",  # turtle named first
    "text/html;q=0.5, text/turtle",  # turtle preferred
    "text/html;q=0.9, application/sparql-results+json",
])
def test_clients_do_not_get_the_query_page(accept: str | None) -> None:
    assert not wants_query_page("GET", accept, None)


def test_post_or_format_parameter_never_get_the_page() -> None:
    assert not wants_query_page("POST", CHROME, None)
    assert not wants_query_page("GET", CHROME, "turtle")


# --- a real server -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory):
    with serve(tmp_path_factory.mktemp("console-http"), loads=LOADS) as base:
        yield base


def test_sparql_page_for_a_browser(url: str) -> None:
    response = httpx.get(url + "/sparql", headers={"Accept": CHROME})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="yasqe"' in response.text and "/static/vendor/yasgui/yasgui.min.js" in response.text
    assert '"qk": "https://w3id.org/quartiers/def#"' in response.text  # the project's prefixes in the editor
    asserted = httpx.get(url + "/sparql/asserted", headers={"Accept": FIREFOX})
    assert asserted.status_code == 200 and '"/sparql/asserted"' in asserted.text


def test_curl_default_accept_unchanged(url: str) -> None:
    """curl sends Accept: */*: the service description in Turtle, as before the console."""
    default = httpx.get(url + "/sparql", headers={"Accept": "*/*"})
    explicit = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"})
    assert default.status_code == 200
    assert default.headers["content-type"].startswith("text/turtle")
    assert default.content == explicit.content
    assert b"sparql-service-description" in default.content
    bare = httpx.get(url + "/sparql", headers={"Accept": ""})
    assert bare.headers["content-type"].startswith("text/turtle")


def test_query_parameter_from_a_browser_still_runs_the_query(url: str) -> None:
    response = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": CHROME})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<boolean>true</boolean>" in response.content
    bad = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE {\n?s ?p }"}, headers={"Accept": CHROME})
    assert bad.status_code == 400 and "2:" in bad.text  # the position of the error, as before


def test_sparqlwrapper_unchanged(url: str) -> None:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery("SELECT ?o WHERE { <https://example.org/synthetic/s> ?p ?o }")
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert [b["o"]["value"] for b in result["results"]["bindings"]] == ["v"]


def test_home_page_links(url: str) -> None:
    response = httpx.get(url + "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for path in ("/sparql", "/builder", "/dashboard", "/questions", "/docs", "/catalog", "/.well-known/void", "/dumps"):
        assert f'href="{path}' in response.text, path
    assert "Requête" in response.text and "Query" in response.text  # bilingual


def test_pages_load_nothing_from_outside(url: str) -> None:
    for path in ("/", "/builder", "/dashboard"):
        page = httpx.get(url + path, timeout=120).text
        sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
        assert sources, path
        assert all(s.startswith("/static/") for s in sources), (path, sources)
    page = httpx.get(url + "/sparql", headers={"Accept": CHROME}).text
    assert all(s.startswith("/static/") for s in re.findall(r'<script[^>]+src="([^"]+)"', page))


def test_vendor_files_served(url: str) -> None:
    missing = [name for name, sub in VENDOR.items() if not (node_modules() / sub).is_dir()]
    assert not missing, f"front-end files missing from {node_modules()}: run ./dev env (npm ci)"
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css",
                 "/static/vendor/sparnatural/sparnatural.js", "/static/vendor/chartjs/chart.umd.min.js",
                 "/static/console/sparql.js", "/static/console/console.css"):
        response = httpx.get(url + path)
        assert response.status_code == 200 and len(response.content) > 1000, path


def test_builder_configuration_from_ontology_and_shapes(url: str) -> None:
    response = httpx.get(url + "/builder/config.ttl", timeout=120)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    config = rdflib.Graph().parse(data=response.text, format="turtle")
    qk = rdflib.Namespace(QK)
    contract = config.value(None, SH.targetClass, qk.Contract)
    assert contract is not None
    # docs/model.md: qk:coversQPV goes from a contract to a QPV
    paths = {config.value(ps, SH.path): ps for ps in config.objects(contract, SH.property)}
    assert config.value(paths[qk.coversQPV], SH["class"]) == qk.QPV
    assert (qk.Quartiers2030Contract, RDFS.subClassOf, qk.Contract) in config
    targets = set(config.objects(None, SH.targetClass))
    assert set(config.objects(None, SH["class"])) <= targets  # every range can be picked
    assert config.value(contract, RDFS.label) is not None


def test_generator_places_domainless_properties_by_usage(tmp_path: Path) -> None:
    ontology = tmp_path / "onto.ttl"
    ontology.write_text(f"""
@prefix qk: <{QK}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
qk:A a owl:Class ; rdfs:label "chose A"@fr, "thing A"@en .
qk:B a owl:Class ; rdfs:subClassOf qk:A .
qk:toB a owl:ObjectProperty ; rdfs:domain qk:A ; rdfs:range qk:B ; rdfs:label "vers B"@fr, "to B"@en .
qk:code a owl:DatatypeProperty ; rdfs:range xsd:string .
""")
    config = config_graph(source_graph([ontology]), usage=[(QK + "B", QK + "code")])
    qk = rdflib.Namespace(QK)
    shape_a, shape_b = config.value(None, SH.targetClass, qk.A), config.value(None, SH.targetClass, qk.B)
    paths_a = {config.value(ps, SH.path) for ps in config.objects(shape_a, SH.property)}
    paths_b = {config.value(ps, SH.path) for ps in config.objects(shape_b, SH.property)}
    assert paths_a == {RDFS.label, qk.toB}
    assert paths_b == {RDFS.label, qk.code}
    assert (qk.B, RDFS.subClassOf, qk.A) in config
    assert {str(x) for x in config.objects(shape_a, RDFS.label)} == {"chose A", "thing A"}
    assert (shape_b, RDF.type, SH.NodeShape) in config


# --- the dashboard on the national graph ---------------------------------------------------------------------
def money(text: str) -> Decimal:
    return Decimal(text.replace(" ", ""))


def test_dashboard_figures_equal_the_sources(national_store_path: Path, shared: Path) -> None:
    qpv = list(csv.DictReader((shared / "reference/qpv/qpv_2024.csv").open(encoding="utf-8")))
    metro = {r["code_qp"] for r in qpv if r["zone"] == "metropole"}
    loire = {r["code_qp"] for r in qpv if r["insee_dep"] == "42"}
    funding = shared / "reference/funding"
    expected = {
        "adulte-relais": sum(Decimal(r["montant"]) for r in csv.DictReader(
            (funding / "adulte-relais_2023_by_contrat_de_ville.csv").open(encoding="utf-8"))),
        "fonjep": sum(Decimal(r["montant"]) for r in csv.DictReader(
            (funding / "postes-fonjep_2023_by_contrat_de_ville.csv").open(encoding="utf-8"))),
    }
    with running_server(national_store_path, Settings(access_log=False)) as url:
        page = httpx.get(url + "/dashboard", timeout=300)
        assert page.status_code == 200, page.text[:500]
        html = page.text
        assert f"{len(metro)} QPV de métropole" in html
        qpv_map = html[html.index('<div id="qpv-map">'):]
        assert qpv_map[:qpv_map.index("</svg>")].count("<path ") == len(metro)
        for scheme, total in expected.items():
            row = re.search(rf'href="{QKI}programme/{scheme}">[^<]*</a></td><td class="num">\d+</td>'
                            r'<td class="num">([\d .]+)</td>', html)
            assert row is not None, scheme
            assert money(row.group(1)) == total, scheme
        zoomed = httpx.get(url + "/dashboard", params={"departement": "42"}, timeout=120).text
        loire_map = zoomed[zoomed.index('<div id="qpv-map">'):]
        assert loire_map[:loire_map.index("</svg>")].count("<path ") == len(loire)
        bad = httpx.get(url + "/dashboard", params={"departement": "<script>"}, timeout=60)
        assert bad.status_code == 400 and bad.headers["content-type"].startswith(("text/plain", "application/json"))
        assert 'id="audit"' in html and "Violations" in html


def test_missing_front_end_files_are_said_not_crashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTIERS_NODE_MODULES", str(tmp_path / "no-node-modules"))
    with serve(tmp_path / "store", loads=LOADS) as base:
        page = httpx.get(base + "/sparql", headers={"Accept": CHROME})
        assert page.status_code == 200 and 'id="vendor-missing"' in page.text and "npm ci" in page.text
        assert httpx.get(base + "/static/vendor/yasgui/yasgui.min.js").status_code == 404
        assert httpx.get(base + "/static/console/sparql.js").status_code == 200


def test_pages_follow_the_served_base_iri(tmp_path: Path) -> None:
    base = "https://example.org/synthetic/base/"
    with serve(tmp_path / "store", Settings(access_log=False, base_iri=base), loads=LOADS) as url:
        page = httpx.get(url + "/sparql", headers={"Accept": CHROME}).text
        assert f'"qk": "{base}def#"' in page
        config = rdflib.Graph().parse(data=httpx.get(url + "/builder/config.ttl", timeout=120).text, format="turtle")
        assert config.value(None, SH.targetClass, rdflib.URIRef(base + "def#Contract")) is not None
        assert not any(str(o).startswith(QK) for o in config.objects(None, SH.targetClass))
        home = httpx.get(url + "/").text
        assert f"{base}graph/audit/writes" in home
