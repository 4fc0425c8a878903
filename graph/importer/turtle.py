"""A small deterministic Turtle writer.

Same triples in, same bytes out: the graph's own description first, then every subject sorted by IRI,
predicates in a fixed order (rdf:type, labels, then by IRI), objects sorted. No blank nodes, no run dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graph.importer.errors import ImportFailure
from graph.namespaces import RDF, RDFS, SKOS, XSD


@dataclass(frozen=True, order=True)
class Literal:
    """An RDF literal: lexical form, and either a datatype IRI or a language tag (neither = xsd:string)."""

    lexical: str
    datatype: str = ""
    lang: str = ""


Object = str | Literal  # a str object is an IRI

RDF_TYPE = RDF + "type"
PREDICATE_ORDER = (RDF_TYPE, RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
RELATIVE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*")
LOCAL_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
IRI_FORBIDDEN_RE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def typed(text: str, datatype: str) -> Literal:
    return Literal(text, datatype=datatype)


def string(text: str) -> Literal:
    return Literal(text)


def decimal(text: str) -> Literal:
    return Literal(text, datatype=XSD + "decimal")


class Graph:
    """The triples of one named graph (one output file), with the graph's own IRI."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self._triples: dict[str, dict[str, set[Object]]] = {}

    def add(self, subject: str, predicate: str, obj: Object) -> None:
        for iri in (subject, predicate, obj):
            if isinstance(iri, str) and IRI_FORBIDDEN_RE.search(iri):
                raise ImportFailure(f"IRI invalide : {iri!r}", f"invalid IRI: {iri!r}")
        self._triples.setdefault(subject, {}).setdefault(predicate, set()).add(obj)

    def objects(self, subject: str, predicate: str) -> set[Object]:
        return set(self._triples.get(subject, {}).get(predicate, set()))

    def has_subject(self, subject: str) -> bool:
        return subject in self._triples

    def __len__(self) -> int:
        return sum(len(objs) for preds in self._triples.values() for objs in preds.values())

    def subjects(self) -> list[str]:
        """The graph's own IRI first, then every other subject sorted."""
        others = sorted(s for s in self._triples if s != self.iri)
        return [self.iri, *others] if self.iri in self._triples else others

    def predicates(self, subject: str) -> list[str]:
        return sorted(self._triples[subject], key=_predicate_key)

    def sorted_objects(self, subject: str, predicate: str) -> list[Object]:
        return sorted(self._triples[subject][predicate], key=_object_key)


def _predicate_key(predicate: str) -> tuple[int, str]:
    if predicate in PREDICATE_ORDER:
        return (PREDICATE_ORDER.index(predicate), "")
    return (len(PREDICATE_ORDER), predicate)


def _object_key(obj: Object) -> tuple[int, str, str, str]:
    if isinstance(obj, Literal):
        return (1, obj.lexical, obj.datatype, obj.lang)
    return (0, obj, "", "")


class Writer:
    """Turns a ``Graph`` into Turtle text with the given prefixes."""

    def __init__(self, prefixes: Mapping[str, str], base: str = "") -> None:
        # longest namespace first so that the most specific prefix wins
        self._prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self._declared = list(prefixes.items())
        self._base = base

    def iri(self, iri: str) -> str:
        for name, namespace in self._prefixes:
            if iri.startswith(namespace) and LOCAL_NAME_RE.fullmatch(iri[len(namespace) :]):
                return f"{name}:{iri[len(namespace) :]}"
        if self._base and iri.startswith(self._base) and _safe_relative(iri[len(self._base) :]):
            return f"<{iri[len(self._base) :]}>"
        return f"<{iri}>"

    def literal(self, lit: Literal) -> str:
        text = '"' + "".join(_escape(ch) for ch in lit.lexical) + '"'
        if lit.lang:
            return f"{text}@{lit.lang}"
        if lit.datatype and lit.datatype != XSD + "string":
            return f"{text}^^{self.iri(lit.datatype)}"
        return text

    def term(self, obj: Object) -> str:
        return self.literal(obj) if isinstance(obj, Literal) else self.iri(obj)

    def lines(self, graph: Graph) -> Iterator[str]:
        if self._base:
            yield f"@base <{self._base}> ."
        for name, namespace in self._declared:
            yield f"@prefix {name}: <{namespace}> ."
        for subject in graph.subjects():
            yield ""
            yield from self._subject_block(graph, subject)

    def _subject_block(self, graph: Graph, subject: str) -> Iterator[str]:
        yield self.iri(subject)
        predicates = graph.predicates(subject)
        for index, predicate in enumerate(predicates):
            verb = "a" if predicate == RDF_TYPE else self.iri(predicate)
            objects = ", ".join(self.term(o) for o in graph.sorted_objects(subject, predicate))
            end = " ." if index == len(predicates) - 1 else " ;"
            yield f"    {verb} {objects}{end}"

    def serialize(self, graph: Graph) -> bytes:
        return ("\n".join(self.lines(graph)) + "\n").encode("utf-8")


def _safe_relative(path: str) -> bool:
    """A relative reference that resolves against the base to exactly base + path."""
    return bool(RELATIVE_RE.fullmatch(path)) and not any(seg in (".", "..") for seg in path.split("/"))


def _escape(ch: str) -> str:
    if ch in ESCAPES:
        return ESCAPES[ch]
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"\\u{ord(ch):04X}"
    return ch
