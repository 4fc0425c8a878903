"""SPARQL 1.1 Graph Store HTTP Protocol: indirect (``?graph=``, ``?default``) and direct naming
(the graph IRI is the request URL under ``/rdf-graphs/``)."""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graph.store import RDF_MEDIA_TYPES, StoreError, parse_quads
from sparql_api.errors import HttpError, bad_request
from sparql_api.execution import run_bounded
from sparql_api.negotiation import GRAPH_TYPES, negotiate
from sparql_api.protocol import check_charset, check_iri, multi_params, split_content_type
from sparql_api.results import content_type
from sparql_api.security import read_body, write_agent

GSP_PATH = "/rdf-graphs"
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
STORE = object()  # the request names the Graph Store itself (POST creates a graph)

router = APIRouter()


def request_url(request: Request) -> str:
    settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + request.url.path
    return str(request.url.replace(query=None, fragment=None))


def target_graph(request: Request, path: str) -> str | object | None:
    """The graph a request names: an IRI, None for the default graph, or STORE."""
    if path:
        return request_url(request)
    params = multi_params(parse_qsl(request.url.query, keep_blank_values=True))
    if "graph" in params and "default" in params:
        raise bad_request("graph et default ensemble", "both graph and default parameters")
    if "graph" in params:
        if len(params["graph"]) != 1 or not params["graph"][0]:
            raise bad_request("un seul paramètre graph est permis", "exactly one graph parameter is allowed")
        return check_iri(params["graph"][0], "graph")
    if "default" in params:
        return None
    return STORE


@router.api_route(GSP_PATH, methods=METHODS)
@router.api_route(GSP_PATH + "/{path:path}", methods=METHODS)
async def graph_store(request: Request, path: str = "") -> Response:
    graph = target_graph(request, path)
    if request.method in ("GET", "HEAD"):
        return read_graph(request, graph)
    return await write_graph(request, graph)


def read_graph(request: Request, graph: str | object | None) -> Response:
    store = request.app.state.store
    if graph is STORE:
        raise bad_request(
            "nommez un graphe : ?graph=<IRI> ou ?default", "name a graph: ?graph=<IRI> or ?default"
        )
    assert graph is None or isinstance(graph, str)
    if graph is not None and not store.has_graph(graph):
        raise HttpError(404, f"graphe <{graph}> inexistant", f"no graph <{graph}>")
    media = negotiate(request.headers.get("accept"), GRAPH_TYPES, graph=True)
    if media is None:
        raise HttpError(406, "formats : " + ", ".join(GRAPH_TYPES), "formats: " + ", ".join(GRAPH_TYPES))
    headers = {"Vary": "Accept"}
    body = store.serialize_graph(graph, media)  # HEAD: uvicorn drops the body, keeps Content-Length
    return Response(body, media_type=content_type(media), headers=headers)


async def write_graph(request: Request, graph: str | object | None) -> Response:
    app = request.app
    settings, store, gate = app.state.settings, app.state.store, app.state.gate
    agent = write_agent(request, settings)
    method = request.method
    created_iri: str | None = None
    if graph is STORE:
        if method != "POST":
            raise bad_request(
                "nommez un graphe : ?graph=<IRI> ou ?default", "name a graph: ?graph=<IRI> or ?default"
            )
        created_iri = request_url(request).rstrip("/") + "/" + uuid.uuid4().hex
        graph = created_iri
    assert graph is None or isinstance(graph, str)
    existed = graph is None or store.has_graph(graph)
    if method == "DELETE":
        if not existed:
            raise HttpError(404, f"graphe <{graph}> inexistant", f"no graph <{graph}>")
        quads: list[ox.Quad] = []
        mode = "delete"
    else:
        body = await read_body(request, settings)
        quads = parse_body(request.headers.get("content-type"), body, graph)
        mode = "put" if method == "PUT" else "post"

    def work(job):
        return gate.run_graph_write(graph, mode, quads, agent=agent, job=job)

    await run_bounded(app.state.write_pool, work, settings.update_timeout, "write")
    if created_iri is not None:
        return Response(status_code=201, headers={"Location": created_iri})
    if mode != "delete" and not existed:
        return Response(status_code=201)
    return Response(status_code=204)


def parse_body(header: str | None, body: bytes, graph: str | None) -> list[ox.Quad]:
    media, params = split_content_type(header)
    if not media:
        raise bad_request("en-tête Content-Type manquant", "missing Content-Type header")
    if media == "multipart/form-data":
        return [q for part_type, data in multipart_parts(header or "", body) for q in parse_rdf(part_type, data, graph)]
    check_charset(params)
    return parse_rdf(media, body, graph)


def parse_rdf(media: str, data: bytes, graph: str | None) -> list[ox.Quad]:
    if media not in RDF_MEDIA_TYPES:
        raise HttpError(
            415,
            f"type RDF {media!r} non pris en charge",
            f"unsupported RDF media type {media!r} (use one of {', '.join(sorted(RDF_MEDIA_TYPES))})",
        )
    try:
        return parse_quads(data, media, graph, base_iri=graph)
    except StoreError as exc:
        raise bad_request(f"données RDF invalides : {exc}", f"invalid RDF data: {exc}") from exc


def multipart_parts(header: str, body: bytes) -> list[tuple[str, bytes]]:
    """(media type, bytes) of each part of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise bad_request("corps multipart illisible", "unreadable multipart body")
    parts = []
    for part in message.iter_parts():
        media = part.get_content_type()
        if part.get_param("charset") and part.get_param("charset").lower() not in ("utf-8", "utf8"):
            raise bad_request("seul UTF-8 est accepté", "only UTF-8 is accepted")
        parts.append((media, part.get_payload(decode=True) or b""))
    return parts
