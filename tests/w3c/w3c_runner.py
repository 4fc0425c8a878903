"""Runner for the W3C SPARQL 1.1 Protocol, Graph Store Protocol, Service Description and CSV/TSV/JSON
result-format manifests (read from ``graph.layout.shared_dir() / "w3c-tests"``) against a live server.

Each test starts from a clean store holding the test's data; its ht:Requests are replayed in order with
their headers and body (``/sparql/`` → ``/sparql/``, ``/gsp`` → ``/rdf-graphs``), with the write token added,
and the status, format, boolean, headers and bodies are checked (graphs by isomorphism; result tables
semantically: same variables, same rows, blank nodes up to renaming, numbers by value).

Run alone: ``python tests/w3c/w3c_runner.py`` prints the tally.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from graph.layout import shared_dir
from graph.store import OxigraphStore

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "w3c-runner-token"
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}
RESULT_FORMATS = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "application/sparql-results+json": ox.QueryResultsFormat.JSON}


@dataclass
class Outcome:
    manifest: str
    test: str
    passed: bool
    message: str = ""


def w3c_dir() -> Path:
    return shared_dir() / "w3c-tests"


def entries(manifest: Path) -> tuple[rdflib.Graph, list[rdflib.term.Node]]:
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = rdflib.URIRef(manifest.resolve().as_uri())
    items = graph.value(root, MF.entries)
    return graph, list(Collection(graph, items)) if items is not None else []


def local(node: rdflib.term.Node) -> str:
    return str(node).rsplit("#", 1)[-1]


def file_of(node: rdflib.term.Node) -> Path:
    return Path(str(node).removeprefix("file://"))


# --- fixtures of a test: a clean store with the test's data -----------------------------------------------
def reset(client: httpx.Client, loads: list[tuple[Path, str | None]]) -> None:
    """Empty the served store and load the test's files, through the protocols (the data lives in the server's
    processes): DROP ALL, then one Graph Store PUT per file (parsed here against the file's own base IRI)."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/sparql", content="DROP SILENT ALL", headers={**auth, "Content-Type": "application/sparql-update"})
    r.raise_for_status()
    for path, graph in loads:
        media = "application/n-triples" if path.suffix == ".nt" else "text/turtle"
        parsed = OxigraphStore()
        parsed.load(path.read_bytes(), media, None, base_iri=path.resolve().as_uri())
        body = parsed.serialize_graph(None, "application/n-triples")
        params = {"graph": graph} if graph else {"default": ""}
        r = client.put("/rdf-graphs", params=params, content=body,
                       headers={**auth, "Content-Type": "application/n-triples"})
        r.raise_for_status()


# --- protocol / graph store: replay ht:Requests ----------------------------------------------------------
def request_of(graph: rdflib.Graph, node: rdflib.term.Node, location: str | None) -> dict:
    path = str(graph.value(node, HT.absolutePath))
    if path.startswith("/gsp"):
        path = "/rdf-graphs" + path[len("/gsp"):]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    hlist = graph.value(node, HT.headers)
    for h in Collection(graph, hlist) if hlist is not None else []:
        headers[str(graph.value(h, HT.fieldName))] = str(graph.value(h, HT.fieldValue))
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        chars = str(graph.value(body_node, CNT.chars))
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = chars.replace("\r\n", "\n").replace("\n", "\r\n") if "multipart" in str(headers) else chars
        if location:
            body = body.replace("$LOCATION$", location)
        body = body.encode(encoding.lower().replace("utf-16", "utf-16"))
    if location:
        path = path.replace("$LOCATION$", location)
    return {"method": str(graph.value(node, HT.methodName)), "path": path, "headers": headers, "body": body}


def status_ok(graph: rdflib.Graph, resp_node: rdflib.term.Node, status: int) -> bool:
    allowed: set[int] = set()
    for code in graph.objects(resp_node, MF.expectedStatus):
        name = str(code).removeprefix(HTS)
        if name.startswith("StatusCode") and name.endswith("xx"):
            first = int(name[len("StatusCode")])
            allowed |= set(range(first * 100, first * 100 + 100))
        else:
            allowed |= STATUS[name]
    return not allowed or status in allowed


def media_of(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def check_response(graph: rdflib.Graph, resp: rdflib.term.Node, r: httpx.Response) -> str:
    """'' when the response is as expected, else why not."""
    if not status_ok(graph, resp, r.status_code):
        return f"status {r.status_code}: {r.text[:200]}"
    fmt = graph.value(resp, MF.expectedFormat)
    if fmt is not None and media_of(r) not in FORMATS[str(fmt)]:
        return f"format {media_of(r)} is not {fmt}"
    expected_bool = graph.value(resp, MF.expectedBoolean)
    if expected_bool is not None:
        parsed = ox.parse_query_results(r.content, RESULT_FORMATS[media_of(r)])
        if bool(parsed) != expected_bool.toPython():
            return f"boolean {bool(parsed)} expected {expected_bool}"
    hlist = graph.value(resp, HT.headers)
    for h in Collection(graph, hlist) if hlist is not None else []:
        name, value = str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue))
        if normalise_header(r.headers.get(name, "")) != normalise_header(value):
            return f"header {name}: {r.headers.get(name)!r} expected {value!r}"
    body = graph.value(resp, HT.body)
    if body is not None:
        expected = rdflib.Graph().parse(data=str(graph.value(body, CNT.chars)), format="turtle")
        actual = rdflib.Graph().parse(data=r.content, format=rdflib_format(media_of(r)))
        if not isomorphic(expected, actual):
            return "graph not isomorphic to the expected one:\n" + r.text
    return ""


def normalise_header(value: str) -> str:
    return ";".join(part.strip().lower() for part in value.split(";"))


def rdflib_format(media: str) -> str:
    return {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
            "application/ld+json": "json-ld"}.get(media, "turtle")


def run_http_tests(client: httpx.Client, manifest: Path, data: list) -> list[Outcome]:
    graph, tests = entries(manifest)
    outcomes = []
    for test in tests:
        loads = [
            (file_of(graph.value(gd, UT.graph)), str(graph.value(gd, rdflib.RDFS.label)))
            for gd in graph.objects(test, UT.graphData)
        ]
        reset(client, loads or data)
        action = graph.value(test, MF.action)
        location = None
        message = ""
        for step, node in enumerate(Collection(graph, graph.value(action, HT.requests))):
            req = request_of(graph, node, location)
            try:
                r = client.request(req["method"], req["path"], headers=req["headers"], content=req["body"])
            except httpx.HTTPError as exc:
                message = f"request {step + 1} ({req['method']} {req['path'][:80]}): {type(exc).__name__} {exc}"
                break
            resp = graph.value(node, HT.resp)
            message = check_response(graph, resp, r)
            if graph.value(resp, MF.expectedLocation) is not None:
                location = r.headers.get("location")
                if not location:
                    message = "no Location header"
            if message:
                message = f"request {step + 1} ({req['method']} {req['path'][:80]}): {message}"
                break
        outcomes.append(Outcome(manifest.parent.name + "/" + manifest.name, local(test), not message, message))
    return outcomes


# --- result formats: compare tables semantically ----------------------------------------------------------
NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "negativeInteger", "positiveInteger", "nonNegativeInteger",
    "nonPositiveInteger", "long", "int", "short", "byte")}


def term_key(term: object) -> tuple:
    """A comparable form of a term (bnodes handled by the caller)."""
    if isinstance(term, ox.Literal):
        if term.datatype.value in NUMERIC:
            try:
                return ("num", Decimal(term.value))
            except InvalidOperation:
                pass
        return ("lit", term.value, term.language, term.datatype.value)
    if isinstance(term, str):  # a CSV cell
        try:
            return ("num", Decimal(term))
        except InvalidOperation:
            return ("str", term)
    return ("iri", str(term))


def is_bnode(term: object) -> bool:
    return isinstance(term, ox.BlankNode) or (isinstance(term, str) and term.startswith("_:"))


def rows_match(expected: list[dict], actual: list[dict]) -> bool:
    """Same multiset of rows, blank nodes matched by a consistent bijection (backtracking)."""
    if len(expected) != len(actual):
        return False

    def compatible(e: dict, a: dict, mapping: dict) -> dict | None:
        if e.keys() != a.keys():
            return None
        new = dict(mapping)
        for k, et in e.items():
            at = a[k]
            if is_bnode(et) or is_bnode(at):
                if not (is_bnode(et) and is_bnode(at)):
                    return None
                es, as_ = str(et), str(at)
                if new.get(es, as_) != as_ or (as_ in new.values() and new.get(es) != as_):
                    return None
                new[es] = as_
            elif term_key(et) != term_key(at):
                return None
        return new

    def search(i: int, used: set[int], mapping: dict) -> bool:
        if i == len(expected):
            return True
        for j, row in enumerate(actual):
            if j in used:
                continue
            extended = compatible(expected[i], row, mapping)
            if extended is not None and search(i + 1, used | {j}, extended):
                return True
        return False

    return search(0, set(), {})


def parse_table(data: bytes, kind: str) -> tuple[list[str], list[dict] | bool]:
    if kind == "csv":
        reader = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        head = reader[0]
        rows = [{h: v for h, v in zip(head, row, strict=True) if v != ""} for row in reader[1:] if row]
        return head, rows
    fmt = ox.QueryResultsFormat.TSV if kind == "tsv" else ox.QueryResultsFormat.JSON
    parsed = ox.parse_query_results(data, fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return [], bool(parsed)
    names = [v.value for v in parsed.variables]
    return names, [{n: s[n] for n in names if s[n] is not None} for s in parsed]


ACCEPT = {"csv": "text/csv", "tsv": "text/tab-separated-values", "srj": "application/sparql-results+json"}


def run_result_tests(client: httpx.Client, manifest: Path) -> list[Outcome]:
    graph, tests = entries(manifest)
    outcomes = []
    for test in tests:
        action = graph.value(test, MF.action)
        reset(client, [(file_of(graph.value(action, QT.data)), None)])
        query = file_of(graph.value(action, QT.query)).read_text(encoding="utf-8")
        expected_file = file_of(graph.value(test, MF.result))
        kind = expected_file.suffix[1:]
        r = client.get("/sparql", params={"query": query}, headers={"Accept": ACCEPT[kind]})
        message = ""
        if r.status_code != 200 or media_of(r) != ACCEPT[kind]:
            message = f"status {r.status_code} {media_of(r)}: {r.text[:200]}"
        else:
            exp_vars, exp = parse_table(expected_file.read_bytes(), kind)
            act_vars, act = parse_table(r.content, kind)
            if sorted(exp_vars) != sorted(act_vars):  # SELECT * leaves the column order to the engine
                message = f"variables {act_vars} expected {exp_vars}"
            elif isinstance(exp, bool) or isinstance(act, bool):
                message = "" if exp == act else f"boolean {act} expected {exp}"
            elif not rows_match(exp, act):
                message = f"rows differ:\n{r.text}"
        outcomes.append(Outcome(manifest.parent.name, local(test), not message, message))
    return outcomes


# --- service description ------------------------------------------------------------------------------
def run_service_description(client: httpx.Client, base_url: str, manifest: Path) -> list[Outcome]:
    _, tests = entries(manifest)
    endpoint = rdflib.URIRef(base_url + "/sparql")
    graphs = {}
    problems: dict[str, str] = {}
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        r = client.get("/sparql", headers={"Accept": accept})
        try:
            graphs[accept] = rdflib.Graph().parse(data=r.content, format=rdflib_format(media_of(r)))
        except Exception as exc:
            problems["returns-rdf"] = f"{accept}: {exc}"
        if r.status_code != 200 or media_of(r) != accept:
            problems["returns-rdf"] = f"{accept}: status {r.status_code} {media_of(r)}"
    for accept, g in graphs.items():
        if (None, SD.endpoint, endpoint) not in g:
            problems["has-endpoint-triple"] = f"{accept}: no sd:endpoint <{endpoint}>"
        for ng in g.subjects(rdflib.RDF.type, SD.NamedGraph):
            if g.value(ng, SD.name) is None:
                problems["conforms-to-schema"] = f"{accept}: sd:NamedGraph without sd:name"
        if (None, rdflib.RDF.type, SD.Service) not in g or (None, SD.defaultDataset, None) not in g:
            problems["conforms-to-schema"] = f"{accept}: no sd:Service with sd:defaultDataset"
    return [Outcome("service-description", local(t), local(t) not in problems, problems.get(local(t), ""))
            for t in tests]


# --- all manifests -----------------------------------------------------------------------------------------
def protocol_data() -> list[tuple[Path, str | None]]:
    folder = w3c_dir() / "protocol"
    return [(folder / f"data{i}.nt", f"http://kasei.us/2009/09/sparql/data/data{i}.rdf") for i in (1, 2, 3)]


def run_all(base_url: str) -> dict[str, list[Outcome]]:
    root = w3c_dir()
    with httpx.Client(base_url=base_url, timeout=30) as client:
        suites: dict[str, Callable[[], list[Outcome]]] = {
            "protocol": lambda: run_http_tests(client, root / "protocol/manifest.ttl", protocol_data()),
            "graph-store-protocol": lambda: [
                o for name in ("manifest-direct.ttl", "manifest-indirect.ttl")
                for o in run_http_tests(client, root / "graph-store-protocol" / name, [])
            ],
            "service-description": lambda: run_service_description(
                client, base_url, root / "service-description/manifest.ttl"),
            "csv-tsv-res": lambda: run_result_tests(client, root / "csv-tsv-res/manifest.ttl"),
            "json-res": lambda: run_result_tests(client, root / "json-res/manifest.ttl"),
        }
        return {name: run() for name, run in suites.items()}


def tally(results: dict[str, list[Outcome]]) -> str:
    lines = [f"{name}: {sum(o.passed for o in outs)}/{len(outs)}" for name, outs in results.items()]
    lines += [f"  FAIL {o.manifest} {o.test}: {o.message}" for outs in results.values() for o in outs if not o.passed]
    return "\n".join(lines)


SHAPES = Path(__file__).parent / "gate_shapes.ttl"


def runner_settings():
    """Writes on (token) and the SHACL gate on, with a small real shapes file, so every W3C write also
    goes through the gate (shadow copy, validation, provenance)."""
    from sparql_api.settings import Settings

    # the default graph is the store's own (not the union): the write audit records stay out of the results
    return Settings(write_token=TOKEN, gate_shapes=(str(SHAPES),), union_default_graph=False, access_log=False)


def main() -> None:
    import tempfile

    from tests.servers import serve

    with tempfile.TemporaryDirectory() as folder, serve(Path(folder), runner_settings()) as url:
        print(tally(run_all(url)))


if __name__ == "__main__":
    main()
