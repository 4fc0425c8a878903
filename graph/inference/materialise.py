"""The full closure: every entailment of the asserted triples, for the graph ``qkg:inferred``.

Semi-naive forward chaining in memory: every asserted triple (and every schema triple the owlrl schema closure adds)
goes through the instance rules once; each new entailment is added to the facts and goes through them in turn, so
each pair of premises meets exactly when the later one is processed. Only what is not asserted is returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.inference.facts import MemoryFacts
from graph.inference.rules import CAX_SCO, SCHEMA_RULE, Facts, Tables, clashes, consequences
from graph.inference.schema import Schema, compile_schema, is_schema_triple, schema_triples
from graph.inference.terms import quad_of, store_triples, triple_of
from graph.inference.vocabulary import FIRST, REST, SAME_AS, SCHEMA_CLASSES, SCHEMA_PREDICATES, TYPE, Term, Triple
from graph.layout import INFERRED_GRAPH
from graph.store import OxigraphStore, Store

Source = Store | ox.Store | Iterable[ox.Quad]

MAX_SCHEMA_ROUNDS = 5


@dataclass
class InferenceResult:
    """The entailed triples that are not asserted, the rule that first produced each, and the clashes found."""

    triples: dict[Triple, str]
    schema: Schema
    clashes: list[str] = field(default_factory=list)

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(self.triples.values()).most_common())

    def quads(self, graph: str = INFERRED_GRAPH) -> list[ox.Quad]:
        target = ox.NamedNode(graph)
        return [quad_of(t, target) for t in self.triples]


def saturate(
    facts: MemoryFacts | Facts,
    tables: Tables,
    agenda: list[tuple[Triple, bool]],
    derived: dict[Triple, str],
    found_clashes: list[str] | None = None,
) -> None:
    """Add to ``facts`` (and to ``derived``, with their rule) everything the triples of ``agenda`` entail.

    ``agenda`` holds (triple, expanded) pairs: ``expanded`` when the triple's single-premise consequences are
    already being added (it came out of an expansion). The loop is ``rules.consequences`` unrolled for speed: the
    expansion of a triple is applied here, the join and equality rules through ``consequences``."""
    superclasses = tables.schema.superclasses
    node_expansions, literal_expansions = tables.node_expansions, tables.literal_expansions
    join_predicates, clash_predicates, clash_classes = (
        tables.join_predicates, tables.clash_predicates, tables.clash_classes
    )
    closed = tables.types_closed
    add = facts.add  # type: ignore[union-attr]
    while agenda:
        t, expanded = agenda.pop()
        s, p, o = t
        if found_clashes is not None and (p in clash_predicates or (p == TYPE and o in clash_classes)):
            found_clashes.extend(clashes(t, facts, tables))
        if not expanded:
            if p == TYPE:
                for c in superclasses.get(o, ()):
                    new = (s, TYPE, c)
                    if add(new):
                        derived[new] = CAX_SCO
                        agenda.append((new, closed))
            node = o[0] != '"'
            plan = (node_expansions if node else literal_expansions).get(p)
            if plan is not None:
                for rule, q, flipped in plan.triples:
                    new = (o, q, s) if flipped else (s, q, o)
                    if add(new):
                        derived[new] = rule
                        agenda.append((new, True))
                for rule, c in plan.subject_types:
                    new = (s, TYPE, c)
                    if add(new):
                        derived[new] = rule
                        agenda.append((new, closed))
                for rule, c in plan.object_types:
                    new = (o, TYPE, c)
                    if add(new):
                        derived[new] = rule
                        agenda.append((new, closed))
        if p in join_predicates or facts.has_same_as:
            for rule, new, new_expanded in consequences(t, facts, tables, expanded=True):
                if new[1] == SAME_AS and new[0] == new[2]:
                    continue
                if add(new):
                    derived[new] = rule
                    agenda.append((new, new_expanded))


def initial_agenda(facts: MemoryFacts, tables: Tables) -> list[tuple[Triple, bool]]:
    """The triples a rule can fire on (most asserted triples, labels and the like, trigger nothing)."""
    if facts.has_same_as:
        return [(t, False) for t in facts.all]
    predicates = (
        set(tables.node_expansions) | set(tables.literal_expansions) | tables.join_predicates
        | tables.clash_predicates
    )
    classes = set(tables.schema.superclasses) | tables.clash_classes
    return [(t, False) for t in facts.all if t[1] in predicates or (t[1] == TYPE and t[2] in classes)]


def asserted_triples(source: Source, inferred_graph: str = INFERRED_GRAPH) -> set[Triple]:
    """The triples of every graph of ``source`` but the inferred one."""
    if isinstance(source, OxigraphStore):
        source = source.raw
    if isinstance(source, ox.Store):
        return store_triples(source, inferred_graph)
    quads = source.quads(all_graphs=True) if isinstance(source, Store) else source
    skip = ox.NamedNode(inferred_graph)
    return {triple_of(q) for q in quads if q.graph_name != skip}


def closure_of(asserted: set[Triple], *, consume: bool = False) -> InferenceResult:
    """Everything ``asserted`` entails that it does not state (with ``consume``, ``asserted`` becomes the closure:
    no copy of a big set)."""
    schema = compile_schema(schema_triples_of(asserted))
    facts_set = asserted if consume else set(asserted)
    for _round in range(MAX_SCHEMA_ROUNDS):
        tables = Tables.of(schema)
        facts = MemoryFacts(facts_set, indexed=schema.join_predicates())
        derived: dict[Triple, str] = {}
        for t in schema.inferred:
            if facts.add(t):
                derived[t] = SCHEMA_RULE
        found: list[str] = []
        saturate(facts, tables, initial_agenda(facts, tables), derived, found)
        new_schema = {t for t in derived if derived[t] != SCHEMA_RULE and is_schema_triple(t, schema.list_nodes)}
        if not new_schema:
            return InferenceResult(triples=derived, schema=schema, clashes=sorted(set(found)))
        # entailed schema triples (rare: e.g. a subproperty of rdfs:subClassOf) change the schema: start again
        facts_set = facts.all - set(derived)
        schema = compile_schema(schema_triples_of(facts_set) | new_schema)
    raise RuntimeError("the schema did not settle: entailed schema triples keep changing it")


def schema_triples_of(triples: set[Triple]) -> set[Triple]:
    """The schema triples among ``triples`` (one pass; lists found through an index of rdf:first/rdf:rest)."""
    lists: dict[tuple[Term, Term], list[Triple]] = {}
    candidates: list[Triple] = []
    for t in triples:
        p = t[1]
        if p in SCHEMA_PREDICATES or (p == TYPE and t[2] in SCHEMA_CLASSES):
            candidates.append(t)
        elif p in (FIRST, REST):
            lists.setdefault((t[0], p), []).append(t)
    index: dict[tuple[Term, Term], list[Triple]] = {(t[0], t[1]): [] for t in candidates}
    for t in candidates:
        index[(t[0], t[1])].append(t)
    index.update(lists)

    def match(s: Term | None, p: Term | None, o: Term | None) -> list[Triple]:
        if s is None:
            return [t for t in candidates if t[1] == p and (o is None or t[2] == o)]
        return index.get((s, p), [])  # type: ignore[arg-type]

    return schema_triples(match)


def infer(source: Source, inferred_graph: str = INFERRED_GRAPH) -> InferenceResult:
    """The closure of ``source`` (a project store, a pyoxigraph store or quads; every graph but
    ``inferred_graph``): the entailed triples it does not assert."""
    return closure_of(asserted_triples(source, inferred_graph), consume=True)
