"""The FastAPI application: ``create_app(store_dir, settings)``. Each request has one path:

HTTP → protocol parsing and content negotiation here (cheap, bounded) → a task for the engine (a worker
process evaluates and serialises; the writer process validates and commits) → the answer, complete or
streamed. State lives on ``app.state`` (settings, engine, cache, metrics).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from graph.formats import GRAPH_OFFER, SOLUTIONS_OFFER, content_type
from graph.layout import INFERRED_GRAPH
from graph.namespaces import BASE
from sparql_api import console, graph_store, linked_data, openapi, questions
from sparql_api.cache import AnswerCache, Cached
from sparql_api.contracts_upload import upload_contracts
from sparql_api.engine import Answer, Engine, WriteRejectedError
from sparql_api.errors import HttpError, error_response, http_error_handler
from sparql_api.negotiation import choose, negotiate
from sparql_api.observability import Metrics, RequestLog
from sparql_api.protocol import SparqlRequest, parse_request
from sparql_api.security import read_body, write_agent
from sparql_api.service_description import DESCRIPTION_OFFER, description_triples, serialize_description
from sparql_api.settings import Settings

SPARQL_PATH = "/sparql"
ASSERTED_PATH = "/sparql/asserted"  # the same endpoint without the materialised entailments (qkg:inferred)
T = TypeVar("T")


class ClientGone(Exception):
    """The client closed the connection before its answer was ready."""


def create_app(store_dir: Path, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = Engine(store_dir, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await engine.start()
        yield
        await engine.close()

    app = FastAPI(
        title="Quartiers KG",
        description="SPARQL 1.1 endpoint, Graph Store and linked data of the contrats de ville 2024-2030 "
        "and the QPV / point d'accès SPARQL 1.1 du graphe des contrats de ville.",
        version="0.2.0",
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},  # our own /metrics; no per-request check
        docs_url="/docs",
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.settings = settings
    app.state.engine = engine
    app.state.cache = AnswerCache(settings.cache_bytes, settings.cache_entry_bytes)
    app.state.metrics = metrics
    app.add_exception_handler(HttpError, http_error_handler)
    app.add_exception_handler(WriteRejectedError, rejected_handler)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "X-Requested-With", "X-Request-Id"],
        expose_headers=["Location", "Content-Type", "ETag", "X-Request-Id"],
        max_age=3600,
    )
    app.add_middleware(RequestLog, metrics=metrics, enabled=settings.access_log)
    console.register(app)  # /, /builder, /dashboard, /static/ (the web console)
    # the protocol's hot path: a plain route (no dependency injection) placed before the documented ones
    for path in (SPARQL_PATH, SPARQL_PATH + "/", ASSERTED_PATH):
        app.add_route(path, sparql_endpoint, methods=openapi.ALL_METHODS, include_in_schema=False)
    openapi.add_sparql_routes(app, SPARQL_PATH, sparql_endpoint)
    openapi.add_sparql_routes(app, ASSERTED_PATH, sparql_endpoint, suffix="Asserted")
    app.include_router(graph_store.router)
    app.add_api_route("/contracts", upload_contracts, methods=["POST"], summary="Import contracts", tags=["write"])
    app.include_router(questions.router)
    app.include_router(linked_data.router)
    app.add_api_route("/health", health, methods=["GET"], summary="Liveness / vivacité", tags=["service"])
    app.add_api_route("/ready", ready, methods=["GET"], summary="Readiness / disponibilité", tags=["service"])
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], summary="Prometheus metrics", tags=["service"])
    return app


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def endpoint_url(request: Request) -> str:
    return graph_store.request_url(request)


WATCH_AFTER = 0.05  # seconds: answers faster than this never pay for watching the connection


async def until_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def watched(request: Request, work: Awaitable[T]) -> T:
    """``work``, stopped if the client hangs up first (its worker is then killed and replaced). The watch
    starts only if the work is still running after WATCH_AFTER, so quick answers create no extra task."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {"watcher": None, "gone": False}

    async def watch() -> None:
        await until_disconnect(request)
        state["gone"] = True
        task.cancel()

    def start_watch() -> None:
        state["watcher"] = loop.create_task(watch())

    timer = loop.call_later(WATCH_AFTER, start_watch)
    try:
        return await work
    except asyncio.CancelledError:
        if state["gone"] and task.uncancel() == 0:
            raise ClientGone from None
        raise
    finally:
        timer.cancel()
        if state["watcher"] is not None:
            state["watcher"].cancel()


def answer_response(answer: Answer, headers: dict[str, str]) -> Response:
    media = content_type(answer.media)
    if answer.body is not None:
        return Response(answer.body, media_type=media, headers=headers)
    assert answer.stream is not None
    return StreamingResponse(answer.stream, media_type=media, headers=headers)


async def run_cached(
    request: Request, key: tuple[object, ...], header: dict[str, Any], headers: dict[str, str]
) -> Response:
    """Answer from the cache, or run the task (a complete answer is cached for the current generation)."""
    engine = engine_of(request)
    cache: AnswerCache = request.app.state.cache
    generation = engine.generation
    found = cache.get(key, generation)
    if found is not None:
        return Response(found.body, media_type=content_type(found.media), headers=headers)
    try:
        answer = await watched(request, engine.run(header, client=client_of(request)))
    except ClientGone:
        return Response(status_code=499)
    if answer.body is not None:
        cache.put(key, generation, Cached(answer.media, answer.kind, answer.body))
    return answer_response(answer, headers)


# --- /sparql ---------------------------------------------------------------------------------------------
def asserted_only(request: Request) -> bool:
    return request.scope["path"] == ASSERTED_PATH


def inferred_graph(settings: Settings) -> str:
    return settings.base_iri + INFERRED_GRAPH[len(BASE) :]


async def sparql_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method == "OPTIONS":  # a CORS preflight (with Origin) is answered by the middleware
        return Response(status_code=204, headers={"Allow": "GET, POST, HEAD, OPTIONS"})
    body = await read_body(request, settings) if request.method == "POST" else b""
    req = parse_request(request.method, request.url.query, request.headers.get("content-type"), body)
    if req.operation == "description":
        return await service_description(request, req)
    if req.operation == "query":
        return await run_query(request, req)
    if asserted_only(request):
        raise HttpError(
            405,
            f"les mises à jour se font sur {SPARQL_PATH}",
            f"updates go to {SPARQL_PATH}",
            {"Allow": "GET, HEAD, OPTIONS"},
        )
    return await run_update(request, req)


async def run_query(request: Request, req: SparqlRequest) -> Response:
    settings: Settings = request.app.state.settings
    accept = request.headers.get("accept")
    solutions = choose(accept, req.format, SOLUTIONS_OFFER)
    media = {"solutions": solutions, "boolean": solutions, "graph": choose(accept, req.format, GRAPH_OFFER)}
    if not any(media.values()):
        raise not_acceptable((*SOLUTIONS_OFFER.media_types, *GRAPH_OFFER.media_types))
    base = endpoint_url(request)
    header = {
        "op": "query",
        "text": req.text,
        "base": base,
        "default_graphs": req.default_graphs,
        "named_graphs": req.named_graphs,
        "union": settings.union_default_graph,
        "media": media,
        "allow_remote": list(settings.allow_remote),
        "max_depth": settings.max_depth,
        "exclude": [inferred_graph(settings)] if asserted_only(request) else [],
    }
    key = ("query", req.text, base, tuple(req.default_graphs or ()), tuple(req.named_graphs or ()),
           req.default_graphs is None, req.named_graphs is None, tuple(media.values()))
    return await run_cached(request, key, header, {"Vary": "Accept"})


def not_acceptable(offered: tuple[str, ...]) -> HttpError:
    return HttpError(
        406,
        f"aucun format demandé n'est disponible ({', '.join(offered)})",
        f"none of the requested formats is available ({', '.join(offered)})",
    )


async def run_update(request: Request, req: SparqlRequest) -> Response:
    settings: Settings = request.app.state.settings
    agent = write_agent(request, settings)
    header = {
        "op": "update",
        "text": req.text,
        "base": endpoint_url(request),
        "using": req.default_graphs,
        "using_named": req.named_graphs,
        "agent": agent,
    }
    await engine_of(request).write(header)
    return Response(status_code=204)


async def rejected_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WriteRejectedError)
    media = negotiate(request.headers.get("accept"), JSON_OR_TURTLE)
    if media == "text/turtle":
        return Response(exc.turtle, status_code=422, media_type="text/turtle; charset=utf-8")
    payload = {
        "error": "Écriture refusée : elle violerait les formes SHACL / "
        "Write rejected: it would violate the SHACL shapes",
        "report": exc.report,
    }
    return JSONResponse(payload, status_code=422)


# --- service description, health --------------------------------------------------------------------
async def service_description(request: Request, req: SparqlRequest) -> Response:
    settings: Settings = request.app.state.settings
    accept = request.headers.get("accept")
    if console.wants_query_page(request.method, accept, req.format):
        return await console.query_page(request, request.scope["path"].rstrip("/"))
    media = choose(accept, req.format, DESCRIPTION_OFFER) or "text/turtle"
    engine = engine_of(request)
    counts = await engine.counts()
    triples = description_triples(
        endpoint_url(request), counts, writes=settings.writes_enabled, union=settings.union_default_graph,
        federation=bool(settings.allow_remote), inferred_graph=inferred_graph(settings),
        entailments=not asserted_only(request),
    )
    return Response(serialize_description(triples, media), media_type=content_type(media),
                    headers={"Vary": "Accept", "ETag": f'"{engine.etag}"'})


async def health() -> JSONResponse:
    """The server process answers (it may still be loading the store: see /ready)."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """Ready once the in-memory replica is loaded and the workers (and writer) are up."""
    status = engine_of(request).status()
    return JSONResponse(status, status_code=200 if status["ready"] else 503)


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    engine = engine_of(request)
    cache: AnswerCache = request.app.state.cache
    metrics.timeouts.set(engine.metrics["timeouts"])
    metrics.workers.labels("total").set(len(engine.pool.children))
    metrics.workers.labels("idle").set(len(engine.pool.idle))
    for event, count in engine.pool.stats.items():
        metrics.worker_events.labels(event).set(count)
    metrics.writer_restarts.set(engine.writer.restarts)
    metrics.writes.labels("committed").set(engine.metrics["writes"])
    metrics.writes.labels("rejected").set(engine.metrics["rejected_writes"])
    metrics.generation.set(engine.generation)
    metrics.cache.labels("hits").set(cache.hits)
    metrics.cache.labels("misses").set(cache.misses)
    metrics.cache.labels("bytes").set(cache.size)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


JSON_OR_TURTLE = type(SOLUTIONS_OFFER)(("application/json", "text/turtle"), graph=False)
__all__ = ["create_app", "error_response"]
Handler = Callable[[Request], Awaitable[Response]]
