"""``describe(IRI)``: what the dataset says about one resource — its outgoing facts (with the blank nodes they
lead to), its incoming links, and the provenance of each fact (the statement's own source when the fact is
reified, else the resource's ``prov:wasDerivedFrom``, else the sources of the named graph that states it).

The functions here write the SPARQL texts and shape the SPARQL JSON bindings: the service evaluates the texts
in its worker processes (``sparql_api.internal``), tests may evaluate them on any store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from graph.namespaces import DCT, FOAF, PROV, QK, RDF, RDFS, SKOS

Binding = dict[str, dict[str, str]]
INCOMING_LIMIT = 500
OUTGOING_LIMIT = 5000
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")
SOURCE_PREDICATES = (PROV + "wasDerivedFrom", DCT + "source")


def iri_term(iri: str) -> str:
    return str(ox.NamedNode(iri))


def outgoing_query(iri: str, limit: int = OUTGOING_LIMIT) -> str:
    """Facts about ``iri`` in every named graph, and the facts about the blank nodes they point to."""
    return (f"SELECT ?g ?p ?o ?bp ?bo WHERE {{ GRAPH ?g {{ {iri_term(iri)} ?p ?o "
            f"OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }} }} LIMIT {limit}")


def incoming_query(iri: str, limit: int = INCOMING_LIMIT) -> str:
    return f"SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {iri_term(iri)} }} }} ORDER BY ?p ?s LIMIT {limit}"


def incoming_count_query(iri: str) -> str:
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p {iri_term(iri)} }} }}"


def exists_query(iri: str) -> str:
    term = iri_term(iri)
    return f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} UNION {{ GRAPH {term} {{ ?s ?p ?o }} }} }}"


def statement_sources_query(iri: str) -> str:
    """Sources of single facts about ``iri`` given by reification (``rdf:Statement`` + ``prov:wasDerivedFrom``)."""
    return (f"SELECT ?p ?o ?src WHERE {{ ?st <{RDF}subject> {iri_term(iri)} ; <{RDF}predicate> ?p ; "
            f"<{RDF}object> ?o ; <{PROV}wasDerivedFrom> ?src }} LIMIT 1000")


def graph_sources_query(graphs: Iterable[str]) -> str:
    values = " ".join(iri_term(g) for g in sorted(set(graphs)))
    preds = " ".join(f"<{p}>" for p in SOURCE_PREDICATES)
    return (f"SELECT ?g ?src WHERE {{ VALUES ?g {{ {values} }} VALUES ?sp {{ {preds} }} "
            f"GRAPH ?g {{ ?g ?sp ?src }} }}")


def labels_query(iris: Iterable[str]) -> str:
    values = " ".join(iri_term(i) for i in sorted(set(iris)))
    preds = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    return f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?lp {{ {preds} }} ?x ?lp ?l }} LIMIT 20000"


def document_query(iri: str, limit: int = INCOMING_LIMIT, note: tuple[str, str, str] | None = None) -> str:
    """The CONSTRUCT whose answer is the RDF document of ``iri`` (also linked from its page as "reproduce").
    ``note`` = (document URL, French text, English text): a ``dct:description`` of the document saying what it
    leaves out (incoming links beyond ``limit``)."""
    term = iri_term(iri)
    said = ""
    if note is not None:
        doc = iri_term(note[0])
        said = (f" {doc} <{DCT}description> {ox.Literal(note[1], language='fr')} , "
                f"{ox.Literal(note[2], language='en')} .")
    return (f"CONSTRUCT {{ {term} ?p ?o . ?o ?bp ?bo . ?s ?ip {term} .{said} }} WHERE {{\n"
            f"  {{ {term} ?p ?o OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }}\n"
            f"  UNION {{ SELECT ?s ?ip WHERE {{ ?s ?ip {term} }} ORDER BY ?ip ?s LIMIT {limit} }}\n}}")


def incoming_note(doc: str, total: int, sparql_url: str, limit: int = INCOMING_LIMIT) -> tuple[str, str, str]:
    return (doc, f"Liens entrants : les {limit} premiers sur {total} ; tous : {sparql_url}",
            f"Incoming links: the first {limit} of {total}; all of them: {sparql_url}")


# --- shaping ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Value:
    """An RDF term as the pages show it."""

    kind: str  # "uri", "bnode", "literal"
    value: str
    lang: str | None = None
    datatype: str | None = None

    @staticmethod
    def of(binding: dict[str, str]) -> Value:
        kind = binding["type"]
        if kind == "typed-literal":  # SPARQL JSON of old servers
            kind = "literal"
        return Value(kind, binding["value"], binding.get("xml:lang"), binding.get("datatype"))

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


@dataclass
class Fact:
    predicate: str
    value: Value
    graph: str
    sources: list[str] = field(default_factory=list)
    nested: list[tuple[str, Value]] = field(default_factory=list)  # facts about a blank-node value


@dataclass
class Incoming:
    subject: Value
    predicate: str
    graph: str


@dataclass
class Description:
    iri: str
    facts: list[Fact]
    incoming: list[Incoming]
    incoming_total: int
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> language -> label

    @property
    def types(self) -> list[str]:
        return sorted({f.value.value for f in self.facts if f.predicate == RDF + "type" and f.value.is_iri})

    def label(self, iri: str, lang: str = "fr") -> str | None:
        found = self.labels.get(iri) or {}
        return found.get(lang) or found.get("") or next(iter(found.values()), None)

    def values(self, predicate: str) -> list[Value]:
        return [f.value for f in self.facts if f.predicate == predicate]

    def graphs(self) -> list[str]:
        return sorted({f.graph for f in self.facts} | {i.graph for i in self.incoming})

    def linked_iris(self) -> set[str]:
        found = {f.value.value for f in self.facts if f.value.is_iri} | {f.predicate for f in self.facts}
        found |= {i.subject.value for i in self.incoming if i.subject.is_iri} | {i.predicate for i in self.incoming}
        found |= {v.value for f in self.facts for _, v in f.nested if v.is_iri}
        return found | {self.iri} | set(self.graphs())


def shape_outgoing(rows: list[Binding]) -> list[Fact]:
    """One fact per (graph, predicate, value); the rows of a blank-node value are folded into ``nested``."""
    facts: dict[tuple[str, str, Value], Fact] = {}
    for row in rows:
        value = Value.of(row["o"])
        key = (row["g"]["value"], row["p"]["value"], value)
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = Fact(row["p"]["value"], value, row["g"]["value"])
        if "bp" in row and "bo" in row:
            fact.nested.append((row["bp"]["value"], Value.of(row["bo"])))
    return sorted(facts.values(), key=lambda f: (f.predicate != RDF + "type", f.predicate, f.value.value))


def shape_incoming(rows: list[Binding]) -> list[Incoming]:
    return [Incoming(Value.of(r["s"]), r["p"]["value"], r["g"]["value"]) for r in rows]


def shape_labels(rows: list[Binding]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for row in rows:
        lang = row["l"].get("xml:lang", "")
        labels.setdefault(row["x"]["value"], {}).setdefault(lang, row["l"]["value"])
    return labels


def attach_sources(facts: list[Fact], statement_rows: list[Binding], graph_rows: list[Binding],
                   inferred: str | None = None) -> None:
    """Each fact's sources, most specific first: its reified statement's, else the resource's own
    ``prov:wasDerivedFrom``, else its graph's ``prov:wasDerivedFrom``/``dct:source``. An entailed fact (in the
    ``inferred`` graph) has no source page of its own: its provenance is the inference."""
    by_statement: dict[tuple[str, str], list[str]] = {}
    for row in statement_rows:
        by_statement.setdefault((row["p"]["value"], row["o"]["value"]), []).append(row["src"]["value"])
    own = sorted({f.value.value for f in facts if f.predicate == PROV + "wasDerivedFrom" and f.value.is_iri})
    by_graph: dict[str, set[str]] = {}
    for row in graph_rows:
        by_graph.setdefault(row["g"]["value"], set()).add(row["src"]["value"])
    for fact in facts:
        if fact.graph == inferred:
            fact.sources = []
            continue
        found = by_statement.get((fact.predicate, fact.value.value))
        fact.sources = sorted(found) if found else (own or sorted(by_graph.get(fact.graph, ())))


def describe(store: ox.Store, iri: str) -> Description:
    """The description of ``iri`` read directly from a store (tests, CLI); the service runs the same queries
    in its workers."""
    out = bindings(store, outgoing_query(iri))
    incoming = bindings(store, incoming_query(iri))
    total = int(bindings(store, incoming_count_query(iri))[0]["n"]["value"])
    facts = shape_outgoing(out)
    graphs = {f.graph for f in facts}
    attach_sources(facts, bindings(store, statement_sources_query(iri)),
                   bindings(store, graph_sources_query(graphs)) if graphs else [])
    desc = Description(iri, facts, shape_incoming(incoming), total)
    desc.labels = shape_labels(bindings(store, labels_query(desc.linked_iris())))
    return desc


def bindings(store: ox.Store, sparql: str) -> list[Binding]:
    """SPARQL JSON bindings of a SELECT evaluated on ``store`` (union default graph)."""
    import json

    result = store.query(sparql, use_default_graph_as_union=True)
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))  # type: ignore[union-attr]
    return data["results"]["bindings"]


def decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def funding_query(iri: str, role: str, qk: str = QK) -> str:
    """Funding lines that point to ``iri`` through ``qk:contract``, ``qk:recipient`` or ``qk:funder``."""
    assert role in ("contract", "recipient", "funder")
    return (f"PREFIX qk: <{qk}>\n"
            f"SELECT ?f ?amount ?year ?funder ?recipient ?scheme ?basis WHERE {{ ?f qk:{role} {iri_term(iri)} ; "
            "qk:amount ?amount . OPTIONAL { ?f qk:year ?year } OPTIONAL { ?f qk:funder ?funder } "
            "OPTIONAL { ?f qk:recipient ?recipient } OPTIONAL { ?f qk:scheme ?scheme } "
            "OPTIONAL { ?f qk:amountBasis ?basis } } ORDER BY ?year ?f LIMIT 2000")


def money_totals(rows: list[Binding]) -> dict[str, Any]:
    """Total and per-year totals of funding rows (``amount``, optional ``year``), summed as decimals."""
    total = Decimal(0)
    by_year: dict[str, Decimal] = {}
    for row in rows:
        amount = decimal(row["amount"]["value"])
        if amount is None:
            continue
        total += amount
        year = row.get("year", {}).get("value", "—")
        by_year[year] = by_year.get(year, Decimal(0)) + amount
    return {"total": total, "by_year": dict(sorted(by_year.items())), "count": len(rows)}


def contract_queries(iri: str, qk: str = QK) -> dict[str, str]:
    """The parts of a contract's page: signatories, QPV, commitments."""
    term = iri_term(iri)
    prefixes = f"PREFIX qk: <{qk}>\n"
    return {
        "signatures": prefixes + f"SELECT ?sig ?signer ?role ?date WHERE {{ {term} qk:hasSignature ?sig . "
        "OPTIONAL { ?sig qk:signer ?signer } OPTIONAL { ?sig qk:signatoryRole ?role } "
        "OPTIONAL { ?sig qk:signingDate ?date } } ORDER BY ?signer LIMIT 500",
        "qpv": prefixes + f"SELECT DISTINCT ?qpv WHERE {{ {term} qk:coversQPV ?qpv }} ORDER BY ?qpv LIMIT 500",
        "commitments": prefixes + f"SELECT ?c ?by ?theme WHERE {{ {term} qk:hasCommitment ?c . "
        "OPTIONAL { ?c qk:committedBy ?by } OPTIONAL { ?c qk:theme ?theme } } ORDER BY ?c LIMIT 500",
    }


def organisation_queries(iri: str, qk: str = QK) -> dict[str, str]:
    term = iri_term(iri)
    return {
        "contracts": f"PREFIX qk: <{qk}>\n" + f"SELECT DISTINCT ?c ?role WHERE {{ {{ ?sig qk:signer {term} ; "
        "qk:signatureOf ?c . OPTIONAL { ?sig qk:signatoryRole ?role } } UNION "
        f"{{ ?c qk:carriedBy {term} }} }} ORDER BY ?c LIMIT 500",
    }


def wkt_query(iri: str) -> str:
    return (f"SELECT ?wkt WHERE {{ {iri_term(iri)} <http://www.opengis.net/ont/geosparql#hasGeometry> ?geom . "
            "?geom <http://www.opengis.net/ont/geosparql#asWKT> ?wkt } LIMIT 1")


def contract_types(qk: str = QK) -> set[str]:
    return {qk + "Contract", qk + "CityContract2015", qk + "Quartiers2030Contract"}


def organisation_types(qk: str = QK) -> set[str]:
    return {qk + "Organisation", "http://www.w3.org/ns/org#Organization", FOAF + "Organization"}
