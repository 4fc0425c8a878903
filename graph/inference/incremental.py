"""Keep ``qkg:inferred`` current after a write: only what the write touches is re-inferred (DRed).

The write has been applied to the asserted graphs of the replica; ``qkg:inferred`` still holds the closure of the
state before it. From the triples the write really adds to or removes from the asserted data (a triple still
stated in another graph is not removed; a triple already stated elsewhere is not new):

1. *overdelete*: everything the removed triples entailed, transitively, in the old closure, is set aside
   (entailments that are asserted stay: they are facts of their own);
2. *rederive*: each triple set aside that still has a one-step proof from what is left is put back (so is a
   removed triple still entailed by the rest);
3. *insert*: the added triples and the rederived ones are chained forward (semi-naive) on the new state.

The result is the quads to add to and remove from ``qkg:inferred`` (a triple that the write now asserts leaves it).
A write that changes the schema itself (a schema triple: subclass, domain, chain axiom…) recomputes the whole
closure and returns the difference. Correctness is tested by comparing with full recomputation after random
writes (tests/test_inference_incremental.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.inference.facts import StoreFacts, _term
from graph.inference.materialise import InferenceResult, closure_of, saturate
from graph.inference.rules import Tables, consequences, derivations
from graph.inference.schema import Schema, is_schema_triple, schema_triples
from graph.inference.terms import parse_ntriples, quad_of, store_triples, triple_of
from graph.inference.vocabulary import SAME_AS, Term, Triple, is_literal
from graph.layout import INFERRED_GRAPH


@dataclass
class InferredChange:
    """What a write changes in ``qkg:inferred``: quads to add, quads to remove, and any clash it introduces."""

    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    recomputed: bool = False  # the write changed the schema: the whole closure was recomputed


def store_match(store: ox.Store, skip_graph: str):
    """A ``match(s, p, o)`` over the asserted graphs of ``store`` (N-Triples terms, ``None`` = any)."""
    skip = ox.NamedNode(skip_graph)

    def match(s: Term | None, p: Term | None, o: Term | None) -> list[Triple]:
        quads = store.quads_for_pattern(
            None if s is None else _term(s), None if p is None else _term(p), None if o is None else _term(o), None
        )
        return list({triple_of(q) for q in quads if q.graph_name != skip})

    return match


class Reasoner:
    """The compiled schema of a store, kept between writes (compiling it runs owlrl on the ontology)."""

    def __init__(self, schema: Schema, inferred_graph: str = INFERRED_GRAPH) -> None:
        self.schema = schema
        self.tables = Tables.of(schema)
        self.inferred_graph = inferred_graph
        self._graph_node = ox.NamedNode(inferred_graph)

    @classmethod
    def of_store(cls, store: ox.Store, inferred_graph: str = INFERRED_GRAPH) -> Reasoner:
        from graph.inference.schema import compile_schema

        return cls(compile_schema(schema_triples(store_match(store, inferred_graph))), inferred_graph)

    # ---- what is asserted ---------------------------------------------------------------------------------------
    def asserted(self, store: ox.Store, t: Triple) -> bool:
        """Whether a graph other than the inferred one states ``t``."""
        s, p, o = t
        if is_literal(s):
            return False
        return any(q.graph_name != self._graph_node for q in store.quads_for_pattern(_term(s), _term(p), _term(o)))

    def in_inferred(self, store: ox.Store, t: Triple) -> bool:
        s, p, o = t
        if is_literal(s):
            return False
        return next(store.quads_for_pattern(_term(s), _term(p), _term(o), self._graph_node), None) is not None

    def effective(
        self, store: ox.Store, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]
    ) -> tuple[set[Triple], set[Triple]]:
        """The triples the write makes asserted (not asserted before) and no longer asserted."""
        added_q = {(triple_of(q), str(q.graph_name)) for q in added if q.graph_name != self._graph_node}
        removed_q = {(triple_of(q), str(q.graph_name)) for q in removed if q.graph_name != self._graph_node}
        removed_t = {t for t, _g in removed_q}
        new: set[Triple] = set()
        for t in {t for t, _g in added_q} - removed_t:
            s, p, o = t
            before = [
                q for q in store.quads_for_pattern(_term(s), _term(p), _term(o))
                if q.graph_name != self._graph_node and (t, str(q.graph_name)) not in added_q
            ]
            if not before:
                new.add(t)
        gone = {t for t in removed_t if not self.asserted(store, t)}
        return new, gone

    # ---- the update -----------------------------------------------------------------------------------------------
    def update(self, store: ox.Store, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]) -> InferredChange:
        """The change to ``qkg:inferred`` after a write (``store``: the replica with the write applied to the
        asserted graphs and the inferred graph as it was before the write)."""
        new, gone = self.effective(store, list(added), list(removed))
        if not new and not gone:
            return InferredChange()
        if any(is_schema_triple(t, self.schema.list_nodes) for t in new | gone):
            return self.recompute(store)
        overdeleted = self.overdelete(store, new, gone)
        rederived = self.rederive(store, overdeleted)
        view = StoreFacts(store, plus=rederived, minus=overdeleted - rederived)
        clashes: list[str] = []
        saturate(view, self.tables, [(t, False) for t in rederived | new], {}, clashes)
        graph = self._graph_node
        removed_out = {t for t in view.minus if self.in_inferred(store, t)}
        removed_out |= {t for t in new if self.in_inferred(store, t)}
        return InferredChange(
            added=[quad_of(t, graph) for t in sorted(view.plus)],
            removed=[quad_of(t, graph) for t in sorted(removed_out)],
            clashes=sorted(set(clashes)),
        )

    def overdelete(self, store: ox.Store, new: set[Triple], gone: set[Triple]) -> set[Triple]:
        """``gone`` and every entailment of the old closure that depends on it (asserted ones left alone)."""
        hidden_new = {t for t in new if not self.in_inferred(store, t)}
        old = StoreFacts(store, plus=gone, minus=hidden_new)
        overdeleted = set(gone)
        agenda = [(t, False) for t in gone]
        while agenda:
            t, expanded = agenda.pop()
            for _rule, c, c_expanded in consequences(t, old, self.tables, expanded):
                if c in overdeleted or (c[1] == SAME_AS and c[0] == c[2]) or self.asserted(store, c):
                    continue
                if c in old:
                    overdeleted.add(c)
                    agenda.append((c, c_expanded))
        return overdeleted

    def rederive(self, store: ox.Store, overdeleted: set[Triple]) -> set[Triple]:
        """The triples set aside that still have a one-step proof from what is left."""
        rest = StoreFacts(store, minus=overdeleted)
        return {t for t in overdeleted if next(derivations(t, rest, self.tables), None) is not None}

    def recompute(self, store: ox.Store) -> InferredChange:
        """The whole closure again (the schema changed), as a difference with the current inferred graph."""
        result: InferenceResult = closure_of(store_triples(store, self.inferred_graph), consume=True)
        self.schema, self.tables = result.schema, Tables.of(result.schema)
        current = set(parse_ntriples(
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=self._graph_node).decode()
        )) if store.contains_named_graph(self._graph_node) else set()
        wanted = set(result.triples)
        graph = self._graph_node
        return InferredChange(
            added=[quad_of(t, graph) for t in sorted(wanted - current)],
            removed=[quad_of(t, graph) for t in sorted(current - wanted)],
            clashes=result.clashes,
            recomputed=True,
        )


def inferred_change(
    store: ox.Store,
    added: Iterable[ox.Quad],
    removed: Iterable[ox.Quad],
    reasoner: Reasoner | None = None,
    inferred_graph: str = INFERRED_GRAPH,
) -> InferredChange:
    """What a write changes in ``qkg:inferred`` (see ``Reasoner.update``); pass a ``Reasoner`` kept between
    writes to skip compiling the schema each time."""
    return (reasoner or Reasoner.of_store(store, inferred_graph)).update(store, added, removed)
