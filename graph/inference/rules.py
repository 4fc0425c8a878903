"""The OWL 2 RL instance rules, forwards (what a new triple entails) and backwards (how a triple is entailed).

Rule names are those of the OWL 2 RL profile (https://www.w3.org/TR/owl2-profiles/#OWL_2_RL, tables 4-9). The
schema is fixed while these run: its own closure (``scm-*``) comes from ``graph.inference.schema``. Each rule is
written twice, as ``consequences`` (forward chaining: the triples a new triple entails together with the facts
already there) and ``derivations`` (the one-step proofs of a triple: what incremental deletion re-checks and what
``quartiers explain`` prints); the test comparing incremental maintenance with full recomputation keeps both in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from graph.inference.schema import Schema
from graph.inference.vocabulary import (
    CHAIN,
    DIFFERENT_FROM,
    DOMAIN,
    FUNCTIONAL,
    INVERSE_FUNCTIONAL,
    INVERSE_OF,
    NOTHING,
    RANGE,
    SAME_AS,
    SUBCLASS,
    SUBPROPERTY,
    TYPE,
    Term,
    Triple,
    is_iri,
    is_literal,
    is_node,
)

CAX_SCO = "cax-sco"
PRP_SPO1 = "prp-spo1"
PRP_DOM = "prp-dom"
PRP_RNG = "prp-rng"
PRP_INV = "prp-inv"
PRP_SYMP = "prp-symp"
PRP_TRP = "prp-trp"
PRP_SPO2 = "prp-spo2"
PRP_FP = "prp-fp"
PRP_IFP = "prp-ifp"
EQ_SYM = "eq-sym"
EQ_TRANS = "eq-trans"
EQ_REP_S = "eq-rep-s"
EQ_REP_P = "eq-rep-p"
EQ_REP_O = "eq-rep-o"
SCHEMA_RULE = "scm"  # the schema closure computed by owlrl (scm-* rules)

RULES: dict[str, str] = {
    CAX_SCO: "subclass (with owl:equivalentClass as two subclass axioms: cax-eqc1/2)",
    PRP_SPO1: "subproperty (with owl:equivalentProperty as two subproperty axioms: prp-eqp1/2)",
    PRP_DOM: "property domain",
    PRP_RNG: "property range (never on a literal)",
    PRP_INV: "inverse properties (prp-inv1/prp-inv2)",
    PRP_SYMP: "symmetric property",
    PRP_TRP: "transitive property",
    PRP_SPO2: "property chain",
    PRP_FP: "functional property: two values are the same individual",
    PRP_IFP: "inverse-functional property: two subjects are the same individual",
    EQ_SYM: "owl:sameAs is symmetric",
    EQ_TRANS: "owl:sameAs is transitive",
    EQ_REP_S: "owl:sameAs: replace the subject",
    EQ_REP_P: "owl:sameAs: replace the predicate",
    EQ_REP_O: "owl:sameAs: replace the object",
    SCHEMA_RULE: "schema closure (owlrl scm-* rules)",
}


class Facts(Protocol):
    @property
    def has_same_as(self) -> bool: ...
    def __contains__(self, triple: Triple) -> bool: ...
    def objects(self, s: Term, p: Term) -> Iterable[Term]: ...
    def subjects(self, p: Term, o: Term) -> Iterable[Term]: ...
    def about(self, node: Term) -> Iterable[Triple]: ...
    def pointing_to(self, node: Term) -> Iterable[Triple]: ...
    def with_predicate(self, p: Term) -> Iterable[Triple]: ...


@dataclass(frozen=True)
class Expansion:
    """Every single-premise consequence of a triple (s p o), precomputed per predicate: the triples reached by
    subproperty, inverse and symmetric steps (``flipped`` = the triple is (o q s)), and the classes its subject and
    object get from domains, ranges and their superclasses. A triple produced by an expansion needs no expansion of
    its own (it is part of its parent's), only the join rules."""

    triples: tuple[tuple[str, Term, bool], ...]
    subject_types: tuple[tuple[str, Term], ...]
    object_types: tuple[tuple[str, Term], ...]


def expansion(schema: Schema, p: Term, node_object: bool) -> Expansion:
    """The expansion of predicate ``p`` (an object that is a literal cannot become a subject: no inverse)."""
    rule_of: dict[tuple[Term, bool], str] = {(p, False): ""}
    queue = [(p, False)]
    while queue:
        q, flipped = queue.pop()
        steps = [(PRP_SPO1, q2, flipped) for q2 in schema.superproperties.get(q, ())]
        if node_object:
            steps += [(PRP_INV, q2, not flipped) for q2 in schema.inverses.get(q, ())]
            if q in schema.symmetric:
                steps.append((PRP_SYMP, q, not flipped))
        for rule, q2, f2 in steps:
            if (q2, f2) not in rule_of:
                rule_of[(q2, f2)] = rule
                queue.append((q2, f2))
    subject_types: dict[Term, str] = {}
    object_types: dict[Term, str] = {}
    for (q, flipped), _rule in rule_of.items():
        domain = [(PRP_DOM, c) for c in schema.domains.get(q, ())]
        range_ = [(PRP_RNG, c) for c in schema.ranges.get(q, ())] if node_object else []
        for rule, c in domain:
            (object_types if flipped else subject_types).setdefault(c, rule)
        for rule, c in range_:
            (subject_types if flipped else object_types).setdefault(c, rule)
    for types in (subject_types, object_types):
        for c in list(types):
            for d in schema.superclasses.get(c, ()):
                types.setdefault(d, CAX_SCO)
    return Expansion(
        triples=tuple((rule, q, f) for (q, f), rule in rule_of.items() if rule),
        subject_types=tuple((rule, c) for c, rule in subject_types.items()),
        object_types=tuple((rule, c) for c, rule in object_types.items()),
    )


@dataclass(frozen=True)
class Tables:
    """The schema's lookup tables: expansions per predicate, reverse tables for the backward rules."""

    schema: Schema
    node_expansions: dict[Term, Expansion]
    literal_expansions: dict[Term, Expansion]
    join_predicates: frozenset[Term]
    clash_predicates: frozenset[Term]  # the predicates of triples that may reveal a clash
    clash_classes: frozenset[Term]  # the classes whose instances may reveal a clash
    chain_positions: dict[Term, tuple[tuple[Term, tuple[Term, ...], int], ...]]
    subclasses: dict[Term, frozenset[Term]]
    subproperties: dict[Term, frozenset[Term]]
    domain_of: dict[Term, frozenset[Term]]
    range_of: dict[Term, frozenset[Term]]
    types_closed: bool  # rdf:type itself has no subproperty, domain, range or inverse (the usual case)

    @classmethod
    def of(cls, schema: Schema) -> Tables:
        def reverse(table: dict[Term, frozenset[Term]]) -> dict[Term, frozenset[Term]]:
            found: dict[Term, set[Term]] = {}
            for key, values in table.items():
                for value in values:
                    found.setdefault(value, set()).add(key)
            return {k: frozenset(v) for k, v in found.items()}

        predicates = (
            set(schema.superproperties) | set(schema.domains) | set(schema.ranges) | set(schema.inverses)
            | set(schema.symmetric)
        )
        node_expansions = {p: expansion(schema, p, True) for p in predicates}
        literal_expansions = {p: expansion(schema, p, False) for p in predicates}
        return cls(
            schema=schema,
            node_expansions={
                p: e for p, e in node_expansions.items() if e.triples or e.subject_types or e.object_types
            },
            literal_expansions={p: e for p, e in literal_expansions.items() if e.triples or e.subject_types},
            join_predicates=frozenset(
                schema.transitive | schema.functional | schema.inverse_functional | set(schema.chain_positions())
            ),
            clash_predicates=frozenset(
                schema.irreflexive | schema.asymmetric | set(schema.disjoint_properties) | schema.functional
                | {SAME_AS, DIFFERENT_FROM}
            ),
            clash_classes=frozenset(set(schema.disjoint_classes) | {NOTHING}),
            chain_positions=schema.chain_positions(),
            subclasses=schema.subclasses(),
            subproperties=schema.subproperties(),
            domain_of=reverse(schema.domains),
            range_of=reverse(schema.ranges),
            types_closed=TYPE not in node_expansions or not (
                node_expansions[TYPE].triples or node_expansions[TYPE].subject_types
                or node_expansions[TYPE].object_types
            ),
        )


def chain_ends(facts: Facts, chain: tuple[Term, ...], i: int, s: Term, o: Term) -> Iterator[tuple[Term, Term]]:
    """(x, z) such that x chain[0] … chain[i-1] s and o chain[i+1] … chain[-1] z."""
    lefts = {s}
    for prop in reversed(chain[:i]):
        lefts = {x for node in lefts for x in facts.subjects(prop, node)}
        if not lefts:
            return
    rights = {o}
    for prop in chain[i + 1 :]:
        rights = {z for node in rights if is_node(node) for z in facts.objects(node, prop)}
        if not rights:
            return
    for x in lefts:
        for z in rights:
            yield x, z


def consequences(
    t: Triple, facts: Facts, tables: Tables, expanded: bool = False
) -> Iterator[tuple[str, Triple, bool]]:
    """What ``t`` entails together with ``facts`` (forward chaining), as (rule, triple, expanded) where
    ``expanded`` says the triple's own single-premise consequences are already among those yielded. With
    ``expanded`` (t came out of an expansion) only the join rules are applied."""
    s, p, o = t
    node = is_node(o)
    if not expanded:
        closed = tables.types_closed
        if p == TYPE:
            for c in tables.schema.superclasses.get(o, ()):
                yield CAX_SCO, (s, TYPE, c), closed
        plan = (tables.node_expansions if node else tables.literal_expansions).get(p)
        if plan is not None:
            for rule, q, flipped in plan.triples:
                yield rule, ((o, q, s) if flipped else (s, q, o)), True
            for rule, c in plan.subject_types:
                yield rule, (s, TYPE, c), closed
            for rule, c in plan.object_types:
                yield rule, (o, TYPE, c), closed
    if p in tables.join_predicates:
        for rule, c in joins(t, facts, tables):
            yield rule, c, False
    if facts.has_same_as:
        for rule, c in equality_consequences(t, facts):
            yield rule, c, False


def joins(t: Triple, facts: Facts, tables: Tables) -> Iterator[tuple[str, Triple]]:
    """The rules with two or more instance premises: transitivity, chains, (inverse-)functional properties."""
    schema = tables.schema
    s, p, o = t
    node = is_node(o)
    if p in schema.transitive:
        if node:
            for z in facts.objects(o, p):
                yield PRP_TRP, (s, p, z)
        for w in facts.subjects(p, s):
            yield PRP_TRP, (w, p, o)
    for prop, chain, i in tables.chain_positions.get(p, ()):
        for x, z in chain_ends(facts, chain, i, s, o):
            yield PRP_SPO2, (x, prop, z)
    if node and p in schema.functional:
        for y in facts.objects(s, p):
            if y != o and is_node(y):
                yield PRP_FP, (o, SAME_AS, y)
                yield PRP_FP, (y, SAME_AS, o)
    if p in schema.inverse_functional:
        for x in facts.subjects(p, o):
            if x != s:
                yield PRP_IFP, (s, SAME_AS, x)
                yield PRP_IFP, (x, SAME_AS, s)


def equality_consequences(t: Triple, facts: Facts) -> Iterator[tuple[str, Triple]]:
    s, p, o = t
    if p == SAME_AS and is_node(o) and s != o:
        yield EQ_SYM, (o, SAME_AS, s)
        for z in facts.objects(o, SAME_AS):
            yield EQ_TRANS, (s, SAME_AS, z)
        for w in facts.subjects(SAME_AS, s):
            yield EQ_TRANS, (w, SAME_AS, o)
        for _s, pp, oo in facts.about(s):
            yield EQ_REP_S, (o, pp, oo)
        if is_iri(o):
            for ss, _p, oo in facts.with_predicate(s):
                yield EQ_REP_P, (ss, o, oo)
        for ss, pp, _o in facts.pointing_to(s):
            yield EQ_REP_O, (ss, pp, o)
    for s2 in facts.objects(s, SAME_AS):
        if s2 != s and is_node(s2):
            yield EQ_REP_S, (s2, p, o)
    for p2 in facts.objects(p, SAME_AS):
        if p2 != p and is_iri(p2):
            yield EQ_REP_P, (s, p2, o)
    if is_node(o):
        for o2 in facts.objects(o, SAME_AS):
            if o2 != o:
                yield EQ_REP_O, (s, p, o2)


def clashes(t: Triple, facts: Facts, tables: Tables) -> Iterator[str]:
    """Inconsistencies ``t`` reveals with ``facts`` (cax-dw, cax-adc, cls-nothing2, prp-irp, prp-asyp, prp-pdw,
    eq-diff1, and two literal values of a functional property). A clash between two triples is found when the
    second one is processed, and worded the same whichever it is (callers keep each message once)."""
    schema = tables.schema
    s, p, o = t
    if p == TYPE:
        if o == NOTHING:
            yield f"cls-nothing2: {s} is an owl:Nothing"
        for d in schema.disjoint_classes.get(o, ()):
            if (s, TYPE, d) in facts:
                a, b = sorted((o, d))
                yield f"cax-dw: {s} is both {a} and {b}, which are disjoint"
    if p in schema.irreflexive and s == o:
        yield f"prp-irp: {s} {p} itself, {p} is irreflexive"
    if p in schema.asymmetric and (o, p, s) in facts:
        a, b = sorted((s, o))
        yield f"prp-asyp: {a} {p} {b} and back, {p} is asymmetric"
    for q in schema.disjoint_properties.get(p, ()):
        if (s, q, o) in facts:
            a, b = sorted((p, q))
            yield f"prp-pdw: {s} {a} {o} and {s} {b} {o}, {a} and {b} are disjoint"
    other = {SAME_AS: DIFFERENT_FROM, DIFFERENT_FROM: SAME_AS}.get(p)
    if other and ((s, other, o) in facts or (o, other, s) in facts):
        a, b = sorted((s, o))
        yield f"eq-diff1: {a} is both owl:sameAs and owl:differentFrom {b}"
    if is_literal(o) and p in schema.functional:
        for y in facts.objects(s, p):
            if is_literal(y) and y != o:
                a, b = sorted((o, y))
                yield f"prp-fp: {s} has two values of the functional property {p}: {a} and {b}"


@dataclass(frozen=True)
class Derivation:
    """One way a triple is entailed: a rule, its instance premises, and the schema triples it relies on."""

    rule: str
    premises: tuple[Triple, ...]
    schema: tuple[Triple, ...] = ()


def derivations(t: Triple, facts: Facts, tables: Tables) -> Iterator[Derivation]:
    """The one-step proofs of ``t`` from ``facts`` (backward chaining, one step)."""
    schema = tables.schema
    s, p, o = t
    if p == TYPE:
        for c0 in facts.objects(s, TYPE):
            if o in schema.superclasses.get(c0, ()):
                yield Derivation(CAX_SCO, ((s, TYPE, c0),), ((c0, SUBCLASS, o),))
        for p0 in tables.domain_of.get(o, ()):
            for y in facts.objects(s, p0):
                yield Derivation(PRP_DOM, ((s, p0, y),), ((p0, DOMAIN, o),))
                break
        for p0 in tables.range_of.get(o, ()):
            for x in facts.subjects(p0, s):
                yield Derivation(PRP_RNG, ((x, p0, s),), ((p0, RANGE, o),))
                break
    for p0 in tables.subproperties.get(p, ()):
        if (s, p0, o) in facts:
            yield Derivation(PRP_SPO1, ((s, p0, o),), ((p0, SUBPROPERTY, p),))
    if is_node(o):
        for q in schema.inverses.get(p, ()):
            if (o, q, s) in facts:
                axiom = (p, INVERSE_OF, q) if (p, INVERSE_OF, q) in schema.closure else (q, INVERSE_OF, p)
                yield Derivation(PRP_INV, ((o, q, s),), (axiom,))
        if p in schema.symmetric and (o, p, s) in facts:
            yield Derivation(PRP_SYMP, ((o, p, s),))
    if p in schema.transitive:
        for y in facts.objects(s, p):
            if y != o and (y, p, o) in facts:
                yield Derivation(PRP_TRP, ((s, p, y), (y, p, o)))
    for chain in schema.chains.get(p, ()):
        for path in chain_paths(facts, chain, s, o):
            yield Derivation(PRP_SPO2, path, ((p, CHAIN, schema.chain_heads[p]),))
    if p == SAME_AS:
        yield from same_as_derivations(t, facts, tables)
    if facts.has_same_as:
        yield from replacement_derivations(t, facts)


def chain_paths(facts: Facts, chain: tuple[Term, ...], s: Term, o: Term) -> Iterator[tuple[Triple, ...]]:
    """Every path s chain[0] … chain[-1] o, as its triples."""
    paths: list[tuple[Term, tuple[Triple, ...]]] = [(s, ())]
    for i, prop in enumerate(chain):
        last = i == len(chain) - 1
        paths = [
            (z, (*path, (node, prop, z)))
            for node, path in paths
            if is_node(node)
            for z in facts.objects(node, prop)
            if not last or z == o
        ]
    for _end, path in paths:
        yield path


def same_as_derivations(t: Triple, facts: Facts, tables: Tables) -> Iterator[Derivation]:
    schema = tables.schema
    s, _p, o = t
    if (o, SAME_AS, s) in facts:
        yield Derivation(EQ_SYM, ((o, SAME_AS, s),))
    for y in facts.objects(s, SAME_AS):
        if y not in (s, o) and (y, SAME_AS, o) in facts:
            yield Derivation(EQ_TRANS, ((s, SAME_AS, y), (y, SAME_AS, o)))
    for fp in schema.functional:
        for x in facts.subjects(fp, s):
            if (x, fp, o) in facts:
                yield Derivation(PRP_FP, ((x, fp, s), (x, fp, o)), ((fp, TYPE, FUNCTIONAL),))
    for ifp in schema.inverse_functional:
        for y in facts.objects(s, ifp):
            if (o, ifp, y) in facts:
                yield Derivation(PRP_IFP, ((s, ifp, y), (o, ifp, y)), ((ifp, TYPE, INVERSE_FUNCTIONAL),))


def replacement_derivations(t: Triple, facts: Facts) -> Iterator[Derivation]:
    s, p, o = t
    for s0 in facts.subjects(SAME_AS, s):
        if s0 != s and (s0, p, o) in facts:
            yield Derivation(EQ_REP_S, ((s0, SAME_AS, s), (s0, p, o)))
    for p0 in facts.subjects(SAME_AS, p):
        if p0 != p and (s, p0, o) in facts:
            yield Derivation(EQ_REP_P, ((p0, SAME_AS, p), (s, p0, o)))
    if is_node(o):
        for o0 in facts.subjects(SAME_AS, o):
            if o0 != o and (s, p, o0) in facts:
                yield Derivation(EQ_REP_O, ((o0, SAME_AS, o), (s, p, o0)))
