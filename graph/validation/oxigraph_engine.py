"""The fast engine: every rule compiled to SPARQL and run by pyoxigraph over the whole dataset at once.

Each query returns only offending (focus node, value) pairs, so a rule costs one query whatever the number of
focus nodes. Only the SHACL features the shapes use are compiled (see ``shapes.VALUE_PARAMETERS`` and
``FOCUS_PARAMETERS``); ``tests/test_validation_engines.py`` shows this engine gives the same results as pySHACL
on every fixture of tests/shapes/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from graph.validation.datatypes import checked_datatype, lexical_regex, well_formed
from graph.validation.findings import Finding
from graph.validation.shapes import Rule, ShapeSet

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
SH = "http://www.w3.org/ns/shacl#"
NODE_KIND_FILTERS = {
    "IRI": "!isIRI(?v)",
    "Literal": "!isLiteral(?v)",
    "BlankNode": "!isBlank(?v)",
    "BlankNodeOrIRI": "isLiteral(?v)",
    "IRIOrLiteral": "isBlank(?v)",
    "BlankNodeOrLiteral": "isIRI(?v)",
}
COMPARISONS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}


@dataclass(frozen=True)
class CompiledQuery:
    """One SELECT ?this [?v] query of a rule; ``datatype`` asks for a lexical check of the ?v literals."""

    rule_iri: str
    sparql: str
    has_value: bool
    datatype: str | None = None


@dataclass(frozen=True)
class QueryTarget:
    """Where the compiled queries run: a pyoxigraph store and its default graph (None = union of all)."""

    store: ox.Store
    default_graph: list[ox.NamedNode | ox.DefaultGraph] | None = None

    def select(self, sparql: str) -> ox.QuerySolutions:
        if self.default_graph is None:
            return self.store.query(sparql, use_default_graph_as_union=True)
        return self.store.query(sparql, default_graph=self.default_graph)


def term_sparql(term: rdflib.term.Node) -> str:
    """An rdflib term written in SPARQL syntax."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    raise ValueError(f"blank nodes cannot be written in a query: {term!r}")


def focus_pattern(rule: Rule) -> str:
    """A group pattern binding ?this to the rule's focus nodes."""
    branches: list[str] = []
    for target in rule.targets:
        if target.kind == "class":
            branches.append(f"?this {RDF_TYPE}/{SUBCLASS}* <{target.value}> .")
        elif target.kind == "node":
            branches.append(f"VALUES ?this {{ <{target.value}> }}")
        elif target.kind == "subjectsOf":
            branches.append(f"?this <{target.value}> ?_target .")
        elif target.kind == "objectsOf":
            branches.append(f"?_target <{target.value}> ?this .")
        else:
            branches.append(pre_bound(target.value))
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def pre_bound(select: str) -> str:
    """A rule's SELECT with $this written as ?this (the fast engine binds it by joining with the targets)."""
    return re.sub(r"\$this\b", "?this", select)


def value_pattern(rule: Rule) -> str:
    return f"?this {rule.path} ?v ." if rule.path else "BIND(?this AS ?v)"


def compile_rule(rule: Rule, prologue: str, subclasses: dict[str, str]) -> list[CompiledQuery]:
    """The queries that find every offender of one rule (``subclasses``: class IRI -> its subclasses in SPARQL)."""
    focus = focus_pattern(rule)
    values = value_pattern(rule)
    queries: list[CompiledQuery] = []

    def value_query(condition: str, datatype: str | None = None) -> None:
        sparql = f"{prologue}SELECT DISTINCT ?this ?v WHERE {{ {focus} {values} FILTER({condition}) }}"
        queries.append(CompiledQuery(rule.iri, sparql, True, datatype))

    def focus_query(body: str, tail: str = "") -> None:
        sparql = f"{prologue}SELECT DISTINCT ?this WHERE {{ {focus} {body} }} {tail}"
        queries.append(CompiledQuery(rule.iri, sparql, False))

    for name, param in rule.constraints:
        if name == "class":
            value_query(f"NOT EXISTS {{ ?v {RDF_TYPE} ?_type . VALUES ?_type {{ {subclasses[str(param)]} }} }}")
        elif name == "datatype":
            datatype = str(param)
            regex = lexical_regex(datatype)
            if regex is not None:
                lexical = rdflib.Literal(regex).n3()
                value_query(f"!isLiteral(?v) || DATATYPE(?v) != <{datatype}> || !REGEX(STR(?v), {lexical})")
            elif checked_datatype(datatype):  # xsd:date: every value is fetched and checked in Python
                value_query(f"!isLiteral(?v) || DATATYPE(?v) != <{datatype}> || DATATYPE(?v) = <{datatype}>", datatype)
            else:
                value_query(f"!isLiteral(?v) || DATATYPE(?v) != <{datatype}>")
        elif name == "nodeKind":
            value_query(NODE_KIND_FILTERS[str(param)[len(SH) :]])
        elif name == "in":
            members = " || ".join(f"sameTerm(?v, {term_sparql(m)})" for m in param) or "false"
            value_query(f"!({members})")
        elif name == "pattern":
            flags = f", {rdflib.Literal(rule.flags).n3()}" if rule.flags else ""
            value_query(f"isBlank(?v) || !REGEX(STR(?v), {rdflib.Literal(str(param)).n3()}{flags})")
        elif name in COMPARISONS:
            value_query(f"!COALESCE(?v {COMPARISONS[name]} {term_sparql(param)}, false)")
        elif name == "languageIn":
            langs = " || ".join(f'langMatches(LANG(?v), "{lang}")' for lang in param) or "false"
            value_query(f"!isLiteral(?v) || !({langs})")
        elif name in ("minLength", "maxLength"):
            op = "<" if name == "minLength" else ">"
            value_query(f"isBlank(?v) || STRLEN(STR(?v)) {op} {int(param)}")
        elif name == "minCount":
            focus_query(f"OPTIONAL {{ {values} }}", f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(param)})")
        elif name == "maxCount":
            focus_query(values, f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(param)})")
        elif name == "hasValue":
            if rule.path:
                focus_query(f"FILTER NOT EXISTS {{ ?this {rule.path} {term_sparql(param)} }}")
            else:
                focus_query(f"FILTER(!sameTerm(?this, {term_sparql(param)}))")
        elif name == "uniqueLang" and bool(param.toPython()):
            focus_query(
                f'?this {rule.path} ?a . FILTER(LANG(?a) != "")',
                "GROUP BY ?this (LCASE(LANG(?a)) AS ?_lang) HAVING (COUNT(DISTINCT ?a) > 1)",
            )
    for select in rule.sparql:
        sparql = f"{prologue}SELECT DISTINCT ?this ?v WHERE {{ {focus} {{ {pre_bound(select)} }} BIND(?value AS ?v) }}"
        queries.append(CompiledQuery(rule.iri, sparql, True))
    return queries


def class_closures(target: QueryTarget, shapes: ShapeSet) -> dict[str, str]:
    """For every class an sh:class names, the class and its subclasses in the dataset, as a SPARQL VALUES list
    (computed once, so a class check does not walk rdfs:subClassOf for every value)."""
    closures: dict[str, str] = {}
    for rule in shapes.rules.values():
        for name, param in rule.constraints:
            if name == "class" and str(param) not in closures:
                query = f"SELECT DISTINCT ?c WHERE {{ ?c {SUBCLASS}* <{param}> }}"
                found = {str(sol["c"]) for sol in target.select(query)} | {f"<{param}>"}
                closures[str(param)] = " ".join(sorted(found))
    return closures


def compile_shapes(shapes: ShapeSet, subclasses: dict[str, str]) -> list[CompiledQuery]:
    prologue = shapes.sparql_prologue()
    return [q for rule in shapes.rules.values() for q in compile_rule(rule, prologue, subclasses)]


def run_query(target: QueryTarget, query: CompiledQuery) -> Iterator[Finding]:
    for solution in target.select(query.sparql):
        value = solution["v"] if query.has_value else None
        typed = query.datatype and isinstance(value, ox.Literal) and value.datatype.value == query.datatype
        if typed and well_formed(value.value, query.datatype):
            continue
        yield Finding(query.rule_iri, solution["this"], value)


def validate(target: QueryTarget, shapes: ShapeSet, workers: int = 2) -> list[Finding]:
    """Every finding of every rule over the target's dataset (queries run on ``workers`` threads: pyoxigraph
    evaluates them outside the GIL)."""
    queries = compile_shapes(shapes, class_closures(target, shapes))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        batches = list(pool.map(lambda q: list(run_query(target, q)), queries))
    return sorted({f for batch in batches for f in batch}, key=Finding.key)
