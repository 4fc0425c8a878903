"""The ontology's OWL 2 profile claim holds structurally (issue #11).

- every qk: property is exactly one of owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty (a plain
  rdf:Property, which may take literals and IRIs, is outside OWL 2 RL/DL), and every qk: predicate the dataset
  uses is declared;
- over the whole dataset, an object property only has IRI or blank-node values, a datatype property only literals
  (for every property the ontology declares, qk: or reused);
- the check finds a literal given to an object property (it can fail).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from graph.namespaces import sparql_prefixes
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
QK = "https://w3id.org/quartiers/def#"
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PROPERTY_KINDS = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
PROPERTY_TYPES = PROPERTY_KINDS | {RDF.Property, OWL.FunctionalProperty, OWL.TransitiveProperty}

WRONG_KIND_OF_VALUE = """
SELECT ?p ?kind (COUNT(*) AS ?n) (SAMPLE(?s) AS ?example) WHERE {
  { ?p a owl:ObjectProperty . ?s ?p ?o . FILTER(isLiteral(?o)) BIND("object property with a literal" AS ?kind) }
  UNION
  { ?p a owl:DatatypeProperty . ?s ?p ?o . FILTER(!isLiteral(?o)) BIND("datatype property with a resource" AS ?kind) }
} GROUP BY ?p ?kind"""


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ROOT / "ontology" / "quartiers.ttl", format="turtle")


def qk_properties(onto: Graph) -> set[URIRef]:
    return {
        s
        for t in PROPERTY_TYPES
        for s in onto.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(QK)
    }


def test_every_qk_property_has_exactly_one_owl_kind(onto: Graph) -> None:
    properties = qk_properties(onto)
    assert len(properties) > 70
    kinds = {p: set(onto.objects(p, RDF.type)) & PROPERTY_KINDS for p in properties}
    assert {str(p): k for p, k in kinds.items() if len(k) != 1} == {}
    assert not [p for p in properties if (p, RDF.type, RDF.Property) in onto]
    for split in ("indicator", "purpose"):  # the two former rdf:Property: text, and a resource alongside
        assert (URIRef(QK + split), RDF.type, OWL.DatatypeProperty) in onto
    assert (URIRef(QK + "indicatorResource"), RDF.type, OWL.ObjectProperty) in onto
    assert (URIRef(QK + "purposeTheme"), RDF.type, OWL.ObjectProperty) in onto
    assert (URIRef(QK + "currency"), RDF.type, OWL.ObjectProperty) in onto


def test_every_qk_predicate_of_the_dataset_is_declared(onto: Graph, national_store: OxigraphStore) -> None:
    used = national_store.query(
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), 'https://w3id.org/quartiers/def#')) }"
    ).rows()
    declared = {str(p) for p in qk_properties(onto)}
    assert {r["p"] for r in used} - declared == set()
    assert len(used) > 50


def test_values_match_the_property_kind_over_the_whole_dataset(national_store: OxigraphStore) -> None:
    assert national_store.query(sparql_prefixes() + WRONG_KIND_OF_VALUE).rows() == []
    declared = national_store.query(
        sparql_prefixes()
        + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { VALUES ?k { owl:ObjectProperty owl:DatatypeProperty } ?p a ?k }"
    ).rows()
    assert int(declared[0]["n"]) > 80  # qk: properties and the reused ones the ontology declares (dct:subject…)


def test_the_value_check_finds_a_literal_given_to_an_object_property() -> None:
    store = OxigraphStore()
    store.load((ROOT / "ontology" / "quartiers.ttl").read_bytes(), "text/turtle", "https://example.org/synthetic/o")
    bad = (
        '<https://example.org/synthetic/line> <https://w3id.org/quartiers/def#currency> "EUR" .\n'
        '<https://example.org/synthetic/line> <https://w3id.org/quartiers/def#purpose> '
        "<https://w3id.org/quartiers/concept/theme/emploi> .\n"
    )
    store.load(bad.encode(), "text/turtle", "https://example.org/synthetic/d")
    found = store.query(sparql_prefixes() + WRONG_KIND_OF_VALUE).rows()
    assert {(r["p"], r["n"]) for r in found} == {(QK + "currency", "1"), (QK + "purpose", "1")}
