"""Content negotiation: Accept headers with q-values, wildcards and combined lists, plus the
``format``/``output``/``results`` request parameters that SPARQLWrapper and many scripts send."""

from __future__ import annotations

from dataclasses import dataclass

# media types this endpoint produces, in server preference order (first = default when anything goes)
SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
)
# aliases clients send for the same thing
ALIASES = {
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/x-json+ld": "application/ld+json",
}
GRAPH_ALIASES = {  # in a graph context "xml" means RDF/XML and "json" JSON-LD
    "application/sparql-results+xml": "application/rdf+xml",
    "application/sparql-results+json": "application/ld+json",
}
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
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int
    aliased: bool = False  # named by an alias (application/json for SPARQL JSON, …), not the type itself

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media: str) -> bool:
        mtype, _, msub = media.partition("/")
        return self.type in ("*", mtype) and self.subtype in ("*", msub)


def parse_accept(header: str | None) -> list[MediaRange]:
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        canonical = ALIASES.get(media, media)
        mtype, _, sub = canonical.partition("/")
        ranges.append(MediaRange(mtype, sub, q, order, canonical != media))
    return ranges


def _graph_alias(media: str) -> str:
    return GRAPH_ALIASES.get(media, media)


def graph_range(r: MediaRange) -> MediaRange:
    """In a graph context, SPARQL-results types stand for their RDF counterparts (RDF/XML, JSON-LD)."""
    media = f"{r.type}/{r.subtype}"
    canonical = _graph_alias(media)
    mtype, _, sub = canonical.partition("/")
    return MediaRange(mtype, sub, r.q, r.order, r.aliased or canonical != media)


def precedence(r: MediaRange) -> int:
    """2 for a concrete type named as such, 1 for one named by an alias, 0 for a wildcard."""
    if r.specificity < 2:
        return 0
    return 1 if r.aliased else 2


def negotiate(accept: str | None, offered: tuple[str, ...], *, graph: bool = False) -> str | None:
    """The offered media type the client prefers (q-value, then specificity of the matching range, then
    the order the client listed them, then the server order), a type named exactly beating one named by an
    alias, which beats a wildcard: ``application/sparql-results+json, text/turtle;q=0.1`` gives Turtle for a
    graph, a browser's ``application/xml;q=0.9, */*;q=0.8`` SPARQL XML for solutions.
    ``None`` when nothing offered is acceptable.
    No Accept header (or an empty one) means anything, i.e. the first offered type."""
    ranges = parse_accept(accept)
    if graph:
        ranges = [graph_range(r) for r in ranges]
    if not ranges:
        return offered[0]
    best: tuple[float, int, int, int] | None = None
    choice: str | None = None
    for index, media in enumerate(offered):
        matching = [r for r in ranges if r.matches(media)]
        if not matching:
            continue
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        key = (precedence(top), top.q, top.specificity, -top.order, -index)
        if best is None or key > best:
            best, choice = key, media
    return choice


def format_parameter(value: str | None, offered: tuple[str, ...], *, graph: bool = False) -> str | None:
    """The media type a ``format``/``output`` parameter asks for, if it is one we offer."""
    if not value:
        return None
    for item in value.split(","):
        key = item.strip().lower()
        media = SHORT_NAMES.get(key) or ALIASES.get(key, key)
        if graph:
            media = _graph_alias(media)
        if media in offered:
            return media
    return None
