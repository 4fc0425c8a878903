"""Linked data routes: the project's IRIs resolve on the server, whatever its address.

- ``/id/…``, ``/concept/…``, ``/graph/…`` (slash IRIs under the public base): 303 to a document negotiated
  between HTML, Turtle, JSON-LD, RDF/XML and N-Triples; the documents themselves at ``.html`` ``.ttl`` ``.jsonld``
  ``.rdf`` ``.nt``; unknown IRIs: 404 with a helpful page.
- ``/def`` (the ontology; its terms are hash IRIs): 303 to the ontology's documentation or its RDF.
- ``/.well-known/void`` (VoID), ``/catalog`` (DCAT-AP 3), ``/context.jsonld`` (the JSON-LD context),
  ``/dumps`` and ``/dumps/{graph or all}.{ttl,nt,trig,nq}[.gz]``.

Every query runs in a worker process (``sparql_api.internal``); what the pages need per store generation
(catalogue, VoID statistics, context, ontology terms) is computed once per generation and kept on
``app.state.linked_data``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from graph.build import MANIFEST_NAME
from graph.formats import Offer, content_type
from graph.linkeddata import catalog as cat
from graph.linkeddata import describe as desc
from graph.linkeddata import iris, jsonld, ontology
from graph.linkeddata.svg import outline
from graph.namespaces import PREFIXES, RDF
from sparql_api import internal
from sparql_api.engine import Engine
from sparql_api.errors import HttpError
from sparql_api.negotiation import negotiate

router = APIRouter(tags=["linked data"])
RDF_MEDIA = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
LD_OFFER = Offer(("text/html", *RDF_MEDIA), graph=True)
RDF_OFFER = Offer(RDF_MEDIA, graph=True)
CATALOG_OFFER = Offer(("text/html", *RDF_MEDIA), graph=True)
DUMP_TIMEOUT = 600.0  # seconds: a dump of the whole dataset streams for longer than a query may run
DUMP_MEDIA = {ext: media for ext, (media, _, _) in cat.DUMP_FORMATS.items()}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates" / "ld"),
    autoescape=jinja2.select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


# --- per-generation state ---------------------------------------------------------------------------------
@dataclass
class LinkedDataState:
    """What the linked-data pages compute once per store generation (kept on ``app.state``)."""

    generation: int = -1
    values: dict[tuple[str, int], Any] = field(default_factory=dict)
    locks: dict[tuple[str, int], asyncio.Lock] = field(default_factory=dict)
    checksums: cat.Checksums = field(default_factory=dict)
    modified: dict[int, float] = field(default_factory=dict)  # generation -> first seen (Last-Modified)
    warming: asyncio.Task[None] | None = None

    def reset(self, generation: int) -> None:
        """A newer generation drops what was computed for the older ones."""
        self.modified.setdefault(generation, time.time())
        if generation > self.generation:
            self.generation = generation
            self.values = {k: v for k, v in self.values.items() if k[1] >= generation}
            self.locks = {k: v for k, v in self.locks.items() if k[1] >= generation}
            self.checksums = {}

    async def get(self, key: str, generation: int, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The value of ``key`` for ``generation``, computed once (concurrent callers wait for it)."""
        self.reset(generation)
        slot = (key, generation)
        if slot in self.values:
            return self.values[slot]
        lock = self.locks.setdefault(slot, asyncio.Lock())
        async with lock:
            if slot in self.values:
                return self.values[slot]
            value = await compute()
            if generation >= self.generation:
                self.values[slot] = value
            return value


def state_of(request: Request) -> LinkedDataState:
    app = request.app
    if not hasattr(app.state, "linked_data"):
        app.state.linked_data = LinkedDataState()
    return app.state.linked_data


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def base_of(request: Request) -> str:
    return request.app.state.settings.base_iri


def qk_of(request: Request) -> str:
    return base_of(request) + "def#"


def server_of(request: Request) -> str:
    """The server's own address (``public_url`` behind a proxy), without trailing slash."""
    settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = request.headers.get("host") or "{}:{}".format(*request.scope.get("server") or ("localhost", 80))
    return f"{request.scope.get('scheme', 'http')}://{host}"


def site_of(request: Request) -> cat.Site:
    return cat.Site(base_of(request), server_of(request))


async def select(request: Request, sparql: str) -> list[desc.Binding]:
    _, rows = await internal.select(engine_of(request), sparql)
    return rows


# --- templates ----------------------------------------------------------------------------------------------
def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    base = base_of(request)

    def link(iri: str) -> str:
        local = iris.local_path(iri, base)
        if local is None:  # only web links leave the site (no javascript:, data:, file: from written data)
            return iri if iri.lower().startswith(("http://", "https://")) else "#"
        fragment = iri.split("#", 1)[1] if "#" in iri else ""
        return local + ("#" + fragment if fragment else "")

    def short(iri: str) -> str:
        names = {**PREFIXES, "qk": base + "def#", "qki": base + "id/", "qkc": base + "concept/",
                 "qkg": base + "graph/"}
        best = max((p for p, ns in names.items() if iri.startswith(ns)), key=lambda p: len(names[p]), default=None)
        return f"{best}:{iri[len(names[best]):]}" if best else iri

    body = TEMPLATES.get_template(template).render(link=link, short=short, base=base, **values)
    return HTMLResponse(body, status_code=status)


def not_found(request: Request, iri: str) -> Response:
    media = negotiate(request.headers.get("accept"), LD_OFFER)
    if media not in (None, "text/html"):
        message = (f"<{iri}> n'est pas dans le graphe / is not in the graph. "
                   "Voir / see /catalog, /sparql, /.well-known/void\n")
        return Response(message, status_code=404, media_type="text/plain; charset=utf-8")
    parent = iri.rstrip("/").rsplit("/", 1)[0] + "/"
    return page(request, "notfound.html", status=404, iri=iri, parent=parent)


# --- resources ------------------------------------------------------------------------------------------------
async def exists(request: Request, iri: str) -> bool:
    return await internal.ask(engine_of(request), desc.exists_query(iri))


def valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


async def resource(request: Request) -> Response:
    base = base_of(request)
    raw = request.scope.get("raw_path", b"").decode("utf-8", "replace").split("?", 1)[0]
    decoded = request.url.path
    resolved = iris.resolve(decoded, base)
    if resolved.local == iris.ONTOLOGY_PATH:
        return await ontology_resource(request, resolved)
    # the IRI as sent (percent-escapes kept: IRIs are compared character by character), else as decoded
    candidates = [iris.resolve(p, base) for p in dict.fromkeys((raw or decoded, decoded))]
    candidates = [c for c in candidates if valid_iri(c.iri)]
    if not candidates:
        raise HttpError(400, f"IRI invalide : {base}{decoded.lstrip('/')!r}",
                        f"invalid IRI: {base}{decoded.lstrip('/')!r}")
    found = None
    for candidate in candidates:
        if await exists(request, candidate.iri):
            found = candidate
            break
    if found is None:
        return not_found(request, candidates[-1].iri)
    resolved = found
    if resolved.suffix is None:
        return see_other(request, resolved.local)
    media = iris.SUFFIXES[resolved.suffix]
    if media == "text/html":
        return await entity_page(request, resolved.iri)
    return await rdf_document(request, resolved.iri, media)


def see_other(request: Request, local: str) -> Response:
    media = negotiate(request.headers.get("accept"), LD_OFFER)
    if media is None:
        offered = ", ".join(LD_OFFER.media_types)
        raise HttpError(406, f"formats : {offered}", f"formats: {offered}")
    location = server_of(request) + iris.document_path(local, iris.EXTENSIONS[media])
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


def etag_headers(request: Request, extra: str = "") -> dict[str, str]:
    engine = engine_of(request)
    return {"ETag": f'"{engine.etag}{extra}"', "Vary": "Accept"}


async def rdf_document(request: Request, iri: str, media: str) -> Response:
    engine = engine_of(request)
    headers = {**etag_headers(request), "Link": f'<{iri}>; rel="describes"'}
    note = None
    total = int((await select(request, desc.incoming_count_query(iri)))[0]["n"]["value"])
    if total > desc.INCOMING_LIMIT:  # said in the document and in a Link header, never cut silently
        everything = server_of(request) + "/sparql?query=" + quote(f"CONSTRUCT {{ ?s ?p <{iri}> }} "
                                                                    f"WHERE {{ ?s ?p <{iri}> }}")
        doc = server_of(request) + request.url.path
        note = desc.incoming_note(doc, total, everything)
        headers["Link"] += f', <{everything}>; rel="next"'
    sparql = desc.document_query(iri, note=note)
    if media == "application/ld+json":
        body = await internal.construct(engine, sparql, "application/n-triples")
        context = await context_of(request)
        url = server_of(request) + "/context.jsonld"
        document = await asyncio.to_thread(compact_ntriples, body, context, url, iri, qk_of(request))
        return Response(document, media_type="application/ld+json", headers=headers)
    body = await internal.construct(engine, sparql, media)
    return Response(body, media_type=content_type(media), headers=headers)


def compact_ntriples(body: bytes, context: dict[str, Any], url: str, first: str, qk: str) -> bytes:
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    return json.dumps(jsonld.compact(triples, context, url, first, qk), ensure_ascii=False, indent=1).encode()


async def describe_remote(request: Request, iri: str) -> desc.Description:
    """``describe`` through the workers."""
    out, incoming, statements = await asyncio.gather(
        select(request, desc.outgoing_query(iri)),
        select(request, desc.incoming_query(iri)),
        select(request, desc.statement_sources_query(iri)),
    )
    total = len(incoming)
    if total >= desc.INCOMING_LIMIT:
        total = int((await select(request, desc.incoming_count_query(iri)))[0]["n"]["value"])
    facts = desc.shape_outgoing(out)
    graphs = {f.graph for f in facts}
    graph_rows = await select(request, desc.graph_sources_query(graphs)) if graphs else []
    desc.attach_sources(facts, statements, graph_rows, inferred=base_of(request) + "graph/inferred")
    description = desc.Description(iri, facts, desc.shape_incoming(incoming), total)
    description.labels = desc.shape_labels(await select(request, desc.labels_query(description.linked_iris())))
    return description


async def entity_page(request: Request, iri: str) -> Response:
    qk = qk_of(request)
    d = await describe_remote(request, iri)
    types = set(d.types)
    extra: dict[str, Any] = {}
    more: set[str] = set()
    if types & desc.contract_types(qk):
        parts = desc.contract_queries(iri, qk)
        sig, qpv, com, money = await asyncio.gather(
            select(request, parts["signatures"]), select(request, parts["qpv"]),
            select(request, parts["commitments"]), select(request, desc.funding_query(iri, "contract", qk)))
        extra["contract"] = {"signatures": sig, "qpv": qpv, "commitments": com, "money": money,
                             "totals": desc.money_totals(money)}
        more |= {v["value"] for rows in (sig, qpv, com, money) for row in rows for v in row.values()
                 if v["type"] == "uri"}
    if types & desc.organisation_types(qk):
        contracts, received, given = await asyncio.gather(
            select(request, desc.organisation_queries(iri, qk)["contracts"]),
            select(request, desc.funding_query(iri, "recipient", qk)),
            select(request, desc.funding_query(iri, "funder", qk)))
        extra["organisation"] = {"contracts": contracts, "received": received,
                                 "received_totals": desc.money_totals(received),
                                 "given_totals": desc.money_totals(given)}
        more |= {v["value"] for rows in (contracts, received) for row in rows for v in row.values()
                 if v["type"] == "uri"}
    if qk + "QPV" in types:
        rows = await select(request, desc.wkt_query(iri))
        if rows:
            extra["outline"] = outline(rows[0]["wkt"]["value"])
    graph_name = iris.graph_local_name(iri, base_of(request))
    if graph_name:
        infos, _ = await infos_of(request)
        found = next((i for i in infos if i.iri == iri), None)
        extra["graph"] = {"name": graph_name, "triples": found.triples if found else 0,
                          "formats": [f"{ext}{gz}" for ext in DUMP_MEDIA for gz in ("", ".gz")]}
    more -= set(d.labels)
    if more:
        d.labels.update(desc.shape_labels(await select(request, desc.labels_query(more))))
    sparql = "/sparql?query=" + quote(desc.document_query(iri))
    return page(request, "entity.html", d=d, extra=extra, sparql=sparql, local=iris.local_path(iri, base_of(request)),
                rdf_type=RDF + "type", inferred=base_of(request) + "graph/inferred")


# --- ontology -------------------------------------------------------------------------------------------------
def ontology_graph(request: Request) -> str:
    return base_of(request) + "graph/ontology/quartiers"


async def ontology_resource(request: Request, resolved: iris.Resolved) -> Response:
    if resolved.suffix is None:
        return see_other(request, resolved.local)
    media = iris.SUFFIXES[resolved.suffix]
    if media == "text/html":
        return await ontology_page(request)
    engine = engine_of(request)
    if media == "application/ld+json":
        body = await internal.construct(engine, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ontology_graph(request)}> "
                                        "{ ?s ?p ?o } }", "application/n-triples")
        context = await context_of(request)
        document = await asyncio.to_thread(compact_ntriples, body, context, server_of(request) + "/context.jsonld",
                                           base_of(request) + "def", qk_of(request))
        return Response(document, media_type="application/ld+json", headers=etag_headers(request))
    answer = await engine.run({"op": "graph", "graph": ontology_graph(request), "media": media},
                              client=internal_client(request))
    return await complete(answer, media, etag_headers(request))


def internal_client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def complete(answer: Any, media: str, headers: dict[str, str]) -> Response:
    if answer.body is not None:
        return Response(answer.body, media_type=content_type(media), headers=headers)
    return StreamingResponse(answer.stream, media_type=content_type(media), headers=headers)


async def ontology_page(request: Request) -> Response:
    state = state_of(request)
    engine = engine_of(request)
    qk = qk_of(request)

    async def compute() -> list[ontology.Term]:
        terms = ontology.ontology_terms(await select(request, ontology.terms_query(ontology_graph(request), qk)), qk)
        properties = [t.iri for t in terms if not t.is_class]
        examples = await select(request, ontology.class_examples_query(qk))
        if properties:
            examples += await select(request, ontology.property_examples_query(properties))
        ontology.attach_examples(terms, examples)
        return terms

    terms = await state.get("ontology", engine.generation, compute)
    header = await select(request, f"SELECT ?p ?o WHERE {{ GRAPH <{ontology_graph(request)}> "
                                   f"{{ <{base_of(request)}def> ?p ?o }} }}")
    meta: dict[str, list[desc.Value]] = {}
    for row in header:
        meta.setdefault(row["p"]["value"], []).append(desc.Value.of(row["o"]))
    return page(request, "ontology.html", terms=terms, meta=meta, ontology=base_of(request) + "def")


# --- context, catalogue, VoID ------------------------------------------------------------------------------------
async def context_of(request: Request) -> dict[str, Any]:
    qk = qk_of(request)

    async def compute() -> dict[str, Any]:
        return jsonld.build_context(await select(request, jsonld.context_query(ontology_graph(request), qk)), qk)

    return await state_of(request).get("context", engine_of(request).generation, compute)


async def context_endpoint(request: Request) -> Response:
    context = await context_of(request)
    return Response(json.dumps(context, ensure_ascii=False, indent=1), media_type="application/ld+json",
                    headers={"ETag": f'"{engine_of(request).etag}"', "Cache-Control": "public, max-age=3600"})


async def infos_of(request: Request) -> tuple[list[cat.GraphInfo], list[desc.Binding]]:
    engine = engine_of(request)
    qk = qk_of(request)

    async def compute() -> tuple[list[cat.GraphInfo], list[desc.Binding]]:
        counts = await engine.counts()  # cached by the engine per generation
        graphs = [g for g, n in counts.items() if g and n > 0]
        if not graphs:
            return [], []
        queries = cat.coverage_queries(graphs, qk)
        described, contracts, years, onto = await asyncio.gather(
            select(request, cat.self_description_query(graphs)), select(request, queries["contracts"]),
            select(request, queries["years"]), select(request, queries["ontology"]))
        infos = cat.graph_infos(counts, described, {"contracts": contracts, "years": years})
        return infos, onto

    return await state_of(request).get("infos", engine.generation, compute)


RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def serialize(triples: list[ox.Triple], media: str) -> bytes:
    prefixes = {**PREFIXES, "spdx": cat.SPDX} if media in ("text/turtle", "application/rdf+xml") else None
    return ox.serialize(triples, format=RDF_FORMATS[media], prefixes=prefixes) or b""


async def catalog_endpoint(request: Request) -> Response:
    media = negotiate(request.headers.get("accept"), CATALOG_OFFER)
    if media is None:
        raise HttpError(406, "formats : " + ", ".join(CATALOG_OFFER.media_types),
                        "formats: " + ", ".join(CATALOG_OFFER.media_types))
    infos, onto = await infos_of(request)
    site = site_of(request)
    state = state_of(request)
    start_warming(request, cat.dump_paths(infos, site))
    if media == "text/html":
        return page(request, "catalog.html", infos=infos, site=site, checksums=state.checksums,
                    distributions=cat.GRAPH_DISTRIBUTIONS, all_distributions=cat.ALL_DISTRIBUTIONS,
                    local=lambda g: iris.graph_local_name(g, site.base))
    key = f"catalog:{media}:{site.server}:{len(state.checksums)}"

    async def compute() -> bytes:
        triples = cat.catalog_triples(infos, site, dict(state.checksums), onto)
        return await asyncio.to_thread(serialize, triples, media)

    body = await state.get(key, engine_of(request).generation, compute)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


async def void_endpoint(request: Request) -> Response:
    media = negotiate(request.headers.get("accept"), RDF_OFFER) or "text/turtle"
    infos, _ = await infos_of(request)
    site = site_of(request)
    qk = qk_of(request)

    async def stats() -> dict[str, list[desc.Binding]]:
        # one after the other: each scans the dataset, and the service's own queries share one client's caps
        return {name: await select(request, sparql) for name, sparql in cat.void_queries(qk).items()}

    state = state_of(request)
    found = await state.get("void-stats", engine_of(request).generation, stats)
    key = f"void:{media}:{site.server}"

    async def compute() -> bytes:
        return await asyncio.to_thread(serialize, cat.void_triples(infos, site, found), media)

    body = await state.get(key, engine_of(request).generation, compute)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


# --- dumps ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DumpName:
    graph: str | None  # None: the whole dataset
    ext: str
    gzip: bool

    @property
    def media(self) -> str:
        return DUMP_MEDIA[self.ext]


def parse_dump(name: str, base: str) -> DumpName:
    gz = name.endswith(".gz")
    stem = name[:-3] if gz else name
    graph, _, ext = stem.rpartition(".")
    if ext not in DUMP_MEDIA or not graph:
        raise HttpError(404, f"dump inconnu {name!r} : <graphe>.ttl|nt|trig|nq[.gz] ou all.…",
                        f"unknown dump {name!r}: <graph>.ttl|nt|trig|nq[.gz] or all.…")
    return DumpName(None if graph == cat.ALL_NAME else base + "graph/" + graph, ext, gz)


def not_modified(request: Request, etag: str, modified: float) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since).timestamp() >= int(modified)
        except (TypeError, ValueError):
            return False
    return False


async def dump_endpoint(request: Request) -> Response:
    name = request.path_params["name"]
    dump = parse_dump(name, base_of(request))
    engine = engine_of(request)
    state = state_of(request)
    if not state.modified:  # the store as built: its manifest's time, not the server's start
        manifest = engine.store_dir / MANIFEST_NAME
        if manifest.is_file():
            state.modified[engine.generation] = manifest.stat().st_mtime
    state.reset(engine.generation)
    modified = state.modified[engine.generation]
    etag = '"' + engine.etag + "-" + hashlib.sha1(name.encode()).hexdigest()[:12] + '"'
    headers = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True),
               "Content-Disposition": f'attachment; filename="{name.replace("/", "-")}"'}
    if not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    media = "application/gzip" if dump.gzip else content_type(dump.media)
    if request.method == "HEAD":
        return Response(status_code=200, media_type=media, headers=headers)
    header = {"op": "dump", "graph": dump.graph, "media": dump.media, "gzip": dump.gzip}
    answer = await engine.run(header, client=internal_client(request), timeout=DUMP_TIMEOUT)
    path = request.url.path
    generation = engine.generation
    if answer.body is not None:
        state.checksums.setdefault(path, (hashlib.sha256(answer.body).hexdigest(), len(answer.body)))
        return Response(answer.body, media_type=media, headers=headers)
    return StreamingResponse(hashed(answer.stream, state, path, generation), media_type=media, headers=headers)


async def hashed(stream: AsyncIterator[bytes], state: LinkedDataState, path: str,
                 generation: int) -> AsyncIterator[bytes]:
    """The stream unchanged; its SHA-256 and size recorded once it ends (the catalogue lists them)."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in stream:
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    if state.generation == generation:
        state.checksums.setdefault(path, (digest.hexdigest(), size))


def start_warming(request: Request, paths: list[str]) -> None:
    """Compute, in the background and once per generation, the checksums of the dumps the catalogue lists."""
    state = state_of(request)
    if state.warming is not None and not state.warming.done():
        return
    missing = [p for p in paths if p not in state.checksums]
    if not missing:
        return
    engine = engine_of(request)
    base = base_of(request)
    generation = engine.generation

    async def warm() -> None:
        for path in missing:
            if engine.generation != generation or path in state.checksums:
                continue
            dump = parse_dump(path[len("/dumps/"):], base)
            try:
                answer = await engine.run({"op": "dump", "graph": dump.graph, "media": dump.media,
                                           "gzip": dump.gzip}, client="internal-checksums",
                                          timeout=DUMP_TIMEOUT)
            except HttpError:
                continue
            if answer.body is not None:
                if state.generation == generation:
                    state.checksums.setdefault(path, (hashlib.sha256(answer.body).hexdigest(), len(answer.body)))
                continue
            assert answer.stream is not None
            async for _ in hashed(answer.stream, state, path, generation):
                pass

    state.warming = asyncio.get_running_loop().create_task(warm())


async def dumps_index(request: Request) -> Response:
    infos, _ = await infos_of(request)
    site = site_of(request)
    return page(request, "dumps.html", infos=infos, formats=list(DUMP_MEDIA), checksums=state_of(request).checksums,
                local=lambda g: iris.graph_local_name(g, site.base))


# --- routes -------------------------------------------------------------------------------------------------------
for _path in ("/id/{path:path}", "/concept/{path:path}", "/graph/{path:path}", "/def", "/def.{ext}",
              "/def/{path:path}"):
    router.add_api_route(_path, resource, methods=["GET", "HEAD"], include_in_schema=False)
DOCUMENTED = (
    ("/.well-known/void", void_endpoint, "VoID description / description VoID", "void"),
    ("/catalog", catalog_endpoint, "DCAT-AP 3 catalogue / catalogue DCAT-AP 3", "catalog"),
    ("/context.jsonld", context_endpoint, "JSON-LD context / contexte JSON-LD", "jsonldContext"),
    ("/dumps", dumps_index, "Dumps (index) / exports (index)", "dumps"),
    ("/dumps/{name:path}", dump_endpoint, "Dump of a graph or of all / export d'un graphe ou du tout", "dump"),
)
for _path, _handler, _summary, _operation in DOCUMENTED:
    router.add_api_route(_path, _handler, methods=["GET"], summary=_summary, operation_id=_operation)
    router.add_api_route(_path, _handler, methods=["HEAD"], include_in_schema=False)
