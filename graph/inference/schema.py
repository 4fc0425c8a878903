"""The ontology part of the data (TBox), closed by owlrl, compiled into lookup tables for the instance rules.

Schema triples are found by what they say, wherever they are stored: a triple whose predicate is schema vocabulary
(``rdfs:subClassOf``, ``owl:inverseOf``, ``owl:propertyChainAxiom``…), a typing as a class or a kind of property
(``owl:TransitiveProperty``…), and the RDF lists these point to. owlrl computes their OWL 2 RL closure (the
``scm-*`` rules: transitive hierarchies, equivalences as two-way subsumptions, domains and ranges inherited along
both hierarchies); a few hundred triples, well under a second. The closed hierarchy is then turned into tables
(super-classes of each class, super-properties, domains, ranges, inverses, chains…) that the instance rules of
``graph.inference.rules`` apply to the data in bulk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import owlrl
import rdflib

from graph.inference.terms import to_nt, to_term
from graph.inference.vocabulary import (
    ALL_DISJOINT_CLASSES,
    ASYMMETRIC,
    CHAIN,
    DISJOINT_WITH,
    DOMAIN,
    EQUIVALENT_CLASS,
    EQUIVALENT_PROPERTY,
    FIRST,
    FUNCTIONAL,
    INVERSE_FUNCTIONAL,
    INVERSE_OF,
    IRREFLEXIVE,
    LIST_PREDICATES,
    MEMBERS,
    NIL,
    PROPERTY_DISJOINT_WITH,
    RANGE,
    REST,
    SAME_AS,
    SCHEMA_CLASSES,
    SCHEMA_PREDICATES,
    SUBCLASS,
    SUBPROPERTY,
    SYMMETRIC,
    THING,
    TRANSITIVE,
    TYPE,
    UNSUPPORTED,
    Term,
    Triple,
    is_builtin,
    is_iri,
    is_literal,
)
from graph.terms import to_oxigraph, to_rdflib

Match = Callable[[Term | None, Term | None, Term | None], Iterable[Triple]]
REFLEXIVE_TRIVIAL = frozenset([SAME_AS, SUBCLASS, SUBPROPERTY, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY])


class UnsupportedConstructError(ValueError):
    """The ontology uses an OWL construct whose OWL 2 RL rules this engine does not implement."""


def is_trivial(triple: Triple) -> bool:
    """Entailments left out of ``qkg:inferred`` (docs/inference.md, "What is left out"): triples with a literal
    subject or a non-IRI predicate (generalised RDF), reflexive sameAs/subsumption/equivalence, triples about the
    built-in RDF/RDFS/OWL/XSD vocabularies, and owl:Thing as an object."""
    s, p, o = triple
    if is_literal(s) or not is_iri(p):
        return True
    if s == o and p in REFLEXIVE_TRIVIAL:
        return True
    return is_builtin(s) or o == THING


def rdf_list(match: Match, head: Term) -> list[Term]:
    """The members of an RDF list (stops on a malformed or cyclic list)."""
    items: list[Term] = []
    seen: set[Term] = set()
    node = head
    while node != NIL and node not in seen:
        seen.add(node)
        firsts = [t[2] for t in match(node, FIRST, None)]
        rests = [t[2] for t in match(node, REST, None)]
        if len(firsts) != 1 or len(rests) != 1:
            break
        items.append(firsts[0])
        node = rests[0]
    return items


def list_triples(match: Match, head: Term) -> list[Triple]:
    found: list[Triple] = []
    seen: set[Term] = set()
    node = head
    while node != NIL and node not in seen and not is_literal(node):
        seen.add(node)
        step = [*match(node, FIRST, None), *match(node, REST, None)]
        if not step:
            break
        found.extend(step)
        node = next((t[2] for t in step if t[1] == REST), NIL)
    return found


def schema_triples(match: Match) -> set[Triple]:
    """Every schema triple of the data: schema predicates, typings as class/property kinds, and their lists."""
    found: set[Triple] = set()
    for predicate in SCHEMA_PREDICATES:
        found.update(match(None, predicate, None))
    for cls in SCHEMA_CLASSES:
        found.update(match(None, TYPE, cls))
    heads = [t[2] for t in found if t[1] in LIST_PREDICATES]
    for head in heads:
        found.update(list_triples(match, head))
    return found


def is_schema_triple(triple: Triple, list_nodes: frozenset[Term]) -> bool:
    _s, p, o = triple
    return p in SCHEMA_PREDICATES or (p == TYPE and o in SCHEMA_CLASSES) or (p in (FIRST, REST) and _s in list_nodes)


def owlrl_closure(triples: set[Triple]) -> set[Triple]:
    """The OWL 2 RL closure of a (small) set of triples computed by owlrl, trivial triples left out."""
    graph = rdflib.Graph()
    for s, p, o in triples:
        graph.add((to_rdflib(to_term(s)), to_rdflib(to_term(p)), to_rdflib(to_term(o))))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    closed: set[Triple] = set()
    for s, p, o in graph:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            continue
        if str(p) == str(owlrl.Namespaces.ERRNS.error) or o == owlrl.Namespaces.ERRNS.ErrorMessage:
            continue
        triple = (to_nt(to_oxigraph(s)), to_nt(to_oxigraph(p)), to_nt(to_oxigraph(o)))
        if triple in triples or not is_trivial(triple):
            closed.add(triple)
    return closed


def _pairs(triples: Iterable[Triple], predicate: Term) -> list[tuple[Term, Term]]:
    return [(s, o) for s, p, o in triples if p == predicate]


def _table(pairs: Iterable[tuple[Term, Term]], skip_reflexive: bool = True) -> dict[Term, frozenset[Term]]:
    table: dict[Term, set[Term]] = {}
    for a, b in pairs:
        if (skip_reflexive and a == b) or b == THING:
            continue
        table.setdefault(a, set()).add(b)
    return {k: frozenset(v) for k, v in table.items()}


def _reverse(table: dict[Term, frozenset[Term]]) -> dict[Term, frozenset[Term]]:
    return _table((b, a) for a, values in table.items() for b in values)


@dataclass(frozen=True)
class Schema:
    """The closed ontology as lookup tables (every table maps a term to a frozenset of terms)."""

    asserted: frozenset[Triple]
    closure: frozenset[Triple]
    superclasses: dict[Term, frozenset[Term]]
    superproperties: dict[Term, frozenset[Term]]
    domains: dict[Term, frozenset[Term]]
    ranges: dict[Term, frozenset[Term]]
    inverses: dict[Term, frozenset[Term]]
    chains: dict[Term, tuple[tuple[Term, ...], ...]]
    symmetric: frozenset[Term]
    transitive: frozenset[Term]
    functional: frozenset[Term]
    inverse_functional: frozenset[Term]
    asymmetric: frozenset[Term]
    irreflexive: frozenset[Term]
    disjoint_classes: dict[Term, frozenset[Term]]
    disjoint_properties: dict[Term, frozenset[Term]]
    list_nodes: frozenset[Term]
    chain_heads: dict[Term, Term] = field(default_factory=dict)  # property → the list node of its chain axiom

    @property
    def inferred(self) -> frozenset[Triple]:
        """Schema triples entailed but not asserted."""
        return self.closure - self.asserted

    @property
    def digest(self) -> str:
        lines = sorted(f"{s} {p} {o}" for s, p, o in self.asserted)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def chain_positions(self) -> dict[Term, tuple[tuple[Term, tuple[Term, ...], int], ...]]:
        found: dict[Term, list[tuple[Term, tuple[Term, ...], int]]] = {}
        for prop, chains in self.chains.items():
            for chain in chains:
                for i, member in enumerate(chain):
                    found.setdefault(member, []).append((prop, chain, i))
        return {k: tuple(v) for k, v in found.items()}

    def join_predicates(self) -> frozenset[Term]:
        """Predicates the rules join on (they get an index in memory)."""
        members = {m for chains in self.chains.values() for chain in chains for m in chain}
        return frozenset(
            members | self.transitive | self.functional | self.inverse_functional | self.asymmetric
            | set(self.disjoint_properties) | {SAME_AS}
        )

    def subclasses(self) -> dict[Term, frozenset[Term]]:
        return _reverse(self.superclasses)

    def subproperties(self) -> dict[Term, frozenset[Term]]:
        return _reverse(self.superproperties)


def check_supported(closure: Iterable[Triple]) -> None:
    for s, p, o in closure:
        rule = UNSUPPORTED.get(p) or (UNSUPPORTED.get(o) if p == TYPE else None)
        if rule:
            construct = o if p == TYPE else p
            raise UnsupportedConstructError(
                f"{s} uses {construct}: its OWL 2 RL rules ({rule}) are not implemented by graph.inference "
                "(see docs/inference.md)"
            )


def compile_schema(asserted: set[Triple]) -> Schema:
    """Close the schema triples with owlrl and turn them into lookup tables (the same schema twice in a process,
    as in a build followed by writes, is compiled once)."""
    return _compile(frozenset(asserted))


@lru_cache(maxsize=8)
def _compile(asserted: frozenset[Triple]) -> Schema:
    closure = owlrl_closure(set(asserted))
    check_supported(closure)
    memory = {(s, p): [] for s, p, _o in closure}  # type: dict[tuple[Term, Term], list[Triple]]
    for t in closure:
        memory[(t[0], t[1])].append(t)

    def match(s: Term | None, p: Term | None, o: Term | None) -> list[Triple]:
        assert s is not None and p is not None and o is None
        return memory.get((s, p), [])

    def typed(cls: Term) -> frozenset[Term]:
        return frozenset(s for s, p, o in closure if p == TYPE and o == cls)

    chains: dict[Term, list[tuple[Term, ...]]] = {}
    chain_heads: dict[Term, Term] = {}
    for prop, head in _pairs(closure, CHAIN):
        members = tuple(rdf_list(match, head))
        if members:
            chains.setdefault(prop, []).append(members)
            chain_heads[prop] = head
    inverse_pairs = _pairs(closure, INVERSE_OF)
    disjoint = _pairs(closure, DISJOINT_WITH)
    for node in typed(ALL_DISJOINT_CLASSES):
        for head in [t[2] for t in match(node, MEMBERS, None)]:
            classes = rdf_list(match, head)
            disjoint += [(a, b) for a in classes for b in classes if a != b]
    property_disjoint = _pairs(closure, PROPERTY_DISJOINT_WITH)
    list_nodes = {s for s, p, _o in closure if p in (FIRST, REST)}
    return Schema(
        asserted=frozenset(asserted),
        closure=frozenset(closure),
        superclasses=_table(_pairs(closure, SUBCLASS)),
        superproperties=_table(_pairs(closure, SUBPROPERTY)),
        domains=_table(_pairs(closure, DOMAIN), skip_reflexive=False),
        ranges=_table(_pairs(closure, RANGE), skip_reflexive=False),
        inverses=_table([*inverse_pairs, *((b, a) for a, b in inverse_pairs)], skip_reflexive=False),
        chains={k: tuple(v) for k, v in chains.items()},
        symmetric=typed(SYMMETRIC),
        transitive=typed(TRANSITIVE),
        functional=typed(FUNCTIONAL),
        inverse_functional=typed(INVERSE_FUNCTIONAL),
        asymmetric=typed(ASYMMETRIC),
        irreflexive=typed(IRREFLEXIVE),
        disjoint_classes=_table([*disjoint, *((b, a) for a, b in disjoint)]),
        disjoint_properties=_table([*property_disjoint, *((b, a) for a, b in property_disjoint)]),
        list_nodes=frozenset(list_nodes),
        chain_heads=chain_heads,
    )


def schema_of(match: Match) -> Schema:
    return compile_schema(schema_triples(match))
