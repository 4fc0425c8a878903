"""SPARQL 1.1 Graph Store HTTP Protocol: indirect (``?graph=``, ``?default``) and direct naming (the graph IRI
is the request URL under ``/rdf-graphs/``). Reads run in a worker process, writes in the writer process (the
body is parsed there, off the event loop)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from graph.formats import GRAPH_OFFER, canonical, readable_rdf_media_types
from sparql_api.errors import HttpError, bad_request
from sparql_api.negotiation import choose
from sparql_api.protocol import check_charset, check_iri, query_params, split_content_type
from sparql_api.security import read_body, write_agent

GSP_PATH = "/rdf-graphs"
READ_METHODS = ["GET", "HEAD"]
WRITE_METHODS = ["PUT", "POST", "DELETE"]
STORE = object()  # the request names the Graph Store itself (POST creates a graph)
GRAPH_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"}, "description": "graph IRI"},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "the default graph"},
]

router = APIRouter(tags=["graph store"])


def request_url(request: Request) -> str:
    """The request's URL without query: under ``public_url`` when the service sits behind a proxy."""
    settings = request.app.state.settings
    path = request.scope.get("root_path", "") + request.scope["path"]
    if settings.public_url:
        return settings.public_url.rstrip("/") + path
    host = request.headers.get("host") or "{}:{}".format(*request.scope.get("server") or ("localhost", 80))
    return f"{request.scope.get('scheme', 'http')}://{host}{path}"


def target_graph(request: Request) -> str | object | None:
    """The graph a request names: an IRI, None for the default graph, or STORE."""
    if request.path_params.get("path"):
        return check_iri(request_url(request), "graph")
    params = query_params(request.url.query)
    unknown = sorted(set(params) - {"graph", "default"})
    if unknown:  # a typo or another server's parameter must not silently change the target
        names = ", ".join(unknown)
        raise bad_request(f"paramètre(s) inconnu(s) : {names} (graph ou default)",
                          f"unknown parameter(s): {names} (use graph or default)")
    if "graph" in params and "default" in params:
        raise bad_request("graph et default ensemble", "both graph and default parameters")
    if "graph" in params:
        if len(params["graph"]) != 1 or not params["graph"][0]:
            raise bad_request("un seul paramètre graph est permis", "exactly one graph parameter is allowed")
        return check_iri(params["graph"][0], "graph")
    if "default" in params:
        return None
    return STORE


def operation(method: str, direct: bool) -> dict[str, object]:
    suffix = "Direct" if direct else ""
    return {"operation_id": f"graphStore{method.capitalize()}{suffix}", "summary": f"Graph Store {method}",
            "openapi_extra": {} if direct else {"parameters": GRAPH_PARAMS}}


async def read_graph(request: Request) -> Response:
    graph = target_graph(request)
    if graph is STORE:
        raise bad_request("nommez un graphe : ?graph=<IRI> ou ?default", "name a graph: ?graph=<IRI> or ?default")
    media = choose(request.headers.get("accept"), None, GRAPH_OFFER)
    if media is None:
        offered = ", ".join(GRAPH_OFFER.media_types)
        raise HttpError(406, "formats : " + offered, "formats: " + offered)
    from sparql_api.app import run_cached

    header = {"op": "graph", "graph": graph, "media": media}
    return await run_cached(request, ("graph", graph, media), header, {"Vary": "Accept"})


async def write_graph(request: Request) -> Response:
    graph = target_graph(request)
    settings = request.app.state.settings
    agent = write_agent(request, settings)
    method = request.method
    created_iri: str | None = None
    if graph is STORE:
        if method != "POST":
            raise bad_request("nommez un graphe : ?graph=<IRI> ou ?default", "name a graph: ?graph=<IRI> or ?default")
        created_iri = request_url(request).rstrip("/") + "/" + uuid.uuid4().hex
        graph = created_iri
    header: dict[str, object] = {"op": "graph-write", "graph": graph, "agent": agent, "base": graph}
    body = b""
    if method == "DELETE":
        header["mode"] = "delete"
    else:
        body = await read_body(request, settings)
        content_type = request.headers.get("content-type")
        media, params = split_content_type(content_type)
        if not media:
            raise bad_request("en-tête Content-Type manquant", "missing Content-Type header")
        if media != "multipart/form-data":
            check_charset(params)
            readable = readable_rdf_media_types()
            if canonical(media, graph=True) not in readable and media not in readable:
                raise HttpError(
                    415,
                    f"type RDF {media!r} non pris en charge",
                    f"unsupported RDF media type {media!r} (use one of {', '.join(readable_rdf_media_types())})",
                )
        header |= {"mode": "put" if method == "PUT" else "post", "media": media, "content_type": content_type}
    reply = await request.app.state.engine.write(header, body)
    if created_iri is not None:
        return Response(status_code=201, headers={"Location": created_iri})
    if reply.get("created"):
        return Response(status_code=201)
    return Response(status_code=204)


for _direct, _path in ((False, GSP_PATH), (True, GSP_PATH + "/{path:path}")):
    for _method in READ_METHODS:
        router.add_api_route(_path, read_graph, methods=[_method], **operation(_method, _direct))  # type: ignore[arg-type]
    for _method in WRITE_METHODS:
        router.add_api_route(_path, write_graph, methods=[_method], **operation(_method, _direct))  # type: ignore[arg-type]
