"""The one format registry: RDF and SPARQL-results formats as pyoxigraph knows them.

Media types, file extensions, W3C format IRIs and short names all come from the engine's own
``RdfFormat``/``QueryResultsFormat`` (as Oxigraph's server does); this module only adds the aliases real
clients send (``application/json`` for SPARQL JSON, ``text/plain`` for N-Triples, ``format=ttl`` …).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

# Formats the service reads and writes, in server preference order (first = default).
RDF_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.TRIG,
)
PARSE_ONLY_RDF_FORMATS: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.N3,)
RESULTS_FORMATS: tuple[ox.QueryResultsFormat, ...] = (
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
)
QUAD_FORMATS = frozenset(f for f in RDF_FORMATS + PARSE_ONLY_RDF_FORMATS if f.supports_datasets)

# Other names clients use for the same media types.
RDF_ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/x-json+ld": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
RESULTS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
# in a graph context, a SPARQL-results type stands for its RDF counterpart
RESULTS_TO_RDF = {
    "application/sparql-results+xml": "application/rdf+xml",
    "application/sparql-results+json": "application/ld+json",
}
# short names of the ``format``/``output`` request parameters and of file suffixes
SHORT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "n3": "text/n3",
}
TEXT_MEDIA = ("text/", "json", "xml", "application/n-triples", "application/n-quads", "application/trig")


class FormatError(ValueError):
    """A media type or file name no format of the registry matches."""


@dataclass(frozen=True)
class Offer:
    """What a response may be: the media types offered, in server preference order."""

    media_types: tuple[str, ...]
    graph: bool  # True: RDF graphs (SPARQL-results aliases mean RDF/XML / JSON-LD)


def media_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The format's media type without parameters (the engine says ``text/csv; charset=utf-8``)."""
    return fmt.media_type.split(";")[0].strip()


GRAPH_OFFER = Offer(tuple(media_type(f) for f in RDF_FORMATS), graph=True)
SOLUTIONS_OFFER = Offer(tuple(media_type(f) for f in RESULTS_FORMATS), graph=False)
TRIPLE_OFFER = Offer(tuple(media_type(f) for f in RDF_FORMATS if not f.supports_datasets), graph=True)
DATASET_OFFER = Offer(tuple(media_type(f) for f in RDF_FORMATS if f.supports_datasets), graph=True)


def canonical(media: str, *, graph: bool) -> str:
    """The registry's media type for a client's media type or alias (parameters dropped, lowercase)."""
    base = media.split(";")[0].strip().lower()
    if graph:
        base = RDF_ALIASES.get(base, base)
        return RESULTS_TO_RDF.get(RESULTS_ALIASES.get(base, base), base)
    return RESULTS_ALIASES.get(base, base)


def rdf_format(media_type_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format of a media type (aliases and parameters allowed) or of a file name's suffix."""
    if isinstance(media_type_or_path, Path):
        suffix = media_type_or_path.suffix.lower().lstrip(".")
        media = SHORT_NAMES.get(suffix, "")
        fmt = ox.RdfFormat.from_extension(suffix) or (ox.RdfFormat.from_media_type(media) if media else None)
        if fmt is None:
            raise FormatError(f"{media_type_or_path}: unknown RDF file type .{suffix}")
        return fmt
    media = canonical(media_type_or_path, graph=True)
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        raise FormatError(f"unsupported RDF media type {media!r}")
    return fmt


def results_format(media_type: str) -> ox.QueryResultsFormat:
    media = canonical(media_type, graph=False)
    fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
    if fmt is None:
        raise FormatError(f"unsupported SPARQL results media type {media!r}")
    return fmt


def readable_rdf_media_types() -> tuple[str, ...]:
    """Media types (and aliases) a request body may have."""
    names = {media_type(f) for f in RDF_FORMATS + PARSE_ONLY_RDF_FORMATS}
    return tuple(sorted(names | set(RDF_ALIASES)))


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (textual types say UTF-8)."""
    textual = any(part in media_type for part in TEXT_MEDIA)
    return f"{media_type}; charset=utf-8" if textual else media_type


def format_iri(media_type: str) -> str:
    """The W3C format IRI (http://www.w3.org/ns/formats/…) of a media type of the registry."""
    rdf = ox.RdfFormat.from_media_type(media_type)
    if rdf is not None:
        return rdf.iri
    results = ox.QueryResultsFormat.from_media_type(media_type)
    if results is not None:
        return results.iri
    raise FormatError(f"unknown media type {media_type!r}")
