"""The ontology's documentation: every class and property of the ``qk:`` namespace with its labels,
definitions, alignments (to other vocabularies), domain and range, and an example drawn from the data."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.linkeddata.describe import Binding, Value
from graph.namespaces import OWL, QK, RDF, RDFS, SKOS

KINDS = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object",
    OWL + "DatatypeProperty": "datatype",
    OWL + "AnnotationProperty": "annotation",
}
ALIGNMENT_PREDICATES = {
    RDFS + "subClassOf": "rdfs:subClassOf",
    RDFS + "subPropertyOf": "rdfs:subPropertyOf",
    OWL + "equivalentClass": "owl:equivalentClass",
    OWL + "equivalentProperty": "owl:equivalentProperty",
    OWL + "inverseOf": "owl:inverseOf",
    SKOS + "exactMatch": "skos:exactMatch",
    SKOS + "closeMatch": "skos:closeMatch",
    SKOS + "broadMatch": "skos:broadMatch",
    SKOS + "narrowMatch": "skos:narrowMatch",
    OWL + "propertyChainAxiom": "owl:propertyChainAxiom",
}


def terms_query(ontology_graph: str, qk: str = QK) -> str:
    return (f"SELECT ?t ?p ?o WHERE {{ GRAPH <{ontology_graph}> {{ ?t ?p ?o "
            f"FILTER(STRSTARTS(STR(?t), \"{qk}\")) }} }} ORDER BY ?t ?p ?o")


def class_examples_query(qk: str = QK) -> str:
    return (f"SELECT ?c (MIN(STR(?s)) AS ?ex) (COUNT(?s) AS ?n) WHERE {{ ?s a ?c "
            f"FILTER(STRSTARTS(STR(?c), \"{qk}\") && isIRI(?s)) }} GROUP BY ?c")


def property_examples_query(properties: list[str]) -> str:
    """One subject per property (the first in IRI order) and how many triples use it."""
    values = " ".join(f"<{p}>" for p in sorted(properties))
    return (f"SELECT ?p (MIN(STR(?s)) AS ?ex) (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
            "FILTER(isIRI(?s)) } GROUP BY ?p")


@dataclass
class Term:
    iri: str
    kind: str = "other"
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (relation, IRI)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    example: str | None = None
    uses: int = 0
    name: str = ""

    @property
    def is_class(self) -> bool:
        return self.kind == "class"


def ontology_terms(rows: list[Binding], qk: str = QK) -> list[Term]:
    terms: dict[str, Term] = {}
    for row in rows:
        iri, predicate = row["t"]["value"], row["p"]["value"]
        value = Value.of(row["o"])
        term = terms.setdefault(iri, Term(iri, name=iri[len(qk):] if iri.startswith(qk) else iri))
        if predicate == RDF + "type" and value.value in KINDS and term.kind in ("other", "annotation"):
            term.kind = KINDS[value.value]
        elif predicate in (RDFS + "label", SKOS + "prefLabel") and value.kind == "literal":
            term.labels.setdefault(value.lang or "", value.value)
        elif predicate in (SKOS + "definition", RDFS + "comment") and value.kind == "literal":
            term.definitions.setdefault(value.lang or "", value.value)
        elif predicate == RDFS + "domain" and value.is_iri:
            term.domain.append(value.value)
        elif predicate == RDFS + "range" and value.is_iri:
            term.range.append(value.value)
        elif predicate in ALIGNMENT_PREDICATES and value.is_iri:
            term.alignments.append((ALIGNMENT_PREDICATES[predicate], value.value))
    return sorted(terms.values(), key=lambda t: (not t.is_class, t.name.lower()))


def attach_examples(terms: list[Term], rows: list[Binding]) -> None:
    by_iri = {t.iri: t for t in terms}
    for row in rows:
        key = (row.get("c") or row.get("p") or {}).get("value")
        term = by_iri.get(key or "")
        if term is not None and "ex" in row:
            term.example = row["ex"]["value"]
            term.uses = int(row["n"]["value"])
