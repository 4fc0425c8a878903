"""Linked data end to end on the national dataset: a real server, a real HTTP client.

Expected answers come from the source files (``../shared/reference`` CSV, the Turtle files under ``data/`` and
``ontology/`` read with rdflib), never from the code under test.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections import Counter, deque
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from sparql_api.server import running_server
from sparql_api.settings import Settings

BASE = "https://w3id.org/quartiers/"
QPV = "QN04202M"
QK = rdflib.Namespace(BASE + "def#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
HREF = re.compile(r'href="([^"#]*)(?:#[^"]*)?"')


@pytest.fixture(scope="module")
def url(national_store_path: Path) -> Iterator[str]:
    with running_server(national_store_path, Settings(access_log=False)) as found:
        yield found


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=120) as c:
        yield c


def file_triples(path: Path) -> set[ox.Triple]:
    """The distinct triples of a source Turtle file (parsed directly, not through the store)."""
    return {q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)}


def qpv_row(shared: Path, code: str) -> dict[str, str]:
    with open(shared / "reference" / "qpv" / "qpv_2024.csv", encoding="utf-8") as f:
        return next(r for r in csv.DictReader(f) if r["code_qp"] == code)


def test_curl_L_turtle_describes_the_iri(client: httpx.Client, shared: Path) -> None:
    """``curl -L -H 'Accept: text/turtle' <IRI>``: 303 to the Turtle document, which describes the IRI."""
    first = client.get(f"/id/qpv/{QPV}", headers={"Accept": "text/turtle"})
    assert first.status_code == 303
    assert urlsplit(first.headers["location"]).path == f"/id/qpv/{QPV}.ttl"
    answer = client.get(f"/id/qpv/{QPV}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    iri = rdflib.URIRef(f"{BASE}id/qpv/{QPV}")
    row = qpv_row(shared, QPV)
    assert (iri, QK.qpvCode, rdflib.Literal(QPV)) in graph
    assert str(graph.value(iri, rdflib.RDFS.label)) == row["lib_qp"]
    assert (iri, QK.commune, rdflib.URIRef(f"{BASE}id/commune/{row['insee_com']}")) in graph
    # incoming links are part of the document: the 2024 contract of the QPV's EPCI covers it
    assert (rdflib.URIRef(f"{BASE}id/contrat/2024/{row['siren_epci']}"), QK.coversQPV, iri) in graph


@pytest.mark.parametrize(("suffix", "media", "fmt"), [
    ("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
    ("rdf", "application/rdf+xml", "xml"), ("jsonld", "application/ld+json", None), ("html", "text/html", None)])
def test_suffixes(client: httpx.Client, suffix: str, media: str, fmt: str | None, shared: Path) -> None:
    answer = client.get(f"/id/qpv/{QPV}.{suffix}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    if fmt:
        graph = rdflib.Graph().parse(data=answer.text, format=fmt)
        assert (rdflib.URIRef(f"{BASE}id/qpv/{QPV}"), QK.qpvCode, rdflib.Literal(QPV)) in graph
    if suffix == "html":
        assert qpv_row(shared, QPV)["lib_qp"] in answer.text
        assert "<svg" in answer.text and "<path d=\"M" in answer.text  # the outline, inline
        assert 'href="/id/qpv/QN04202M.ttl"' in answer.text


def test_jsonld_reads_as_plain_json_and_equals_turtle(client: httpx.Client) -> None:
    document = client.get(f"/id/qpv/{QPV}.jsonld").json()
    assert document["@context"].endswith("/context.jsonld")
    node = document["@graph"][0]
    assert node["id"] == f"{BASE}id/qpv/{QPV}"
    assert node["qpvCode"] == QPV  # a qk: term by its local name, a plain string
    assert "QPV" in node["type"]
    context = client.get("/context.jsonld").json()
    expanded = rdflib.Graph().parse(data=json.dumps({**document, "@context": context["@context"]}), format="json-ld")
    turtle = rdflib.Graph().parse(data=client.get(f"/id/qpv/{QPV}.ttl").text, format="turtle")
    assert isomorphic(expanded, turtle)


def test_negotiation_406_and_head(client: httpx.Client) -> None:
    assert client.get(f"/id/qpv/{QPV}", headers={"Accept": "application/pdf"}).status_code == 406
    browser = client.get(f"/id/qpv/{QPV}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert urlsplit(browser.headers["location"]).path == f"/id/qpv/{QPV}.html"
    rdfxml = client.get(f"/id/qpv/{QPV}", headers={"Accept": "application/rdf+xml"})
    assert urlsplit(rdfxml.headers["location"]).path == f"/id/qpv/{QPV}.rdf"
    head = client.head(f"/id/qpv/{QPV}.ttl")
    assert head.status_code == 200 and head.content == b""


def test_unknown_iri_is_a_helpful_404(client: httpx.Client) -> None:
    answer = client.get("/id/qpv/QN99999X", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert 'href="/catalog"' in answer.text and 'href="/sparql"' in answer.text
    data = client.get("/id/qpv/QN99999X.ttl")
    assert data.status_code == 404
    assert client.get("/concept/nothing-here", headers={"Accept": "text/turtle"}).status_code == 404


def test_ontology_hash_iris_resolve_to_its_documentation(client: httpx.Client, repo_root: Path) -> None:
    onto = rdflib.Graph().parse(repo_root / "ontology" / "quartiers.ttl")
    terms = {str(s)[len(str(QK)):] for s in onto.subjects()
             if isinstance(s, rdflib.URIRef) and str(s).startswith(str(QK)) and (s, rdflib.RDF.type, None) in onto}
    assert len(terms) > 50
    first = client.get("/def", headers={"Accept": "text/html"})
    assert first.status_code == 303 and urlsplit(first.headers["location"]).path == "/def.html"
    page = client.get("/def.html").text
    anchors = set(re.findall(r'<section id="([^"]+)">', page))
    assert terms <= anchors
    assert client.get("/def", headers={"Accept": "text/turtle"}, follow_redirects=True).headers[
        "content-type"].startswith("text/turtle")
    served = rdflib.Graph().parse(data=client.get("/def.ttl").text, format="turtle")
    assert isomorphic(served, onto)
    context = client.get("/context.jsonld").json()
    assert context["@context"]["coversQPV"] == {"@id": str(QK.coversQPV), "@type": "@id"}
    document = client.get("/def.jsonld").json()
    expanded = rdflib.Graph().parse(data=json.dumps({**document, "@context": context["@context"]}), format="json-ld")
    assert isomorphic(expanded, onto)


def test_contract_and_organisation_pages(client: httpx.Client, repo_root: Path) -> None:
    source = rdflib.Graph().parse(repo_root / "data" / "contracts" / "saint-etienne-metropole-2024.ttl")
    contract = rdflib.URIRef(f"{BASE}id/contrat/2024/244200770")
    signers = {str(o) for s in source.objects(contract, QK.hasSignature) for o in source.objects(s, QK.signer)}
    page = client.get("/id/contrat/2024/244200770.html").text
    for signer in signers:
        assert f'href="{signer[len(BASE) - 1:]}"' in page
    amounts = [float(o) for f in source.subjects(QK.contract, contract) for o in source.objects(f, QK.amount)]
    total = f"{sum(amounts):,.2f}".replace(",", " ")
    assert f"{total} €" in page
    # provenance per fact: the coverage of a QPV cites its reified statement's source, not the contract's page
    qpv = rdflib.URIRef(f"{BASE}id/qpv/{QPV}")
    statement = next(st for st in source.subjects(rdflib.RDF.object, qpv)
                     if (st, rdflib.RDF.predicate, QK.coversQPV) in source)
    cited = {str(o) for o in source.objects(statement, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))}
    row = next(r for r in page.split("<tr") if 'href="/def#coversQPV"' in r and f'href="/id/qpv/{QPV}"' in r)
    assert cited and all(f'href="{c}"' in row for c in cited)
    page_source = "https://saint-etienne-metropole.fr/habiter-se-deplacer/politique-de-la-ville/le-contrat-de-ville-2024-2030"
    assert page_source not in row and page_source not in cited
    org = client.get("/id/org/244200770.html").text
    assert 'href="/id/contrat/2024/244200770"' in org


def test_organisation_page_totals_the_money_it_receives(client: httpx.Client, shared: Path) -> None:
    """The adulte-relais table keys recipients by SIRET (``code_tiers``): the SIREN is its first 9 digits."""
    siren = "419213558"
    with open(shared / "reference" / "funding" / "adulte-relais_2023_by_contrat_de_ville.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["code_tiers"].startswith(siren)]
    total = sum(Decimal(r["montant"]) for r in rows)
    page = client.get(f"/id/org/{siren}.html").text
    assert f"Funding received ({len(rows)})" in page
    assert f"{total:,.2f}".replace(",", " ") + " €" in page


def test_catalog_dcat_ap_shapes_report_no_violation(client: httpx.Client, shared: Path, repo_root: Path) -> None:
    answer = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    data = rdflib.Graph().parse(data=answer.text, format="turtle")
    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl", "deprecateduris.ttl",
                 "shapes_recommended.ttl"):
        shapes.parse(shared / "dcat-ap" / name, format="turtle")
    from pyshacl import validate

    _, report, text = validate(data, shacl_graph=shapes, inference="none")
    violations = [r for r in report.objects(None, SH.result) if report.value(r, SH.resultSeverity) == SH.Violation]
    assert violations == [], text
    # one dataset per data file, with the licence the file states (Licence Ouverte for the reference tables)
    for path in sorted((repo_root / "data" / "reference").glob("*.ttl")):
        graph_iri = rdflib.URIRef(f"{BASE}graph/data/reference/{path.stem}")
        stated = [t.object.value for t in file_triples(path)
                  if t.subject.value == str(graph_iri) and t.predicate.value == str(DCT.license)]
        assert (graph_iri, rdflib.RDF.type, DCAT.Dataset) in data
        assert [str(data.value(graph_iri, DCT.license))] == stated
    assert (None, DCAT.endpointURL, rdflib.URIRef(str(client.base_url) + "/sparql")) in data
    for media in ("application/ld+json", "application/rdf+xml"):
        assert client.get("/catalog", headers={"Accept": media}).headers["content-type"].startswith(media)


def test_dumps_etag_304_gzip_and_checksum(client: httpx.Client, repo_root: Path) -> None:
    answer = client.get("/dumps/data/reference/qpv.ttl")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    etag, modified = answer.headers["etag"], answer.headers["last-modified"]
    expected = file_triples(repo_root / "data" / "reference" / "qpv.ttl")
    assert {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)} == expected
    assert client.get("/dumps/data/reference/qpv.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/dumps/data/reference/qpv.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    zipped = client.get("/dumps/data/reference/qpv.ttl.gz")
    assert zipped.headers["content-type"] == "application/gzip" and zipped.headers["etag"] != etag
    assert gzip.decompress(zipped.content) == answer.content
    small = client.get("/dumps/ontology/concepts.nt")
    assert int(small.headers["content-length"]) == len(small.content)
    with client.stream("GET", "/dumps/all.nq") as big:
        assert big.headers.get("transfer-encoding") == "chunked"
        quads = list(ox.parse(b"".join(big.iter_bytes()), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} >= {f"{BASE}graph/data/reference/qpv", f"{BASE}graph/ontology/quartiers"}
    assert client.get("/dumps/data/reference/nothing.ttl").status_code == 404
    assert client.get("/dumps/data/reference/qpv.xlsx").status_code == 404
    # the catalogue lists the checksum of a dump once served
    catalog = rdflib.Graph().parse(data=client.get("/catalog", headers={"Accept": "text/turtle"}).text,
                                   format="turtle")
    download = rdflib.URIRef(str(client.base_url) + "/dumps/data/reference/qpv.ttl")
    checksum = catalog.value(download, SPDX.checksum)
    assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(answer.content).hexdigest()


def test_void(client: httpx.Client, repo_root: Path) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = next(void.subjects(rdflib.RDF.type, VOID.Dataset))
    assert void.value(dataset, VOID.sparqlEndpoint) is not None
    linksets = set(void.subjects(rdflib.RDF.type, VOID.Linkset))
    assert rdflib.URIRef(f"{BASE}graph/data/reference/links-insee") in linksets
    qpv_graph = rdflib.URIRef(f"{BASE}graph/data/reference/qpv")
    expected = len(file_triples(repo_root / "data" / "reference" / "qpv.ttl"))
    assert int(void.value(qpv_graph, VOID.triples)) == expected
    assert any(True for _ in void.objects(dataset, VOID.classPartition))


def kind(path: str) -> str:
    """``/id/qpv`` for ``/id/qpv/QN04202M.html``: the crawl visits a few pages of each kind."""
    return "/".join(path.split("?")[0].split("/")[:3])


def test_crawl_finds_no_broken_link(client: httpx.Client) -> None:
    """From the home page, through entity pages, the catalogue, VoID and the dumps: every local link answers.

    Pages are visited breadth-first, at most two of each kind (``/id/qpv``, ``/id/contrat``, ``/graph/data``…)
    and 40 in all; every local link they contain is requested. A page or document must answer 200; an IRI must
    answer 303 to its document, and the document is fetched too for the first three IRIs of each kind (the 303
    already says the resource exists; the documents of the others are pages of kinds rendered elsewhere)."""
    pages = 40
    queue: deque[str] = deque(["/"])
    seen_pages: set[str] = set()
    kinds: Counter[str] = Counter()
    links: set[str] = set()
    while queue and len(seen_pages) < pages:
        path = queue.popleft()
        if path in seen_pages or kinds[kind(path)] >= 2:
            continue
        seen_pages.add(path)
        kinds[kind(path)] += 1
        answer = client.get(path, headers=BROWSER, follow_redirects=True)
        assert answer.status_code == 200, path
        if not answer.headers["content-type"].startswith("text/html"):
            continue
        for href in HREF.findall(answer.text):
            target = urljoin(path, href.replace("&amp;", "&"))
            if target.startswith("/") and target not in links:
                links.add(target)
                if not target.startswith(("/dumps/", "/sparql")):
                    queue.append(target)
    assert {"/catalog", "/.well-known/void", "/dumps"} <= links
    assert {"/id/qpv", "/id/contrat", "/id/org", "/id/commune", "/graph/data"} <= set(kinds)
    broken = []
    followed: Counter[str] = Counter()
    for link in sorted(links - seen_pages):
        iri = link.startswith(("/id/", "/concept/", "/graph/")) and "." not in link.rsplit("/", 1)[-1]
        if link.startswith("/dumps/") and not link.startswith("/dumps/ontology/"):
            answer = client.head(link)  # headers only: the big dumps are downloaded in their own test
        elif iri and followed[kind(link)] >= 3:
            answer = client.get(link, headers=BROWSER)
            if answer.status_code == 303:
                continue
        else:
            followed[kind(link)] += 1
            answer = client.get(link, headers=BROWSER, follow_redirects=True)
        if answer.status_code != 200:
            broken.append((link, answer.status_code))
    assert broken == []
    assert len(links) > 500


def test_incoming_links_beyond_the_limit_are_said_not_cut_silently(client: httpx.Client, shared: Path) -> None:
    with open(shared / "reference" / "qpv" / "qpv_2024.csv", encoding="utf-8") as f:
        mainland = sum(1 for r in csv.DictReader(f) if r["zone"] == "metropole")
    assert mainland > 500
    answer = client.get("/concept/zone/metropole.ttl")
    assert 'rel="next"' in answer.headers["link"]
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    concept = rdflib.URIRef(f"{BASE}concept/zone/metropole")
    assert len(list(graph.subject_predicates(concept))) == 500
    note = str(graph.value(rdflib.URIRef(str(answer.url)), DCT.description))
    total = int(re.search(r"of (\d+)", note).group(1))  # type: ignore[union-attr]
    assert total >= mainland
