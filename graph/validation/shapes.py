"""The project's shapes: where they are, how they are read, and what each rule says.

Every rule is one top-level shape whose IRI is ``qks:CDV-<AREA>-<NNN>`` (``qks:`` =
``https://w3id.org/quartiers/shapes#``), with its own targets, ``sh:severity`` and ``sh:message`` in French and
English. A rule is either a property shape (core constraints on one path) or a node shape (core constraints on
the focus node, or one SHACL-SPARQL ``sh:sparql`` constraint). Nested property shapes are not used, so a
result's ``sh:sourceShape`` is always the rule itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from graph.layout import resource_dir

QKS = "https://w3id.org/quartiers/shapes#"
SHAPES_ONTOLOGY = "https://w3id.org/quartiers/shapes"
SEVERITIES = ("Info", "Warning", "Violation")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

# core constraint parameters the fast engine compiles (anything else in a rule is refused at load time)
VALUE_PARAMETERS = (
    "class",
    "datatype",
    "nodeKind",
    "in",
    "pattern",
    "minInclusive",
    "minExclusive",
    "maxInclusive",
    "maxExclusive",
    "languageIn",
    "minLength",
    "maxLength",
)
FOCUS_PARAMETERS = ("minCount", "maxCount", "uniqueLang", "hasValue")
IGNORED_PREDICATES = {
    "message",
    "severity",
    "path",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "target",
    "sparql",
    "flags",
    "name",
    "description",
    "deactivated",
    "order",
    "group",
}


@dataclass(frozen=True)
class Target:
    """One target of a rule: kind is class, node, subjectsOf, objectsOf or sparql (a SELECT ?this query)."""

    kind: str
    value: str


@dataclass(frozen=True)
class Rule:
    """One shape of shapes/: its id, severity, messages, targets, path and constraints."""

    iri: str
    rule_id: str
    severity: str
    messages: dict[str, str]
    targets: tuple[Target, ...]
    path: str | None = None  # SPARQL property path (full IRIs), None for node shapes
    path_turtle: str | None = None  # the same path as Turtle (for sh:resultPath)
    constraints: tuple[tuple[str, object], ...] = ()  # (parameter local name, value)
    sparql: tuple[str, ...] = ()  # sh:select texts of SPARQL constraints ($this pre-bound)
    flags: str = ""


@dataclass
class ShapeSet:
    """The shapes graph (rdflib, for pySHACL) and the rules read from it (for reports and the fast engine)."""

    graph: rdflib.Graph
    rules: dict[str, Rule] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)

    def rule(self, shape_iri: str) -> Rule | None:
        return self.rules.get(shape_iri)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules.values():
            if rule.rule_id == rule_id:
                return rule
        raise KeyError(rule_id)

    def sparql_prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))


class ShapeError(ValueError):
    """A shape uses something the project's rule conventions do not allow."""


def shape_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or resource_dir("shapes")).rglob("*.ttl"))


@cache
def _load_default() -> ShapeSet:
    return read_shapes(shape_files())


def load_shapes(paths: list[Path] | None = None) -> ShapeSet:
    """The shapes of shapes/ (read once per process), or of the given files."""
    return _load_default() if paths is None else read_shapes(paths)


def read_shapes(paths: list[Path]) -> ShapeSet:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    shapes = ShapeSet(graph=graph, prefixes=declared_prefixes(graph))
    for subject in sorted(set(graph.subjects(SH.severity, None)) | set(graph.subjects(SH.message, None))):
        if isinstance(subject, rdflib.URIRef) and str(subject).startswith(QKS):
            shapes.rules[str(subject)] = read_rule(graph, subject)
    return shapes


def declared_prefixes(graph: rdflib.Graph) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for decl in graph.objects(None, SH.declare):
        prefix = graph.value(decl, SH.prefix)
        namespace = graph.value(decl, SH.namespace)
        if prefix is not None and namespace is not None:
            prefixes[str(prefix)] = str(namespace)
    return prefixes


def read_rule(graph: rdflib.Graph, shape: rdflib.URIRef) -> Rule:
    rule_id = str(shape)[len(QKS) :]
    severity_node = graph.value(shape, SH.severity) or SH.Violation
    severity = str(severity_node)[len(str(SH)) :]
    messages = {m.language or "": str(m) for m in graph.objects(shape, SH.message) if isinstance(m, rdflib.Literal)}
    if severity not in SEVERITIES or set(messages) != {"fr", "en"}:
        raise ShapeError(f"{rule_id}: needs sh:severity and one sh:message @fr and one @en")
    path_node = graph.value(shape, SH.path)
    constraints: list[tuple[str, object]] = []
    for predicate, value in sorted(graph.predicate_objects(shape)):
        if not str(predicate).startswith(str(SH)):
            continue
        name = str(predicate)[len(str(SH)) :]
        if name in IGNORED_PREDICATES:
            continue
        if name not in VALUE_PARAMETERS and name not in FOCUS_PARAMETERS:
            raise ShapeError(f"{rule_id}: sh:{name} is not supported by the project's engines")
        constraints.append((name, list(Collection(graph, value)) if name in ("in", "languageIn") else value))
    sparql = tuple(str(graph.value(c, SH.select)) for c in graph.objects(shape, SH.sparql))
    return Rule(
        iri=str(shape),
        rule_id=rule_id,
        severity=severity,
        messages=messages,
        targets=tuple(read_targets(graph, shape)),
        path=sparql_path(graph, path_node) if path_node is not None else None,
        path_turtle=turtle_path(graph, path_node) if path_node is not None else None,
        constraints=tuple(constraints),
        sparql=sparql,
        flags=str(graph.value(shape, SH.flags) or ""),
    )


def read_targets(graph: rdflib.Graph, shape: rdflib.URIRef) -> list[Target]:
    targets = [Target("class", str(c)) for c in graph.objects(shape, SH.targetClass)]
    targets += [Target("node", str(n)) for n in graph.objects(shape, SH.targetNode)]
    targets += [Target("subjectsOf", str(p)) for p in graph.objects(shape, SH.targetSubjectsOf)]
    targets += [Target("objectsOf", str(p)) for p in graph.objects(shape, SH.targetObjectsOf)]
    for target in graph.objects(shape, SH.target):
        if (target, RDF.type, SH.SPARQLTarget) not in graph:
            raise ShapeError(f"{shape}: only sh:SPARQLTarget custom targets are supported")
        targets.append(Target("sparql", str(graph.value(target, SH.select))))
    return sorted(targets, key=lambda t: (t.kind, t.value))


def sparql_path(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL path node as a SPARQL property path with full IRIs."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^({sparql_path(graph, inverse)})"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(graph, n) for n in Collection(graph, alternatives)) + ")"
    for modifier, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, modifier)
        if inner is not None:
            return f"({sparql_path(graph, inner)}){suffix}"
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(sparql_path(graph, n) for n in Collection(graph, node)) + ")"
    raise ShapeError(f"unsupported SHACL path {node!r}")


def turtle_path(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL path node written as Turtle (an IRI, a list or a blank node)."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    for keyword in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        inner = graph.value(node, SH[keyword])
        if inner is not None:
            return f"[ <{SH[keyword]}> {turtle_path(graph, inner)} ]"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        members = " ".join(turtle_path(graph, n) for n in Collection(graph, alternatives))
        return f"[ <{SH.alternativePath}> ( {members} ) ]"
    return "( " + " ".join(turtle_path(graph, n) for n in Collection(graph, node)) + " )"
