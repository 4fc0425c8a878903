"""Why an entailed triple holds: the rule, its premises, and recursively how each premise holds, down to asserted
triples (with the graphs that state them) and the schema axioms used.

The proof is searched backwards over the store's closure (asserted graphs + ``qkg:inferred``) with the same rules
as the forward engine (``rules.derivations``); a premise already on the path being proved is not used again, so
a proof never goes round in circles (x coveredBy q because q coversQPV x because x coveredBy q…). Among the
one-step proofs of a triple, those with the most asserted premises are tried first: explanations stay short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.inference.facts import StoreFacts, _term
from graph.inference.rules import RULES, SCHEMA_RULE, Derivation, Tables, derivations
from graph.inference.vocabulary import (
    DOMAIN,
    EQUIVALENT_CLASS,
    EQUIVALENT_PROPERTY,
    RANGE,
    SUBCLASS,
    SUBPROPERTY,
    Triple,
    is_literal,
)
from graph.layout import INFERRED_GRAPH

MAX_DEPTH = 12


@dataclass
class Explanation:
    """A triple and how it holds: asserted in ``graphs``, or entailed by ``rule`` from ``premises`` (instance
    triples) and ``schema`` (ontology axioms), each explained in turn."""

    triple: Triple
    graphs: list[str] = field(default_factory=list)
    rule: str | None = None
    premises: list[Explanation] = field(default_factory=list)
    schema: list[Explanation] = field(default_factory=list)

    @property
    def asserted(self) -> bool:
        return bool(self.graphs)

    def to_json(self) -> dict[str, object]:
        s, p, o = self.triple
        out: dict[str, object] = {"subject": s, "predicate": p, "object": o}
        if self.graphs:
            out["graphs"] = self.graphs
        if self.rule:
            out["rule"] = self.rule
            out["rule_label"] = RULES.get(self.rule, self.rule)
            out["premises"] = [e.to_json() for e in self.premises]
            out["schema"] = [e.to_json() for e in self.schema]
        return out


class Explainer:
    """Backward proofs over a store whose ``qkg:inferred`` is current."""

    def __init__(self, store: ox.Store, tables: Tables, inferred_graph: str = INFERRED_GRAPH) -> None:
        self.store = store
        self.tables = tables
        self.facts = StoreFacts(store)
        self.inferred = ox.NamedNode(inferred_graph)

    def graphs_of(self, t: Triple) -> list[str]:
        s, p, o = t
        if is_literal(s) or p[0] != "<":
            return []
        quads = self.store.quads_for_pattern(_term(s), _term(p), _term(o))
        return sorted({str(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else ""
                       for q in quads if q.graph_name != self.inferred})

    def explain(self, t: Triple) -> Explanation | None:
        """How ``t`` holds, or None when it is neither asserted nor entailed."""
        return self._prove(t, frozenset(), 0)

    def _prove(self, t: Triple, path: frozenset[Triple], depth: int) -> Explanation | None:
        graphs = self.graphs_of(t)
        if graphs:
            return Explanation(t, graphs=graphs)
        if depth > MAX_DEPTH or t not in self.facts:
            return None
        if t in self.tables.schema.closure:
            return self._prove_schema(t, path, depth)
        for proof in self._ranked(derivations(t, self.facts, self.tables), path | {t}):
            found = self._use(t, proof, path | {t}, depth)
            if found is not None:
                return found
        return None

    def _ranked(self, proofs: Iterable[Derivation], path: frozenset[Triple]) -> list[Derivation]:
        usable = [d for d in proofs if not any(p in path for p in d.premises)]
        return sorted(usable, key=lambda d: sum(1 for p in d.premises if not self.graphs_of(p)))

    def _use(self, t: Triple, proof: Derivation, path: frozenset[Triple], depth: int) -> Explanation | None:
        premises = []
        for premise in proof.premises:
            found = self._prove(premise, path, depth + 1)
            if found is None:
                return None
            premises.append(found)
        schema = [self._prove(axiom, path, depth + 1) or Explanation(axiom, rule=SCHEMA_RULE)
                  for axiom in proof.schema]
        return Explanation(t, rule=proof.rule, premises=premises, schema=schema)

    def _prove_schema(self, t: Triple, path: frozenset[Triple], depth: int) -> Explanation:
        """Entailed schema triples: the scm-* rules that make hierarchies transitive and inherit domains/ranges."""
        closure = self.tables.schema.closure
        s, p, o = t
        candidates: list[tuple[str, tuple[Triple, ...]]] = []
        middles = {x for (a, q, x) in closure if a == s and q == p}
        if p in (SUBCLASS, SUBPROPERTY):
            candidates += [("scm-sco" if p == SUBCLASS else "scm-spo", ((s, p, m), (m, p, o)))
                           for m in middles if m not in (s, o) and (m, p, o) in closure]
            equivalent = EQUIVALENT_CLASS if p == SUBCLASS else EQUIVALENT_PROPERTY
            candidates += [("scm-eqc1" if p == SUBCLASS else "scm-eqp1", (axiom,))
                           for axiom in ((s, equivalent, o), (o, equivalent, s)) if axiom in closure]
        if p in (DOMAIN, RANGE):
            kind = "dom" if p == DOMAIN else "rng"
            candidates += [(f"scm-{kind}1", ((s, p, c), (c, SUBCLASS, o)))
                           for c in middles if c != o and (c, SUBCLASS, o) in closure]
            supers = {q for (a, sp, q) in closure if a == s and sp == SUBPROPERTY and q != s}
            candidates += [(f"scm-{kind}2", ((q, p, o), (s, SUBPROPERTY, q))) for q in supers if (q, p, o) in closure]
        inner = path | {t}
        for rule, premises in candidates:
            if any(x in inner for x in premises):
                continue
            proved = [self._prove(x, inner, depth + 1) for x in premises]
            if all(x is not None for x in proved):
                return Explanation(t, rule=rule, premises=[x for x in proved if x is not None])
        return Explanation(t, rule=SCHEMA_RULE)
