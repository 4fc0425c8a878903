"""The project's OWL 2 RL engine entails exactly what owlrl (the reference) entails.

On the representative sample (ontology, every contract graph, the reference data they touch: see
graph.inference.sample) and on synthetic graphs exercising the rules the sample does not (owl:sameAs from functional
and inverse-functional properties, symmetric and transitive properties, equivalences, blank nodes), owlrl's closure
minus the asserted triples, minus what docs/inference.md says is left out, equals the engine's inferred triples.

What is left out of owlrl's output (written here independently of the engine's own filter):
- generalised RDF: a literal subject (``"5" rdf:type xsd:decimal``, ranges of datatype properties, eq-ref on
  literals) or a blank-node predicate — not RDF, cannot be stored;
- reflexive owl:sameAs, rdfs:subClassOf, owl:equivalentClass, rdfs:subPropertyOf, owl:equivalentProperty (eq-ref,
  scm-cls, scm-op, scm-dp: one per term, true of everything);
- triples whose subject is a term of the RDF, RDFS, OWL or XSD vocabularies (axiomatic triples: owl:Thing a
  owl:Class, rdfs:label a owl:AnnotationProperty, xsd:string a rdfs:Datatype, datatype disjointness…);
- triples whose object is owl:Thing (``C rdfs:subClassOf owl:Thing`` from scm-cls and hence ``x rdf:type
  owl:Thing`` for every typed resource).
"""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from graph.build import build_into
from graph.inference import infer
from graph.inference.sample import representative_sample
from graph.inference.schema import UnsupportedConstructError
from graph.layout import graph_files
from graph.store import OxigraphStore
from graph.terms import to_oxigraph, to_rdflib

SYN = "https://example.org/synthetic/"
XSD = "http://www.w3.org/2001/XMLSchema#"
BUILTIN = (str(RDF), str(RDFS), str(OWL), XSD)
REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
ERRORS = owlrl.Namespaces.ERRNS


def left_out(s, p, o) -> bool:
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return True
    if s == o and p in REFLEXIVE:
        return True
    if isinstance(s, URIRef) and str(s).startswith(BUILTIN):
        return True
    return o == OWL.Thing


def owlrl_entailments(quads: list[ox.Quad]) -> tuple[set[tuple[str, str, str]], list[str]]:
    """owlrl's entailments (N-Triples forms) minus the asserted and left-out triples, and its error messages."""
    graph = Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = sorted(str(m) for m in graph.objects(None, ERRORS.error))
    messages = set(graph.subjects(RDF.type, ERRORS.ErrorMessage))
    entailed = {
        tuple(str(to_oxigraph(x)) for x in t)
        for t in set(graph) - asserted
        if not left_out(*t) and t[0] not in messages
    }
    return entailed, errors  # type: ignore[return-value]


def quads_of(turtle: str) -> list[ox.Quad]:
    prefixes = (
        f"@prefix : <{SYN}> . @prefix owl: <{OWL}> . @prefix rdfs: <{RDFS}> . @prefix xsd: <{XSD}> . "
        f"@prefix rdf: <{RDF}> .\n"
    )
    graph = ox.NamedNode(SYN + "g")
    parsed = ox.parse((prefixes + turtle).encode(), format=ox.RdfFormat.TURTLE)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed]


@pytest.fixture(scope="module")
def sample() -> list[ox.Quad]:
    store = OxigraphStore()
    build_into(store, graph_files())
    return representative_sample(store.raw)


def test_the_sample_has_every_kind_of_resource(sample: list[ox.Quad]) -> None:
    graphs = {q.graph_name.value.rsplit("/graph/", 1)[1] for q in sample}
    assert {"ontology/quartiers", "ontology/concepts", "data/reference/qpv", "data/reference/geo",
            "data/reference/adulte-relais-2023", "data/reference/postes-2020-2023"} <= graphs
    assert {g for g in graphs if g.startswith("data/contracts/")} >= {
        "data/contracts/saint-etienne-metropole-2024", "data/contracts/annemasse-agglomeration-2024"}


def test_engine_equals_owlrl_on_the_representative_sample(sample: list[ox.Quad]) -> None:
    expected, errors = owlrl_entailments(sample)
    result = infer(sample)
    assert errors == [] and result.clashes == []
    assert set(result.triples) == expected
    rules = result.by_rule()
    for rule in ("cax-sco", "prp-spo1", "prp-dom", "prp-rng", "prp-inv", "prp-spo2", "scm"):
        assert rules.get(rule, 0) > 0, rule  # the sample exercises each rule the national graph uses


SYNTHETIC = """
:A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :D owl:equivalentClass :A .
:p a owl:ObjectProperty ; rdfs:subPropertyOf :q . :q rdfs:domain :B ; rdfs:range :C .
:r owl:inverseOf :p . :v owl:equivalentProperty :q .
:s a owl:SymmetricProperty . :t a owl:TransitiveProperty .
:u owl:propertyChainAxiom ( :p :t ) . :w owl:propertyChainAxiom ( :r :u :s ) .
:d a owl:DatatypeProperty ; rdfs:range xsd:decimal ; rdfs:subPropertyOf :e ; rdfs:domain :D .
:x :p :y . :y :t :z . :z :t :z2 . :z2 :s :k . _:b :p :x . :x :d 5.0 . _:b :d "7"^^xsd:decimal .
:m a :D . :n :v :m .
"""

EQUALITY = """
:f a owl:FunctionalProperty , owl:ObjectProperty . :g a owl:InverseFunctionalProperty .
:h rdfs:domain :H ; owl:inverseOf :hi .
:m :f :n1 , :n2 . :n1 :h :o1 . :n2 :label "two" .
:k1 :g :v . :k2 :g :v . :k1 :h :o2 . :k3 owl:sameAs :k2 .
"""


@pytest.mark.parametrize("turtle", [SYNTHETIC, EQUALITY, SYNTHETIC + EQUALITY], ids=["rules", "sameAs", "both"])
def test_engine_equals_owlrl_on_synthetic_graphs(turtle: str) -> None:
    quads = quads_of(turtle)
    expected, errors = owlrl_entailments(quads)
    result = infer(quads)
    assert errors == [] and result.clashes == []
    assert set(result.triples) == expected


def test_sameas_stays_within_the_individuals_said_to_be_the_same() -> None:
    result = infer(quads_of(EQUALITY))
    same = {(s, o) for s, p, o in result.triples if p == f"<{OWL}sameAs>"}
    k = {f"<{SYN}k{i}>" for i in (1, 2, 3)}
    n = {f"<{SYN}n1>", f"<{SYN}n2>"}
    asserted = (f"<{SYN}k3>", f"<{SYN}k2>")
    expected = {(a, b) for group in (k, n) for a in group for b in group if a != b} - {asserted}
    assert same == expected  # every pair of each group, once: no reflexive sameAs, nothing outside the groups


def test_a_clash_is_reported_as_owlrl_reports_it() -> None:
    quads = quads_of(":A owl:disjointWith :B . :C rdfs:subClassOf :B . :x a :A , :C .")
    _expected, errors = owlrl_entailments(quads)
    result = infer(quads)
    assert len(errors) == 1 and "Disjoint classes" in errors[0]
    assert result.clashes == [f"cax-dw: <{SYN}x> is both <{SYN}A> and <{SYN}B>, which are disjoint"]


def test_an_ontology_outside_the_implemented_rules_is_refused() -> None:
    quads = quads_of(":R owl:onProperty :p ; owl:someValuesFrom :C .")
    with pytest.raises(UnsupportedConstructError, match="cls-svf1"):
        infer(quads)
