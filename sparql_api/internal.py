"""Queries the service runs for its own pages (entity pages, questions, dashboard, catalogue): the same path as
a client's query — a worker process evaluates and serialises — read back here as Python values.

These texts are written by the service (client values enter them only as terms built by ``graph`` helpers or
escaped by ``term``), and their answers are bounded by the queries themselves (LIMIT).
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from sparql_api.engine import Engine

Binding = dict[str, dict[str, str]]  # SPARQL JSON: variable -> {"type", "value", "xml:lang"?, "datatype"?}


def term(value: ox.NamedNode | ox.Literal | str) -> str:
    """A SPARQL term for a value: an IRI (``ox.NamedNode`` or a string) or a literal, escaped by the engine."""
    if isinstance(value, str):
        return str(ox.NamedNode(value))
    return str(value)


def query_header(sparql: str, media: str, *, base: str | None = None, union: bool = True) -> dict[str, Any]:
    return {
        "op": "query",
        "text": sparql,
        "base": base,
        "default_graphs": None,
        "named_graphs": None,
        "union": union,
        "media": {"solutions": media, "boolean": media, "graph": media if "sparql-results" not in media else None},
        "allow_remote": [],
        "max_depth": 128,
    }


async def select(engine: Engine, sparql: str, *, timeout: float | None = None) -> tuple[list[str], list[Binding]]:
    """Variables and bindings (SPARQL JSON form) of a SELECT."""
    _, body = await engine.collect(query_header(sparql, "application/sparql-results+json"), timeout=timeout)
    data = json.loads(body)
    return data["head"].get("vars", []), data["results"]["bindings"]


async def ask(engine: Engine, sparql: str, *, timeout: float | None = None) -> bool:
    _, body = await engine.collect(query_header(sparql, "application/sparql-results+json"), timeout=timeout)
    return bool(json.loads(body)["boolean"])


async def construct(engine: Engine, sparql: str, media: str = "application/n-triples", *,
                    timeout: float | None = None) -> bytes:
    """A CONSTRUCT/DESCRIBE answer serialised in ``media`` (an RDF media type of the registry)."""
    header = query_header(sparql, media)
    header["media"] = {"solutions": None, "boolean": None, "graph": media}
    _, body = await engine.collect(header, timeout=timeout)
    return body
