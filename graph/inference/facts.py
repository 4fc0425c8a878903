"""The triples the rules read: an in-memory set with indexes (full closure), or a view of a pyoxigraph store
with triples added or hidden on top (incremental maintenance, explanations).

Both offer the same lookups: membership, objects of (s, p), subjects of (p, o), and the triples about a node, to a
node or with a predicate (needed only for owl:sameAs and explanations). Terms are N-Triples strings
(``graph.inference.vocabulary``). ``add`` returns False when the triple was already there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox

from graph.inference.terms import to_term
from graph.inference.vocabulary import SAME_AS, Term, Triple, is_literal


class MemoryFacts:
    """A set of triples with (p → s → objects) and (p → o → subjects) indexes built per predicate on first use."""

    def __init__(self, triples: Iterable[Triple], indexed: Iterable[Term] = ()) -> None:
        self.all: set[Triple] = triples if isinstance(triples, set) else set(triples)  # a set is taken, not copied
        self._out: dict[Term, dict[Term, set[Term]]] = {}
        self._in: dict[Term, dict[Term, set[Term]]] = {}
        self._by_subject: dict[Term, set[Triple]] | None = None
        self._by_object: dict[Term, set[Triple]] | None = None
        wanted = set(indexed) | {SAME_AS}
        for p in wanted:
            self._out[p], self._in[p] = {}, {}
        for s, p, o in self.all:
            if p in wanted:
                self._out[p].setdefault(s, set()).add(o)
                self._in[p].setdefault(o, set()).add(s)
        self._same_as = self._out[SAME_AS]

    def __contains__(self, triple: Triple) -> bool:
        return triple in self.all

    def __len__(self) -> int:
        return len(self.all)

    @property
    def has_same_as(self) -> bool:
        return bool(self._same_as)

    def add(self, triple: Triple) -> bool:
        if triple in self.all:
            return False
        self.all.add(triple)
        s, p, o = triple
        if p in self._out:
            self._out[p].setdefault(s, set()).add(o)
            self._in[p].setdefault(o, set()).add(s)
        if self._by_subject is not None and self._by_object is not None:
            self._by_subject.setdefault(s, set()).add(triple)
            self._by_object.setdefault(o, set()).add(triple)
        return True

    def _index(self, p: Term) -> None:
        out: dict[Term, set[Term]] = {}
        inc: dict[Term, set[Term]] = {}
        for s, q, o in self.all:
            if q == p:
                out.setdefault(s, set()).add(o)
                inc.setdefault(o, set()).add(s)
        self._out[p], self._in[p] = out, inc

    def objects(self, s: Term, p: Term) -> Iterable[Term]:
        if p not in self._out:
            self._index(p)
        return tuple(self._out[p].get(s, ()))

    def subjects(self, p: Term, o: Term) -> Iterable[Term]:
        if p not in self._in:
            self._index(p)
        return tuple(self._in[p].get(o, ()))

    def _node_index(self) -> tuple[dict[Term, set[Triple]], dict[Term, set[Triple]]]:
        if self._by_subject is None or self._by_object is None:
            self._by_subject, self._by_object = {}, {}
            for t in self.all:
                self._by_subject.setdefault(t[0], set()).add(t)
                self._by_object.setdefault(t[2], set()).add(t)
        return self._by_subject, self._by_object

    def about(self, node: Term) -> Iterable[Triple]:
        """Triples whose subject is ``node``."""
        return tuple(self._node_index()[0].get(node, ()))

    def pointing_to(self, node: Term) -> Iterable[Triple]:
        """Triples whose object is ``node``."""
        return tuple(self._node_index()[1].get(node, ()))

    def with_predicate(self, p: Term) -> Iterable[Triple]:
        if p not in self._out:
            self._index(p)
        return tuple((s, p, o) for s, objects in self._out[p].items() for o in objects)


@lru_cache(maxsize=65536)
def _term(nt: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    return to_term(nt)


class StoreFacts:
    """The triples of every graph of a pyoxigraph store, plus ``plus``, minus ``minus`` (whatever their graph)."""

    def __init__(self, store: ox.Store, plus: Iterable[Triple] = (), minus: Iterable[Triple] = ()) -> None:
        self.store = store
        self.plus: set[Triple] = set()
        self.minus: set[Triple] = set(minus)
        self._out: dict[tuple[Term, Term], set[Term]] = {}
        self._in: dict[tuple[Term, Term], set[Term]] = {}
        same_as = ox.NamedNode(SAME_AS[1:-1])
        self._same_as_stored = next(iter(store.quads_for_pattern(None, same_as, None, None)), None) is not None
        for t in plus:
            self.add(t)

    @property
    def has_same_as(self) -> bool:
        return self._same_as_stored or any(t[1] == SAME_AS for t in self.plus)

    def _quads(self, s: Term | None, p: Term | None, o: Term | None) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(
            None if s is None else _term(s), None if p is None else _term(p), None if o is None else _term(o), None
        )

    def stored(self, triple: Triple) -> bool:
        s, p, o = triple
        if is_literal(s) or p[0] != "<":
            return False
        return next(self._quads(s, p, o), None) is not None

    def __contains__(self, triple: Triple) -> bool:
        if triple in self.plus:
            return True
        return triple not in self.minus and self.stored(triple)

    def add(self, triple: Triple) -> bool:
        if triple in self.plus:
            return False
        if triple in self.minus:
            self.minus.discard(triple)
            if self.stored(triple):
                return True
        elif self.stored(triple):
            return False
        self.plus.add(triple)
        s, p, o = triple
        self._out.setdefault((s, p), set()).add(o)
        self._in.setdefault((p, o), set()).add(s)
        return True

    def hide(self, triple: Triple) -> None:
        """Remove a triple from the view."""
        if triple in self.plus:
            self.plus.discard(triple)
            s, p, o = triple
            self._out[(s, p)].discard(o)
            self._in[(p, o)].discard(s)
        self.minus.add(triple)

    def _visible(self, quads: Iterator[ox.Quad]) -> set[Triple]:
        found = {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}
        return found - self.minus if self.minus else found

    def objects(self, s: Term, p: Term) -> Iterable[Term]:
        if is_literal(s):
            return ()
        return {t[2] for t in self._visible(self._quads(s, p, None))} | self._out.get((s, p), set())

    def subjects(self, p: Term, o: Term) -> Iterable[Term]:
        return {t[0] for t in self._visible(self._quads(None, p, o))} | self._in.get((p, o), set())

    def about(self, node: Term) -> Iterable[Triple]:
        if is_literal(node):
            return ()
        return self._visible(self._quads(node, None, None)) | {t for t in self.plus if t[0] == node}

    def pointing_to(self, node: Term) -> Iterable[Triple]:
        return self._visible(self._quads(None, None, node)) | {t for t in self.plus if t[2] == node}

    def with_predicate(self, p: Term) -> Iterable[Triple]:
        return self._visible(self._quads(None, p, None)) | {t for t in self.plus if t[1] == p}
