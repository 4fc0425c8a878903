"""A sum over qk:Funding stays a sum over funding lines under RDFS and OWL RL entailment (issue #7).

The 2020-2023 yearly aggregates repeat the 2023 posts' money; while they were inferable as qk:Funding (a subclass, or
through the domain of qk:amount, qk:year, qk:scheme…), a sum over qk:Funding for 2023 counted every euro twice.

- owlrl computes the RDFS and the OWL RL closure of the ontology and of a slice of the three funding graphs (every
  line and aggregate of three départements, 973 included for its compound contract codes); the sum over qk:Funding
  for 2023 equals the sum of the same départements' posts in the CSV, computed with Decimal.
- over the whole national dataset, the rules that can type a resource qk:Funding (rdfs2/rdfs3 domain and range,
  rdfs7 sub-properties, rdfs9 sub-classes, prp-inv inverses) add no resource that is not already a stated line.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from graph.layout import resource_dir, shared_dir
from graph.namespaces import sparql_prefixes
from graph.store import OxigraphStore

QK = Namespace("https://w3id.org/quartiers/def#")
QKI = "https://w3id.org/quartiers/id/"
SLICE = ("42", "74", "973")
FUNDING_FILES = ("adulte-relais-2023.ttl", "fonjep-2023.ttl", "postes-2020-2023.ttl")
POST_TABLES = ("adulte-relais_2023_by_contrat_de_ville.csv", "postes-fonjep_2023_by_contrat_de_ville.csv")
AGGREGATE_TABLE = "postes_adulte_relais_fonjep_2020_2023_aggregated.csv"


def csv_rows(name: str) -> list[dict[str, str]]:
    path = shared_dir() / "reference" / "funding" / name
    if not path.is_file():
        pytest.skip(f"{path} not found (set QUARTIERS_SHARED)")
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def slice_graph() -> Graph:
    """The ontology, the concept schemes, and every subject of the funding graphs located in a SLICE département."""
    graph = Graph()
    for name in ("quartiers.ttl", "concepts.ttl"):
        graph.parse(resource_dir("ontology") / name, format="turtle")
    departements = {ox.NamedNode(f"{QKI}departement/{code}") for code in SLICE}
    for name in FUNDING_FILES:
        triples = list(ox.parse(path=str(resource_dir("data") / "reference" / name), format=ox.RdfFormat.TURTLE))
        departement = ox.NamedNode(QK.departement)
        kept = {t.subject for t in triples if t.predicate == departement and t.object in departements}
        for t in triples:
            if t.subject in kept:
                graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def funding_sum_2023(graph: Graph) -> tuple[Decimal, int]:
    """Sum over every resource typed qk:Funding with qk:year 2023, and how many there are.

    owlrl adds canonical copies of literals ("7164" and "7164.0" for the same xsd:decimal): one value per line
    is counted (the distinct values of qk:amount, compared as numbers).
    """
    total, lines = Decimal(0), 0
    for line in set(graph.subjects(RDF.type, QK.Funding)):
        if {str(y) for y in graph.objects(line, QK.year)} != {"2023"}:
            continue
        amounts = {Decimal(str(a)) for a in graph.objects(line, QK.amount)}
        assert len(amounts) == 1, (line, amounts)
        total += amounts.pop()
        lines += 1
    return total, lines


@pytest.fixture(scope="module")
def expected() -> tuple[Decimal, int]:
    rows = [r for name in POST_TABLES for r in csv_rows(name) if r["insee_dep"] in SLICE]
    return sum((Decimal(r["montant"]) for r in rows), Decimal(0)), len(rows)


@pytest.fixture(scope="module")
def sliced() -> Graph:
    graph = slice_graph()
    aggregates_2023 = [r for r in csv_rows(AGGREGATE_TABLE) if r["insee_dep"] in SLICE and r["annee"] == "2023"]
    found = set(graph.subjects(RDF.type, QK.FundingAggregate))
    assert len(found) >= len(aggregates_2023) > 0  # the slice holds the aggregates that used to double the sum
    return graph


@pytest.mark.parametrize("semantics", [owlrl.RDFS_Semantics, owlrl.OWLRL_Semantics], ids=["rdfs", "owl-rl"])
def test_sum_over_funding_for_2023_equals_the_posts_under_entailment(
    sliced: Graph, expected: tuple[Decimal, int], semantics: type
) -> None:
    assert funding_sum_2023(sliced) == expected  # no entailment
    closure = Graph()
    for triple in sliced:
        closure.add(triple)
    owlrl.DeductiveClosure(semantics).expand(closure)
    assert list(closure.objects(None, owlrl.Namespaces.ERRNS.error)) == []  # FundingAggregate ⊓ Funding stays empty
    assert funding_sum_2023(closure) == expected
    aggregates = set(closure.subjects(RDF.type, QK.FundingAggregate))
    assert aggregates and not any((a, RDF.type, QK.Funding) in closure for a in aggregates)


def test_the_old_model_did_double_the_sum(sliced: Graph, expected: tuple[Decimal, int]) -> None:
    """The test can fail: give the aggregates funding-line properties again (as before the fix) and the entailed
    sum over qk:Funding for 2023 is the posts plus the aggregates, each euro counted twice."""
    subproperty = URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    broken = Graph()
    for triple in sliced:
        broken.add(triple)
    broken.add((QK.aggregateAmount, subproperty, QK.amount))
    broken.add((QK.aggregateYear, subproperty, QK.year))
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(broken)
    aggregates = [r for r in csv_rows(AGGREGATE_TABLE) if r["insee_dep"] in SLICE and r["annee"] == "2023"]
    doubled = expected[0] + sum((Decimal(r["montant_total_eur"]) for r in aggregates), Decimal(0))
    assert funding_sum_2023(broken) == (doubled, expected[1] + len(aggregates))
    assert doubled == 2 * expected[0]


# ---- the whole dataset: what could make a resource a qk:Funding ----------------------------------------------------
FUNDING_BY_ENTAILMENT = """
SELECT DISTINCT ?x ?why WHERE {
  ?class rdfs:subClassOf* qk:Funding .
  {   ?p rdfs:subPropertyOf*/rdfs:domain ?class . ?x ?p ?o . BIND("domain" AS ?why) }
  UNION { ?p rdfs:subPropertyOf*/rdfs:range ?class . ?s ?p ?x . BIND("range" AS ?why) }
  UNION { ?q owl:inverseOf|^owl:inverseOf ?p . ?q rdfs:subPropertyOf*/rdfs:range ?class . ?x ?p ?o .
          BIND("inverse" AS ?why) }
  UNION { ?x a ?sub . ?sub rdfs:subClassOf+ ?class . BIND("subclass" AS ?why) }
  FILTER NOT EXISTS { ?x a qk:Funding }
}"""


def test_no_resource_of_the_dataset_becomes_a_funding_line_by_entailment(national_store: OxigraphStore) -> None:
    found = national_store.query(sparql_prefixes() + FUNDING_BY_ENTAILMENT).rows()
    assert found == []
    aggregates = national_store.query(sparql_prefixes() + "SELECT (COUNT(?a) AS ?n) WHERE { ?a a qk:FundingAggregate }")
    assert int(aggregates.rows()[0]["n"]) == len(csv_rows(AGGREGATE_TABLE))


def test_the_whole_dataset_check_can_fail() -> None:
    """An aggregate described with a funding-line property (qk:year) is found by the query above."""
    store = OxigraphStore()
    ontology = (resource_dir("ontology") / "quartiers.ttl").read_bytes()
    store.load(ontology, "text/turtle", "https://example.org/synthetic/onto")
    bad = (
        "<https://example.org/synthetic/aggregate> a <https://w3id.org/quartiers/def#FundingAggregate> ;\n"
        '  <https://w3id.org/quartiers/def#year> "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
    )
    store.load(bad.encode(), "text/turtle", "https://example.org/synthetic/data")
    found = store.query(sparql_prefixes() + FUNDING_BY_ENTAILMENT).rows()
    assert [(r["x"], r["why"]) for r in found] == [("https://example.org/synthetic/aggregate", "domain")]
