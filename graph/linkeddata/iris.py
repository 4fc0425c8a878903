"""Where the project's IRIs live on the server: the public base (``https://w3id.org/quartiers/`` by default,
``--base`` otherwise) maps onto the server's root, whatever address the server answers on."""

from __future__ import annotations

from dataclasses import dataclass

# document suffixes of an entity's IRI and the media type each one stands for
SUFFIXES: dict[str, str] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
EXTENSIONS = {media: ext for ext, media in SUFFIXES.items()}
# path prefixes (relative to the base) of the IRIs the project mints
MINTED = ("id/", "concept/", "graph/", "def")
ONTOLOGY_PATH = "def"


@dataclass(frozen=True)
class Resolved:
    """A request path read as an IRI under the base, and the document form it asks for (if any)."""

    iri: str
    local: str  # the path relative to the base, without suffix
    suffix: str | None  # one of SUFFIXES, or None (the IRI itself)


def local_path(iri: str, base: str) -> str | None:
    """The server path (``/id/qpv/X``) of an IRI under the base; None for an IRI elsewhere."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if "#" in rest:  # hash IRIs resolve to their document
        rest = rest.split("#", 1)[0]
    return "/" + rest


def is_minted(iri: str, base: str) -> bool:
    local = local_path(iri, base)
    return local is not None and any(local[1:].startswith(m) for m in MINTED)


def resolve(path: str, base: str) -> Resolved:
    """The IRI a request path names. ``/id/qpv/X.ttl`` names the Turtle document of ``{base}id/qpv/X``."""
    local = path.lstrip("/")
    suffix = None
    last = local.rsplit("/", 1)[-1]
    if "." in last:
        stem, _, ext = local.rpartition(".")
        if ext in SUFFIXES:
            local, suffix = stem, ext
    return Resolved(base + local, local, suffix)


def document_path(local: str, suffix: str) -> str:
    return f"/{local}.{suffix}"


def graph_local_name(graph: str, base: str) -> str | None:
    """``data/reference/qpv`` for the graph ``{base}graph/data/reference/qpv`` (the name of its dumps)."""
    prefix = base + "graph/"
    return graph[len(prefix) :] if graph.startswith(prefix) else None
