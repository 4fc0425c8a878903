"""The JSON-LD context generated from the ontology, and JSON-LD documents written against it (plain JSON:
``qk:`` terms by their local names, object properties as IRI strings, typed values by their datatype)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from graph.namespaces import DCT, FOAF, OWL, PREFIXES, PROV, QK, RDF, RDFS, SKOS, XSD

# convenient names for terms of other vocabularies that every page uses
COMMON_TERMS = {
    "label": RDFS + "label",
    "comment": RDFS + "comment",
    "prefLabel": SKOS + "prefLabel",
    "definition": SKOS + "definition",
    "title": DCT + "title",
    "description": DCT + "description",
    "name": FOAF + "name",
}
COMMON_IRI_TERMS = {
    "wasDerivedFrom": PROV + "wasDerivedFrom",
    "source": DCT + "source",
    "license": DCT + "license",
    "exactMatch": SKOS + "exactMatch",
    "page": FOAF + "page",
}


def context_query(ontology_graph: str, qk: str = QK) -> str:
    """Every ``qk:`` term of the ontology graph with its OWL kind and range."""
    return (f"SELECT ?t ?kind ?range WHERE {{ GRAPH <{ontology_graph}> {{ ?t a ?kind . "
            f"FILTER(STRSTARTS(STR(?t), \"{qk}\")) "
            f"FILTER(?kind IN (<{OWL}Class>, <{OWL}ObjectProperty>, <{OWL}DatatypeProperty>, "
            f"<{OWL}AnnotationProperty>)) OPTIONAL {{ ?t <{RDFS}range> ?range }} }} }}")


def build_context(rows: Iterable[dict[str, dict[str, str]]], qk: str = QK) -> dict[str, Any]:
    """The ``@context`` object: prefixes, common terms, then one term per ontology term (rows of
    ``context_query``). A datatype property with an XSD range coerces to that datatype (``rdf:langString``
    and ``rdfs:Literal`` ranges do not coerce)."""
    context: dict[str, Any] = {"@version": 1.1}
    prefixes = {**PREFIXES, "qk": qk}
    context.update(prefixes)
    context["id"] = "@id"
    context["type"] = "@type"
    for name, iri in COMMON_TERMS.items():
        context[name] = {"@id": iri}
    for name, iri in COMMON_IRI_TERMS.items():
        context[name] = {"@id": iri, "@type": "@id"}
    terms: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["t"]["value"]):
        iri = row["t"]["value"]
        if not iri.startswith(qk):
            continue
        name = iri[len(qk) :]
        kind = row["kind"]["value"]
        entry = terms.setdefault(name, {"@id": iri})
        if kind == OWL + "ObjectProperty":
            entry["@type"] = "@id"
        elif kind == OWL + "DatatypeProperty" and "range" in row:
            rng = row["range"]["value"]
            if rng.startswith(XSD) and rng != XSD + "string":
                entry["@type"] = rng
    for name, entry in sorted(terms.items()):
        context[name] = entry if len(entry) > 1 else entry["@id"]
    return {"@context": context}


def term_index(context: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """IRI -> (term name, coercion) for the terms of a context (prefix entries excluded)."""
    index: dict[str, tuple[str, str | None]] = {}
    for name, entry in context["@context"].items():
        if name.startswith("@") or name in ("id", "type") or name in PREFIXES:
            continue
        iri, coercion = (entry, None) if isinstance(entry, str) else (entry["@id"], entry.get("@type"))
        index.setdefault(iri, (name, coercion))
    return index


def node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def value_object(obj: ox.Term, coercion: str | None) -> Any:
    if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
        return node_id(obj) if coercion == "@id" else {"@id": node_id(obj)}
    assert isinstance(obj, ox.Literal)
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    datatype = obj.datatype.value
    if coercion is None and datatype == XSD + "string":
        return obj.value
    if coercion == datatype:
        return obj.value
    if coercion is None or coercion == "@id":
        return {"@value": obj.value, "@type": datatype} if datatype != XSD + "string" else {"@value": obj.value}
    return {"@value": obj.value, "@type": datatype}


def compact(triples: Iterable[ox.Triple], context: dict[str, Any], context_url: str,
            first: str | None = None, qk: str = QK) -> dict[str, Any]:
    """A JSON-LD document of ``triples`` referring to the context by URL: one node per subject (``first``
    leads), ``type`` for rdf:type, context terms as keys (other predicates by full IRI)."""
    index = term_index(context)
    classes = {iri: name for iri, (name, _) in index.items() if iri.startswith(qk) and name[:1].isupper()}
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject = node_id(triple.subject)  # type: ignore[arg-type]
        node = nodes.setdefault(subject, {"id": subject})
        predicate = triple.predicate.value
        if predicate == RDF + "type" and isinstance(triple.object, ox.NamedNode):
            node.setdefault("type", []).append(classes.get(triple.object.value, triple.object.value))
            continue
        name, coercion = index.get(predicate, (predicate, None))
        node.setdefault(name, []).append(value_object(triple.object, coercion))
    ordered = sorted(nodes.values(), key=lambda n: (n["id"] != first, n["id"]))
    for node in ordered:
        for key, values in list(node.items()):
            if isinstance(values, list) and len(values) == 1:
                node[key] = values[0]
    return {"@context": context_url, "@graph": ordered}
