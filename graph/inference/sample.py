"""A representative sample of the national graph, small enough for owlrl: the ontology graphs, every contract
graph (``data/contracts/…``: the seed contracts and the corpus), and the reference data they touch — the QPV,
communes, EPCI, organisations and 2015 contracts they name (two steps out), and a few funding lines and yearly
aggregates of each 2015 contract reached. The equality test with owlrl and the benchmark use it.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import GEO, QK, QKG

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
    contract_prop = ox.NamedNode(QK + "contract")
    aggregate = ox.NamedNode(QK + "FundingAggregate")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    contracts = {q.object for q in kept if q.predicate == contract_prop} | {
        q.subject for q in kept if q.subject.value.startswith(QKG.replace("graph/", "id/contrat/2015/"))
    }
    for contract in sorted(contracts, key=str):
        lines = sorted({q.subject for q in store.quads_for_pattern(None, contract_prop, contract, None)}, key=str)
        aggregates = [f for f in lines if next(store.quads_for_pattern(f, rdf_type, aggregate, None), None)]
        posts = [f for f in lines if f not in set(aggregates)]
        for line in posts[:funding_per_contract] + aggregates[:funding_per_contract]:
            kept.update(store.quads_for_pattern(line, None, None, None))
    return sorted(kept, key=str)
