"""Generated requests against a real server (issue 8): hypothesis builds queries, updates, RDF bodies and raw
HTTP requests, schemathesis builds requests from the OpenAPI document. Over 10,000 requests in all; none may
answer 5xx, hang past the timeout or kill the server, and every rejected write must leave the store unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparql_api.settings import Settings
from tests.servers import serve, snapshot

TOKEN = "fuzz-token"
SYN = "https://example.org/synthetic/"
QK = "https://w3id.org/quartiers/def#"
G = SYN + "graph/fuzz"
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
SHAPE = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/quartiers/shapes#FUZZ-001> a sh:PropertyShape ; sh:targetClass <{QK}QPV> ;
  sh:path <{QK}qpvCode> ; sh:minCount 1 ; sh:severity sh:Violation ; sh:message "code"@fr, "code"@en .
"""
WORDS = [
    "{", "}", "(", ")", "[", "]", "<", ">", '"', "'", "\\", "?x", "?y", "$z", "_:b", "a", ";", ",", ".", "*",
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "GRAPH", "SERVICE", "SILENT", "FILTER", "BIND", "AS",
    "VALUES", "OPTIONAL", "UNION", "MINUS", "PREFIX", "BASE", "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "DROP",
    "CREATE", "ADD", "MOVE", "COPY", "TO", "INTO", "WITH", "USING", "NAMED", "DEFAULT", "ALL", "FROM",
    "<http://[::1]/>", "<file:///etc/passwd>", f"<{SYN}s>", f"<{G}>", f"<{QK}QPV>", f"<{QK}qpvCode>", "ex:",
    "ex:p", "1", "-0", "1.5e9", '"x"@fr', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "REGEX(?x, \"(a+)+$\")",
    "NOW()", "RAND()", "UUID()", "STRUUID()", "COUNT(*)", "GROUP BY ?x", "ORDER BY ?x", "LIMIT 5", "OFFSET 1",
    "#", "\n", "\t", "é", "\u2028", "\x00", "?x ?y ?z", "{ ?x ?y ?z }", "((((", "))))",
]
TEXT = st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=40).map(" ".join)
PATTERNS = st.lists(st.sampled_from(["?s ?p ?o", f"?s a <{QK}QPV>", f"?s <{QK}qpvCode> ?c", "FILTER(?o > 3)",
                                     "OPTIONAL { ?s ?q ?r }", "BIND(STR(?s) AS ?t)", "{ ?s ?p ?o } UNION { ?o ?p ?s }",
                                     "GRAPH ?g { ?s ?p ?o }", "MINUS { ?s ?p 1 }", "VALUES ?o { 1 2 }"]),
                    max_size=5).map(" ".join)
QUERIES = TEXT | PATTERNS.map(lambda p: f"SELECT * WHERE {{ {p} }} LIMIT 20") | PATTERNS.map(
    lambda p: f"CONSTRUCT WHERE {{ {p} }}") | st.integers(0, 400).map(lambda n: "SELECT * WHERE " + "{" * n)
UPDATES = TEXT | PATTERNS.map(lambda p: f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{G}> {{ {p} }} }}") | st.sampled_from([
    f"INSERT DATA {{ GRAPH <{G}> {{ <{SYN}q> a <{QK}QPV> }} }}",  # violates the shape
    f"INSERT {{ GRAPH <{G}> {{ ?s a <{QK}QPV> }} }} WHERE {{ BIND(IRI(STRUUID()) AS ?s) FILTER(RAND() < 0.5) }}",
    f"DROP GRAPH <{SYN}missing>", "DROP ALL", f"CLEAR GRAPH <{G}>", "LOAD <http://127.0.0.1:1/x>",
    f"INSERT DATA {{ GRAPH <{QK}inferred> {{ <{SYN}s> <{SYN}p> 1 }} }}",
])
RDF_SAMPLES = {
    "text/turtle": f'<{SYN}s> <{SYN}p> "v"@fr ; <{SYN}q> [ <{SYN}r> ( 1 2 3 ) ] .',
    "application/n-triples": f'<{SYN}s> <{SYN}p> "v" .\n',
    "application/ld+json": f'{{"@id": "{SYN}s", "{SYN}p": {{"@value": "v"}}}}',
    "application/rdf+xml": f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                           f'xmlns:e="{SYN}"><rdf:Description rdf:about="{SYN}s"><e:p>v</e:p></rdf:Description>'
                           f"</rdf:RDF>",
    "application/trig": f"<{G}> {{ <{SYN}s> <{SYN}p> 1 }}",
}


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    shapes = tmp_path_factory.mktemp("shapes") / "fuzz.ttl"
    shapes.write_text(SHAPE, encoding="utf-8")
    data = "".join(f'<{SYN}q{i}> a <{QK}QPV> ; <{QK}qpvCode> "C{i}" ; <{SYN}n> {i} .\n' for i in range(60)).encode()
    config = Settings(write_token=TOKEN, gate_shapes=(str(shapes),), query_timeout=5, update_timeout=20,
                      max_body_bytes=64 * 1024, max_workers=3, min_idle_workers=1, access_log=False)
    with (serve(tmp_path_factory.mktemp("fuzz"), config, [(data, "text/turtle", G)]) as url,
          httpx.Client(base_url=url, timeout=30) as client):
        yield {"url": url, "client": client, "requests": 0, "server_errors": []}


def send(state: dict, request: httpx.Request) -> httpx.Response:
    reply = state["client"].send(request)
    state["requests"] += 1
    if reply.status_code >= 500 and reply.status_code != 503:  # 503 = a query stopped at its timeout
        state["server_errors"].append((request.method, str(request.url)[:200], reply.status_code, reply.text[:200]))
    return reply


def check(state: dict) -> None:
    assert state["server_errors"] == [], state["server_errors"][:3]


QUERY_REQUEST = st.tuples(QUERIES, st.sampled_from(["get", "form", "direct"]),
                          st.sampled_from(["*/*", "application/sparql-results+json", "text/csv", "text/turtle",
                                           "application/rdf+xml", "text/html", "x/y", ""]))


def query_request(client: httpx.AsyncClient, query: str, how: str, accept: str) -> httpx.Request:
    headers = {"Accept": accept} if accept else {}
    if how == "get":
        return client.build_request("GET", "/sparql", params={"query": query}, headers=headers)
    if how == "form":
        return client.build_request("POST", "/sparql", data={"query": query}, headers=headers)
    return client.build_request("POST", "/sparql", content=query.encode(),
                                headers={**headers, "Content-Type": "application/sparql-query"})


def send_batch(state: dict, build: Callable[[httpx.AsyncClient], list[httpx.Request]]) -> list[httpx.Response]:
    """Send a batch of generated requests, eight at a time (as concurrent clients would)."""

    async def run() -> list[httpx.Response]:
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=state["url"], timeout=30) as client:
            async def one(request: httpx.Request) -> httpx.Response:
                async with gate:
                    return await client.send(request)

            return await asyncio.gather(*(one(r) for r in build(client)))

    replies = asyncio.run(run())
    for reply in replies:
        state["requests"] += 1
        if reply.status_code >= 500 and reply.status_code != 503:
            state["server_errors"].append((reply.request.method, str(reply.request.url)[:200], reply.status_code,
                                           reply.text[:200]))
    return replies


@settings(FUZZ, max_examples=120)
@given(batch=st.lists(QUERY_REQUEST, min_size=40, max_size=40))
def test_generated_queries(state: dict, batch: list[tuple[str, str, str]]) -> None:
    send_batch(state, lambda client: [query_request(client, *item) for item in batch])
    check(state)


@settings(FUZZ, max_examples=400)
@given(update=UPDATES, how=st.sampled_from(["direct", "form"]))
def test_generated_updates_leave_the_store_unchanged_when_refused(state: dict, update: str, how: str) -> None:
    client: httpx.Client = state["client"]
    before = snapshot(state["url"])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    if how == "form":
        request = client.build_request("POST", "/sparql", data={"update": update}, headers=auth)
    else:
        request = client.build_request("POST", "/sparql", content=update.encode(),
                                       headers={**auth, "Content-Type": "application/sparql-update"})
    reply = send(state, request)
    check(state)
    if reply.status_code >= 400:
        assert snapshot(state["url"]) == before, (update, reply.status_code)


def mutate(text: str, cut: int, insert: str, where: int) -> str:
    text = text[: max(1, len(text) - cut)] if cut else text
    where = where % (len(text) + 1)
    return text[:where] + insert + text[where:]


@settings(FUZZ, max_examples=400)
@given(media=st.sampled_from([*RDF_SAMPLES, "text/plain", "application/json", "multipart/form-data; boundary=x"]),
       sample=st.sampled_from(list(RDF_SAMPLES.values())), cut=st.integers(0, 30),
       insert=st.sampled_from(WORDS) | st.text(max_size=10), where=st.integers(0, 400),
       method=st.sampled_from(["PUT", "POST", "DELETE", "GET", "HEAD"]),
       target=st.sampled_from([{"graph": G}, {"default": ""}, {"graph": "not an iri"}, {}, {"graph": f"{QK}inferred"}]))
def test_generated_graph_store_requests(state: dict, media: str, sample: str, cut: int, insert: str, where: int,
                                        method: str, target: dict) -> None:
    client: httpx.Client = state["client"]
    before = snapshot(state["url"])
    body = mutate(sample, cut, insert, where).encode() if method in ("PUT", "POST") else b""
    request = client.build_request(method, "/rdf-graphs", params=target, content=body,
                                   headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": media})
    reply = send(state, request)
    check(state)
    if reply.status_code >= 400:
        assert snapshot(state["url"]) == before


HEADER_VALUE = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(str.strip)


RAW_REQUEST = st.tuples(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]),
    st.sampled_from(["/", "/sparql", "/sparql/asserted", "/rdf-graphs", "/rdf-graphs/x", "/health", "/ready",
                     "/metrics", "/openapi.json", "/docs", "/nope", "/sparql/../etc/passwd", "//sparql", "/%00",
                     "/sparql%2F"]),
    st.dictionaries(st.sampled_from(["query", "update", "graph", "default", "default-graph-uri", "named-graph-uri",
                                     "using-graph-uri", "format", "x"]), HEADER_VALUE, max_size=3),
    HEADER_VALUE, HEADER_VALUE, st.binary(max_size=200),
    st.sampled_from(["", f"Bearer {TOKEN}", "Bearer wrong", "Basic Og==", "Basic !!!", "Digest x"]),
)


def raw_request(client: httpx.AsyncClient, method: str, path: str, params: dict, accept: str, content_type: str,
                body: bytes, authorization: str) -> httpx.Request:
    headers = {"Accept": accept, "Content-Type": content_type}
    if authorization:
        headers["Authorization"] = authorization
    return client.build_request(method, path, params=params, headers=headers, content=body)


@settings(FUZZ, max_examples=120)
@given(batch=st.lists(RAW_REQUEST, min_size=25, max_size=25))
def test_generated_raw_requests(state: dict, batch: list[tuple]) -> None:
    send_batch(state, lambda client: [raw_request(client, *item) for item in batch])
    check(state)


def openapi_operations(url: str) -> list:
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_openapi_generated_requests(state: dict) -> None:
    """schemathesis: requests generated from each operation of the OpenAPI document (parameters, bodies)."""
    operations = openapi_operations(state["url"])
    assert len(operations) >= 10

    for operation in operations:
        @settings(FUZZ, max_examples=120)
        @given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            reply = case.call(base_url=state["url"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
            state["requests"] += 1
            if reply.status_code >= 500 and reply.status_code != 503:
                state["server_errors"].append((case.method, case.formatted_path, reply.status_code, reply.text[:200]))

        fuzz()
    check(state)


def test_the_server_lived_through_it_all(state: dict) -> None:
    """Runs last in this module: at least 10,000 requests were generated, the server still answers."""
    assert state["requests"] >= 10_000, state["requests"]
    reply = state["client"].get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
    assert reply.status_code == 200
