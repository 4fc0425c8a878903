"""Result serializers. SELECT/ASK: SPARQL JSON, XML, CSV, TSV, written here so solutions are pulled
lazily one by one (a row cap or a timeout stops the engine's work early). CONSTRUCT/DESCRIBE: pyoxigraph's
RDF serializers fed by a lazy, capped iterator."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.namespaces import PREFIXES
from graph.store import QueryResult

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
TEXT_TYPES = {"text/turtle", "text/csv", "text/tab-separated-values", "application/n-triples"}


class Cancelled(Exception):
    """The request timed out; the worker stops pulling results."""


@dataclass
class Serialized:
    body: bytes
    media_type: str
    truncated: bool = False


class Limiter:
    """Pulls items lazily, stops at ``cap`` (marking the result truncated) or when ``cancel`` is set."""

    def __init__(self, cap: int, cancel: threading.Event | None) -> None:
        self.cap = cap
        self.cancel = cancel
        self.truncated = False

    def __call__(self, items: Iterable) -> Iterator:
        for count, item in enumerate(items):
            if self.cancel is not None and self.cancel.is_set():
                raise Cancelled
            if count >= self.cap:
                self.truncated = True
                return
            yield item


def content_type(media_type: str) -> str:
    textual = media_type in TEXT_TYPES or "json" in media_type or "xml" in media_type
    return f"{media_type}; charset=utf-8" if textual else media_type


def serialize(result: QueryResult, media_type: str, limiter: Limiter) -> Serialized:
    if result.kind == "graph":
        out = io.BytesIO()
        fmt = GRAPH_FORMATS[media_type]
        triples = limiter(result.triples())
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
            ox.serialize(triples, out, format=fmt)
        else:
            prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            ox.serialize(triples, out, format=fmt, prefixes=prefixes)
        return Serialized(out.getvalue(), media_type, limiter.truncated)
    writer = SOLUTION_WRITERS[media_type]
    if result.kind == "boolean":
        text = "".join(writer(result.variables, None, bool(result.boolean)))
    else:
        text = "".join(writer(result.variables, limiter(result.solutions()), None))
    return Serialized(text.encode("utf-8"), media_type, limiter.truncated)


# --- SPARQL 1.1 Query Results JSON -------------------------------------------------------------------
def _json_term(term: ox.Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")},
        }
    raise TypeError(f"unexpected term {term!r}")


def write_json(variables: list[str], solutions: Iterator[dict] | None, boolean: bool | None) -> Iterator[str]:
    if solutions is None:
        yield json.dumps({"head": {}, "boolean": boolean})
        return
    yield '{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":['
    for i, sol in enumerate(solutions):
        yield ("," if i else "") + json.dumps({k: _json_term(v) for k, v in sol.items()}, ensure_ascii=False)
    yield "]}}"


# --- SPARQL Query Results XML --------------------------------------------------------------------------
def _xml_term(term: ox.Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        parts = "".join(
            f"<{k}>{_xml_term(getattr(term, k))}</{k}>" for k in ("subject", "predicate", "object")
        )
        return f"<triple>{parts}</triple>"
    raise TypeError(f"unexpected term {term!r}")


def write_xml(variables: list[str], solutions: Iterator[dict] | None, boolean: bool | None) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    if solutions is None:
        yield f"</head><boolean>{'true' if boolean else 'false'}</boolean></sparql>"
        return
    yield "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield "</head><results>"
    for sol in solutions:
        cells = "".join(f"<binding name={quoteattr(k)}>{_xml_term(v)}</binding>" for k, v in sol.items())
        yield f"<result>{cells}</result>"
    yield "</results></sparql>"


# --- SPARQL 1.1 CSV and TSV ----------------------------------------------------------------------------
def _csv_cell(term: ox.Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        value = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        value = term.value
    else:
        value = str(term)
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def write_csv(variables: list[str], solutions: Iterator[dict] | None, boolean: bool | None) -> Iterator[str]:
    if solutions is None:  # ASK has no CSV form in the spec; one column, as Jena and Oxigraph do
        yield f"_askResult\r\n{'true' if boolean else 'false'}\r\n"
        return
    yield ",".join(_csv_cell(ox.Literal(v)) for v in variables) + "\r\n"
    for sol in solutions:
        yield ",".join(_csv_cell(sol.get(v)) for v in variables) + "\r\n"


def _tsv_cell(term: ox.Term | None) -> str:
    if term is None:
        return ""
    text = str(term)  # N-Triples / Turtle term syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write_tsv(variables: list[str], solutions: Iterator[dict] | None, boolean: bool | None) -> Iterator[str]:
    if solutions is None:
        yield f"?_askResult\n{'true' if boolean else 'false'}\n"
        return
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for sol in solutions:
        yield "\t".join(_tsv_cell(sol.get(v)) for v in variables) + "\n"


SOLUTION_WRITERS = {
    "application/sparql-results+json": write_json,
    "application/sparql-results+xml": write_xml,
    "text/csv": write_csv,
    "text/tab-separated-values": write_tsv,
}
