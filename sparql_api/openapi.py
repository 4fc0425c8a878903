"""The SPARQL endpoint's routes with their OpenAPI description: one operation (and operationId) per method,
the protocol's parameters and request bodies declared, so that generated clients and schemathesis see them.
The handler reads the request itself (the protocol allows repeated parameters and several body types)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response

Handler = Callable[[Request], Awaitable[Response]]


def param(name: str, description: str, *, repeated: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}} if repeated else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if repeated else {})}


QUERY_PARAMS = [
    param("query", "SPARQL 1.1 query (absent: the service description)"),
    param("default-graph-uri", "Default graph(s) of the query's dataset (IRI)", repeated=True),
    param("named-graph-uri", "Named graph(s) of the query's dataset (IRI)", repeated=True),
    param("format", "Result format: json, xml, csv, tsv, turtle, ntriples, rdfxml, jsonld, nquads, trig"),
]
UPDATE_PARAMS = [
    param("using-graph-uri", "USING graph(s) of the update (IRI)", repeated=True),
    param("using-named-graph-uri", "USING NAMED graph(s) of the update (IRI)", repeated=True),
]
RESULTS = {
    "200": {
        "description": "Results (SPARQL JSON/XML/CSV/TSV, or RDF for CONSTRUCT/DESCRIBE) or the service description",
        "content": {m: {} for m in (
            "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values", "text/turtle", "application/n-triples", "application/rdf+xml",
            "application/ld+json", "application/n-quads", "application/trig", "text/html")},
    },
    "400": {"description": "Invalid request or SPARQL"},
    "406": {"description": "No acceptable format"},
    "429": {"description": "Too many long-running queries from this client"},
    "503": {"description": "Timeout or resource limit"},
}
POST_BODY = {
    "required": True,
    "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/sparql-update": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "update": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
}
OPERATIONS = {
    "GET": ("sparqlGet", "Query (GET) or service description / requête ou description du service", QUERY_PARAMS, None),
    "HEAD": ("sparqlHead", "Headers of a GET / en-têtes d'un GET", QUERY_PARAMS, None),
    "POST": ("sparqlPost", "Query or update (POST) / requête ou mise à jour", QUERY_PARAMS + UPDATE_PARAMS, POST_BODY),
    "OPTIONS": ("sparqlOptions", "Allowed methods / méthodes permises", [], None),
}


ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]


def add_sparql_routes(app: FastAPI, path: str, handler: Handler, suffix: str = "") -> None:
    """The documented operations (what /openapi.json lists); requests are dispatched by the plain route the
    application registers first for the same path."""
    for route in (path, path + "/") if not suffix else (path,):
        for method, (operation_id, summary, parameters, body) in OPERATIONS.items():
            if suffix and method == "POST":  # the asserted endpoint answers queries only
                content = {k: v for k, v in POST_BODY["content"].items() if "update" not in k}
                body = {"required": True, "content": content}
            extra: dict[str, Any] = {"parameters": parameters, "responses": RESULTS}
            if body is not None:
                extra["requestBody"] = body
            app.add_api_route(
                route, handler, methods=[method],
                operation_id=operation_id + suffix + ("Slash" if route.endswith("/") else ""),
                summary=summary + (" — sans les inférences / without the entailments" if suffix else ""),
                tags=["sparql"], openapi_extra=extra, include_in_schema=route == path,
            )
        app.add_api_route(route, handler, methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
