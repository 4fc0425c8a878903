"""A representative sample of the national graph, small enough for owlrl: the ontology graphs, every contract
graph (``data/contracts/…``: the seed contracts and the corpus), and the reference data they touch — the QPV,
communes, EPCI, organisations and 2015 contracts they name (two steps out), and a few funding lines and yearly
aggregates of each contract reached. The equality test with owlrl and the benchmark use it.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import GEO, QK, QKG, QKI

FUNDING_PER_CONTRACT = 6  # funding lines (and as many aggregates) kept per 2015 contract reached
STEPS = 2
LEFT_OUT = frozenset([GEO + "asWKT"])  # outlines: big literals that no rule reads


def _graph_kind(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(QKG):
        return "other"
    return graph.value[len(QKG) :].split("/", 2)[0] + "/" + graph.value[len(QKG) :].split("/", 2)[1]


def representative_sample(store: ox.Store, funding_per_contract: int = FUNDING_PER_CONTRACT) -> list[ox.Quad]:
    """The sample's quads (in their own graphs)."""
    kept: set[ox.Quad] = set()
    for graph in store.named_graphs():
        if _graph_kind(graph) in ("ontology/quartiers", "ontology/concepts") or _graph_kind(graph).startswith(
            "data/contracts"
        ):
            kept.update(store.quads_for_pattern(None, None, None, graph))
    frontier = {t for q in kept if _graph_kind(q.graph_name).startswith("data/") for t in (q.subject, q.object)}
    seen: set[ox.Term] = set()
    for _step in range(STEPS):
        step: set[ox.Term] = set()
        for node in frontier - seen:
            if isinstance(node, ox.Literal):
                continue
            for q in store.quads_for_pattern(node, None, None, None):
                if q.predicate.value in LEFT_OUT:
                    continue
                kept.add(q)
                step.add(q.object)
        seen |= frontier
        frontier = step
    contract_properties = [ox.NamedNode(QK + "contract"), ox.NamedNode(QK + "aggregateContract")]
    contracts = {q.object for q in kept if q.predicate in contract_properties} | {
        q.subject for q in kept if q.subject.value.startswith(QKI + "contrat/2015/")
    }
    for contract in sorted(contracts, key=str):
        for prop in contract_properties:  # funding lines, then yearly aggregates
            lines = sorted({q.subject for q in store.quads_for_pattern(None, prop, contract, None)}, key=str)
            for line in lines[:funding_per_contract]:
                kept.update(store.quads_for_pattern(line, None, None, None))
    return sorted(kept, key=str)
