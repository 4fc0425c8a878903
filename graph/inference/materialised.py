"""The inferred graph in a store: compute the closure and write it as the named graph ``qkg:inferred``; apply a
write's change to it."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from graph.inference.incremental import InferredChange
from graph.inference.materialise import InferenceResult, infer
from graph.inference.terms import has_blank_node, nquads, parse_ntriples, quad_of
from graph.inference.vocabulary import Triple
from graph.layout import INFERRED_GRAPH
from graph.store import OxigraphStore, Store

# bump when the rules or what is left out change: stores built before are re-inferred
ENGINE_VERSION = 1


@dataclass
class InferenceRun:
    """One computation of the inferred graph: the result, and the seconds spent computing and writing it."""

    result: InferenceResult
    seconds_infer: float
    seconds_write: float

    @property
    def seconds(self) -> float:
        return self.seconds_infer + self.seconds_write


def current_inferred(store: ox.Store, graph: str) -> set[Triple]:
    node = ox.NamedNode(graph)
    if not store.contains_named_graph(node):
        return set()
    return set(parse_ntriples(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node).decode()))


def write_inferred(store: Store, result: InferenceResult, graph: str = INFERRED_GRAPH) -> None:
    """Make the inferred graph of ``store`` hold ``result``: on a pyoxigraph store, only the difference with what
    it holds is written (removing quads from an on-disk store costs more than computing the closure); the first
    time, a bulk load. Not one transaction: for builds, which hold the store alone."""
    if not isinstance(store, OxigraphStore):
        store.drop_graph(graph)
        store.add_quads(result.quads(graph))
        return
    raw = store.raw
    current = current_inferred(raw, graph)
    wanted = result.triples.keys()
    node = ox.NamedNode(graph)
    for t in current - wanted:
        raw.remove(quad_of(t, node))
    added = [t for t in wanted if t not in current]
    plain = [t for t in added if not has_blank_node(t)]
    if plain:
        raw.bulk_load(nquads(plain, graph), format=ox.RdfFormat.N_QUADS)
    raw.extend([quad_of(t, node) for t in added if has_blank_node(t)])


def infer_store(store: Store, graph: str = INFERRED_GRAPH) -> InferenceRun:
    """Compute the closure of every other graph of ``store`` and write it to ``graph``."""
    started = time.perf_counter()
    result = infer(store, graph)
    computed = time.perf_counter()
    write_inferred(store, result, graph)
    return InferenceRun(result, computed - started, time.perf_counter() - computed)


def apply_change(store: ox.Store, change: InferredChange) -> None:
    """Apply a write's change to the inferred graph of a pyoxigraph store (removals first)."""
    for quad in change.removed:
        store.remove(quad)
    store.extend(change.added)
