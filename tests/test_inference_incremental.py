"""Incremental maintenance of the inferred graph (DRed) gives what full recomputation gives.

Random writes on a synthetic graph (https://example.org/synthetic/) with every kind of rule (hierarchies,
domains/ranges, inverse, symmetric, transitive, chains, owl:sameAs from a functional property), then writes of one
whole contract on the representative sample: after each write the inferred graph kept current by
``Reasoner.update`` equals the closure recomputed from scratch.
"""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from graph.build import build_into
from graph.inference import infer
from graph.inference.incremental import Reasoner
from graph.inference.materialised import apply_change
from graph.inference.sample import representative_sample
from graph.inference.terms import parse_ntriples
from graph.layout import INFERRED_GRAPH, graph_files
from graph.store import OxigraphStore

SYN = "https://example.org/synthetic/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ONTOLOGY = f"""
@prefix : <{SYN}> . @prefix owl: <{OWL}> . @prefix rdfs: <{RDFS}> .
:A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :D owl:equivalentClass :A .
:p rdfs:subPropertyOf :q . :q rdfs:domain :B ; rdfs:range :C . :r owl:inverseOf :p .
:s a owl:SymmetricProperty . :t a owl:TransitiveProperty . :u owl:propertyChainAxiom ( :p :t ) .
:f a owl:FunctionalProperty .
"""
PREDICATES = ["p", "q", "r", "s", "t", "t", "u", "f", "other"]
CLASSES = ["A", "B", "C", "D", "E"]
NODES = [f"n{i}" for i in range(14)]
GRAPHS = [SYN + "g1", SYN + "g2"]


def inferred_triples(store: ox.Store) -> set[tuple[str, str, str]]:
    node = ox.NamedNode(INFERRED_GRAPH)
    if not store.contains_named_graph(node):
        return set()
    return set(parse_ntriples(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node).decode()))


def recomputed(store: ox.Store) -> set[tuple[str, str, str]]:
    return set(infer(store).triples)


def write(store: ox.Store, reasoner: Reasoner, added: list[ox.Quad], removed: list[ox.Quad]) -> bool:
    """Apply a write (only its effective part, as the endpoint's delta is) and its inferred change."""
    added = [q for q in dict.fromkeys(added) if q not in store]
    removed = [q for q in dict.fromkeys(removed) if q in store]
    for q in removed:
        store.remove(q)
    store.extend(added)
    change = reasoner.update(store, added, removed)
    apply_change(store, change)
    return change.recomputed


def random_quad(rng: random.Random) -> ox.Quad:
    s = ox.NamedNode(SYN + rng.choice(NODES))
    graph = ox.NamedNode(rng.choice(GRAPHS))
    if rng.random() < 0.3:
        return ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(SYN + rng.choice(CLASSES)), graph)
    return ox.Quad(s, ox.NamedNode(SYN + rng.choice(PREDICATES)), ox.NamedNode(SYN + rng.choice(NODES)), graph)


@pytest.fixture()
def synthetic() -> ox.Store:
    store = ox.Store()
    store.load(ONTOLOGY.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(SYN + "ontology"))
    rng = random.Random(7)
    store.extend([random_quad(rng) for _ in range(40)])
    store.extend(infer(store).quads())
    return store


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_the_inferred_graph_equal_to_recomputation(synthetic: ox.Store, seed: int) -> None:
    rng = random.Random(seed)
    reasoner = Reasoner.of_store(synthetic)
    for step in range(25):
        existing = [q for q in synthetic if q.graph_name.value in GRAPHS]
        removed = rng.sample(existing, k=min(len(existing), rng.randint(0, 4)))
        added = [random_quad(rng) for _ in range(rng.randint(0, 4))]
        write(synthetic, reasoner, added, removed)
        assert inferred_triples(synthetic) == recomputed(synthetic), f"step {step}"
    same_as = {t for t in inferred_triples(synthetic) if t[1] == f"<{OWL}sameAs>"}
    assert all(s != o for s, _p, o in same_as)


def test_a_triple_stated_by_a_write_leaves_the_inferred_graph_and_comes_back(synthetic: ox.Store) -> None:
    reasoner = Reasoner.of_store(synthetic)
    synthetic.extend([ox.Quad(ox.NamedNode(SYN + "x"), ox.NamedNode(SYN + "p"), ox.NamedNode(SYN + "y"),
                              ox.NamedNode(GRAPHS[0]))])
    synthetic.extend(Reasoner.of_store(synthetic).recompute(synthetic).added)
    stated = ox.Quad(ox.NamedNode(SYN + "y"), ox.NamedNode(SYN + "r"), ox.NamedNode(SYN + "x"), ox.NamedNode(GRAPHS[1]))
    entailed = (f"<{SYN}y>", f"<{SYN}r>", f"<{SYN}x>")
    assert entailed in inferred_triples(synthetic)
    write(synthetic, reasoner, [stated], [])
    assert entailed not in inferred_triples(synthetic)  # now asserted: not repeated in qkg:inferred
    write(synthetic, reasoner, [], [stated])
    assert entailed in inferred_triples(synthetic)  # still entailed by x p y
    assert inferred_triples(synthetic) == recomputed(synthetic)


def test_removing_one_of_two_statements_of_a_triple_changes_nothing(synthetic: ox.Store) -> None:
    reasoner = Reasoner.of_store(synthetic)
    triple = (ox.NamedNode(SYN + "a1"), ox.NamedNode(SYN + "p"), ox.NamedNode(SYN + "a2"))
    write(synthetic, reasoner, [ox.Quad(*triple, ox.NamedNode(g)) for g in GRAPHS], [])
    before = inferred_triples(synthetic)
    assert (f"<{SYN}a2>", f"<{SYN}r>", f"<{SYN}a1>") in before
    change = reasoner.update(synthetic, [], [ox.Quad(*triple, ox.NamedNode(GRAPHS[0]))])
    synthetic.remove(ox.Quad(*triple, ox.NamedNode(GRAPHS[0])))
    assert change.added == [] and change.removed == []


def test_a_schema_write_recomputes_everything(synthetic: ox.Store) -> None:
    reasoner = Reasoner.of_store(synthetic)
    axiom = ox.Quad(ox.NamedNode(SYN + "C"), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(SYN + "E"),
                    ox.NamedNode(SYN + "ontology"))
    assert write(synthetic, reasoner, [axiom], []) is True
    assert inferred_triples(synthetic) == recomputed(synthetic)
    assert write(synthetic, reasoner, [], [axiom]) is True
    assert inferred_triples(synthetic) == recomputed(synthetic)


def test_writing_a_whole_contract_keeps_the_sample_current() -> None:
    national = OxigraphStore()
    build_into(national, graph_files())
    store = ox.Store()
    store.extend(representative_sample(national.raw))
    store.extend(infer(store).quads())
    reasoner = Reasoner.of_store(store)
    contract = ox.NamedNode("https://w3id.org/quartiers/graph/data/contracts/saint-etienne-metropole-2024")
    quads = list(store.quads_for_pattern(None, None, None, contract))
    concerns = "<https://w3id.org/quartiers/def#concernsCommune>"
    assert any(t[1] == concerns for t in inferred_triples(store))
    write(store, reasoner, [], quads)
    assert inferred_triples(store) == recomputed(store)
    assert not any(t[1] == concerns and "244200770" in t[0] for t in inferred_triples(store))
    write(store, reasoner, quads, [])
    assert inferred_triples(store) == recomputed(store)
    assert any(t[1] == concerns and "244200770" in t[0] for t in inferred_triples(store))
