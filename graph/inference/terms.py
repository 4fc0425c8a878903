"""N-Triples strings ↔ pyoxigraph terms, quads and N-Quads text (the reasoner's boundary with the store)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from graph.inference.vocabulary import Term, Triple

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    if short or long:
        return chr(int(short or long, 16))
    return _SIMPLE.get(char, char)


def to_term(nt: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of an N-Triples string."""
    if nt[0] == "<":
        return ox.NamedNode(nt[1:-1])
    if nt.startswith("_:"):
        return ox.BlankNode(nt[2:])
    end = nt.rindex('"')
    value = _ESCAPE.sub(_unescape, nt[1:end])
    suffix = nt[end + 1 :]
    if suffix.startswith("@"):
        return ox.Literal(value, language=suffix[1:])
    if suffix.startswith("^^<"):
        return ox.Literal(value, datatype=ox.NamedNode(suffix[3:-1]))
    return ox.Literal(value)


def to_nt(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    return str(term)


def triple_of(quad: ox.Quad) -> Triple:
    return (str(quad.subject), str(quad.predicate), str(quad.object))


def quad_of(triple: Triple, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    s, p, o = triple
    return ox.Quad(to_term(s), to_term(p), to_term(o), graph)  # type: ignore[arg-type]


def parse_ntriples(text: str) -> Iterator[Triple]:
    """The triples of N-Triples text written by pyoxigraph (one triple per line, terms separated by a space)."""
    for line in text.splitlines():
        if line:
            s, p, rest = line.split(" ", 2)
            yield (s, p, rest[:-2])


def store_triples(store: ox.Store, skip_graph: str | None = None) -> set[Triple]:
    """Every triple of every graph of ``store`` (the default graph included) but ``skip_graph``."""
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != skip_graph]
    found: set[Triple] = set()
    for graph in graphs:
        found.update(parse_ntriples(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode()))
    return found


def nquads(triples: Iterable[Triple], graph: str) -> bytes:
    """N-Quads text putting ``triples`` in ``graph`` (no blank node: the store would rename them on load)."""
    target = f" <{graph}> .\n"
    return "".join(f"{s} {p} {o}{target}" for s, p, o in triples).encode()


def has_blank_node(triple: Triple) -> bool:
    return triple[0].startswith("_:") or triple[2].startswith("_:")


def add_to_graph(store: ox.Store, triples: Iterable[Triple], graph: str) -> None:
    """Add triples to a named graph of a pyoxigraph store: N-Quads text for speed, terms for blank nodes."""
    plain: list[Triple] = []
    with_blank: list[Triple] = []
    for t in triples:
        (with_blank if has_blank_node(t) else plain).append(t)
    if plain:
        store.load(nquads(plain, graph), format=ox.RdfFormat.N_QUADS)
    if with_blank:
        target = ox.NamedNode(graph)
        store.extend([quad_of(t, target) for t in with_blank])
