"""The FastAPI application: ``create_app(store, settings)``. State lives on ``app.state``."""

from __future__ import annotations

import html
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse

from graph.layout import WRITES_GRAPH
from graph.namespaces import BASE
from graph.store import OxigraphStore, Store, StoreError
from sparql_api import graph_store
from sparql_api.errors import HttpError, bad_request, http_error_handler
from sparql_api.execution import Abandoned, Job, run_bounded
from sparql_api.isolation import QueryProcesses, QueryTask
from sparql_api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, format_parameter, negotiate
from sparql_api.protocol import SparqlRequest, parse_request
from sparql_api.results import Cancelled, Limiter, Serialized, content_type, serialize
from sparql_api.scan import add_using, expand_all
from sparql_api.security import check_remote_access, read_body, write_agent
from sparql_api.service_description import DESCRIPTION_TYPES, description_triples, serialize_description
from sparql_api.settings import Settings
from sparql_api.writes import GateRejected, WriteGate

SPARQL_PATH = "/sparql"
GRAPHS_QUERY = quote("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.query_processes is not None:
            await app.state.query_processes.start()
        yield
        if app.state.query_processes is not None:
            app.state.query_processes.close()
        app.state.query_pool.shutdown(wait=False, cancel_futures=True)
        app.state.write_pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="Quartiers KG SPARQL endpoint", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.store = store
    app.state.settings = settings
    app.state.gate = WriteGate(store, settings)
    app.state.query_pool = ThreadPoolExecutor(settings.query_workers, thread_name_prefix="sparql-query")
    on_disk = isinstance(store, OxigraphStore) and store.path is not None
    app.state.query_processes = None
    if on_disk and settings.isolate_queries:
        gate: WriteGate = app.state.gate
        app.state.query_processes = QueryProcesses(
            store.path,  # type: ignore[union-attr,arg-type]
            settings.query_workers,
            generation=lambda: gate.generation,
        )
    app.state.write_pool = ThreadPoolExecutor(1, thread_name_prefix="sparql-write")
    app.state.description_cache = {}
    app.add_exception_handler(HttpError, http_error_handler)
    app.add_exception_handler(GateRejected, gate_rejected_handler)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "X-Requested-With"],
        expose_headers=["Location", "Content-Type", "Quartiers-Truncated"],
        max_age=3600,
    )
    app.add_api_route("/", home, methods=["GET"], include_in_schema=False)
    for path in (SPARQL_PATH, SPARQL_PATH + "/"):
        app.add_api_route(
            path, sparql_endpoint, methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]
        )
    app.include_router(graph_store.router)
    return app


def endpoint_url(request: Request) -> str:
    return graph_store.request_url(request)


async def sparql_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method == "OPTIONS":  # a CORS preflight (with Origin) is answered by the middleware
        return Response(status_code=204, headers={"Allow": "GET, POST, HEAD, OPTIONS"})
    body = await read_body(request, settings) if request.method == "POST" else b""
    req = parse_request(request.method, request.url.query, request.headers.get("content-type"), body)
    if req.operation == "description":
        return service_description(request, req)
    if req.operation == "query":
        return await run_query(request, req)
    return await run_update(request, req)


# --- queries ---------------------------------------------------------------------------------------------
async def run_query(request: Request, req: SparqlRequest) -> Response:
    app = request.app
    settings: Settings = app.state.settings
    store: Store = app.state.store
    base = endpoint_url(request)
    accept = request.headers.get("accept")
    check_remote_access(req.text, settings, base)
    dataset: dict[str, object] = {"union_default": settings.union_default_graph}
    if req.default_graphs is not None or req.named_graphs is not None:
        dataset = {"default_graphs": req.default_graphs or [], "named_graphs": req.named_graphs or []}

    processes: QueryProcesses | None = app.state.query_processes
    if processes is not None:
        media = {kind: acceptable_media(req, accept, kind) for kind in ("solutions", "boolean", "graph")}
        task = QueryTask(
            req.text, base, dataset, media, settings.max_result_rows, generation=app.state.gate.generation
        )
        return query_response(request, await processes.run(task, settings.query_timeout), settings)

    def work(job: Job) -> Serialized:
        try:
            result = store.query(req.text, base_iri=base, **dataset)  # type: ignore[arg-type]
            try:
                media = choose_media(req, accept, result.kind)
                return serialize(result, media, Limiter(settings.max_result_rows, job.cancel))
            except Cancelled:  # abandoned after a timeout: the request has answered 503 already
                return Serialized(b"", "text/plain")
            finally:
                result = None  # pyoxigraph results must be dropped by the thread that made them
        except StoreError as exc:
            raise bad_request(f"requête SPARQL invalide : {exc}", f"invalid SPARQL query: {exc}") from exc
        except OSError as exc:
            raise bad_request(f"échec de l'évaluation : {exc}", f"evaluation failed: {exc}") from exc

    out = await run_bounded(app.state.query_pool, work, settings.query_timeout, "query")
    return query_response(request, out, settings)


def query_response(request: Request, out: Serialized, settings: Settings) -> Response:
    headers = {"Vary": "Accept"}
    if out.truncated:
        headers["Quartiers-Truncated"] = str(settings.max_result_rows)
    body = out.body  # for HEAD, uvicorn sends the headers (Content-Length included) without the body
    return Response(body, media_type=content_type(out.media_type), headers=headers)


def acceptable_media(req: SparqlRequest, accept: str | None, kind: str) -> str | None:
    """The media type to answer a result of ``kind`` with (``format``/``output`` first, then Accept)."""
    graph = kind == "graph"
    offered = GRAPH_TYPES if graph else SOLUTION_TYPES
    return format_parameter(req.format, offered, graph=graph) or negotiate(accept, offered, graph=graph)


def choose_media(req: SparqlRequest, accept: str | None, kind: str) -> str:
    offered = GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES
    media = acceptable_media(req, accept, kind)
    if media is None:
        raise HttpError(
            406,
            f"aucun format demandé n'est disponible ({', '.join(offered)})",
            f"none of the requested formats is available ({', '.join(offered)})",
        )
    return media


# --- updates ---------------------------------------------------------------------------------------------
async def run_update(request: Request, req: SparqlRequest) -> Response:
    app = request.app
    settings: Settings = app.state.settings
    agent = write_agent(request, settings)
    base = endpoint_url(request)
    text = req.text
    if req.default_graphs or req.named_graphs:
        text = add_using(text, req.default_graphs or [], req.named_graphs or [])
    check_remote_access(text, settings, base)  # on the final text, USING clauses included
    gate: WriteGate = app.state.gate
    store: Store = app.state.store

    def work(job: Job) -> None:
        expanded = expand_all(text, store.named_graphs(), {gate.audit_graph})
        try:
            gate.run_update(expanded, base_iri=base, agent=agent, job=job)
        except StoreError as exc:
            raise bad_request(f"mise à jour SPARQL invalide : {exc}", f"invalid SPARQL update: {exc}") from exc

    try:
        await run_bounded(app.state.write_pool, work, settings.update_timeout, "update")
    except Abandoned:  # pragma: no cover - timing dependent
        raise HttpError(503, "mise à jour abandonnée", "update abandoned") from None
    return Response(status_code=204)


async def gate_rejected_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GateRejected)
    media = negotiate(request.headers.get("accept"), ("application/json", "text/turtle"))
    if media == "text/turtle":
        return Response(exc.report.to_turtle(), status_code=422, media_type="text/turtle; charset=utf-8")
    payload = {
        "error": "Écriture refusée : elle violerait les formes SHACL / "
        "Write rejected: it would violate the SHACL shapes",
        "report": exc.report.to_json(),
    }
    return JSONResponse(payload, status_code=422)


# --- service description and home ------------------------------------------------------------------------
def service_description(request: Request, req: SparqlRequest) -> Response:
    app = request.app
    settings: Settings = app.state.settings
    media = None
    if req.format:
        media = format_parameter(req.format, DESCRIPTION_TYPES, graph=True)
    media = media or negotiate(request.headers.get("accept"), DESCRIPTION_TYPES, graph=True) or "text/turtle"
    endpoint = endpoint_url(request)
    cache = app.state.description_cache
    key = (app.state.gate.generation, endpoint, media)
    if key not in cache:
        cache.clear()
        counts = app.state.store.graph_counts()
        triples = description_triples(
            endpoint,
            counts,
            writes=settings.writes_enabled,
            union=settings.union_default_graph,
            federation=bool(settings.allow_remote),
        )
        cache[key] = serialize_description(triples, media)
    body = cache[key]  # for HEAD, uvicorn sends the headers (Content-Length included) without the body
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


async def home(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    base = html.escape(settings.base_iri)
    audit = html.escape(settings.base_iri + WRITES_GRAPH[len(BASE):])
    return HTMLResponse(f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Quartiers KG — SPARQL</title></head>
<body><h1>Quartiers KG</h1>
<p>Graphe de connaissances des contrats de ville 2024-2030 et des QPV / Knowledge graph of France's
urban-policy contracts. Base IRI : <code>{base}</code></p>
<ul>
<li><a href="{SPARQL_PATH}">{SPARQL_PATH}</a> — point d'accès SPARQL 1.1 (requêtes ; GET sans requête =
description du service) / SPARQL 1.1 endpoint (GET without a query = service description)</li>
<li><a href="{SPARQL_PATH}?query={GRAPHS_QUERY}">
graphes nommés et tailles / named graphs and sizes</a></li>
<li><a href="{graph_store.GSP_PATH}">{graph_store.GSP_PATH}</a> — Graph Store HTTP Protocol
(<code>?graph=IRI</code>, <code>?default</code>)</li>
<li>écritures journalisées dans / writes recorded in <code>{audit}</code></li>
</ul></body></html>""")
