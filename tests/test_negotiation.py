"""Content negotiation over a real server: q-values, aliases, wildcards, what real clients send."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.servers import serve

SELECT = "SELECT ?o WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = [(b"<https://example.org/synthetic/a> <https://example.org/synthetic/p> 1 .", "text/turtle", None)]
    with serve(tmp_path_factory.mktemp("negotiation"), loads=data) as base:
        yield base + "/sparql"


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (SELECT, None, "application/sparql-results+json"),
        (SELECT, "application/sparql-results+xml, application/rdf+xml", "application/sparql-results+xml"),
        (CONSTRUCT, "application/sparql-results+xml, application/rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, None, "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json, text/turtle;q=0.1", "text/turtle"),
        (SELECT, BROWSER, "application/sparql-results+xml"),
        (CONSTRUCT, BROWSER, "application/rdf+xml"),
        (SELECT, "text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        (SELECT, "application/json", "application/sparql-results+json"),
        (CONSTRUCT, "application/n-quads;q=0.2, application/trig;q=0.3", "application/trig"),
        (CONSTRUCT, "application/ld+json", "application/ld+json"),
    ],
)
def test_the_client_gets_the_type_it_prefers(url: str, query: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(url, params={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


def test_nothing_acceptable_is_a_406(url: str) -> None:
    response = httpx.get(url, params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(("value", "expected"), [("json", "application/sparql-results+json"), ("csv", "text/csv")])
def test_the_format_parameter_wins_over_accept(url: str, value: str, expected: str) -> None:
    response = httpx.get(url, params={"query": SELECT, "format": value}, headers={"Accept": "application/xml"})
    assert response.headers["content-type"].split(";")[0] == expected
