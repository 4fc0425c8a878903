"""What is validated: a pyoxigraph dataset (data + the reference data the rules need) and the focus scope.

* the whole store: every graph, every focus node;
* some named graphs: their content and its neighbourhood in the other graphs (the whole store for very big
  graphs); only results about nodes that occur in those graphs count;
* files: parsed (never loaded into the store) into an in-memory store beside their context, minus the graphs
  the files would replace: with a store, the neighbourhood of the files' nodes in it (``neighbourhood``: what
  the rules can reach, a few thousand triples); without one, the committed ontology/ and data/ files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.layout import graph_files, graph_iri_for, resource_root
from graph.namespaces import DCAT, QK, QKG, RDF
from graph.store import QUAD_FORMATS, OxigraphStore, Store, StoreError, rdf_format

INPUT_GRAPH = "urn:quartiers:validation:input"
HUB_SIZE = 2000
WHOLE_STORE_ABOVE = 50_000  # quads: bigger graphs are validated within the whole store
_POSITION = re.compile(r"line (\d+) column (\d+)")


class UnusableInputError(Exception):
    """A file that cannot be validated: missing, unknown type, or an RDF syntax error (with its position)."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        if self.line is None:
            return f"{self.path}: entrée inutilisable / unusable input: {self.message}"
        return f"{self.path}:{self.line}:{self.column}: erreur de syntaxe / syntax error: {self.message}"


@dataclass
class Dataset:
    """A pyoxigraph store to query (union default graph) and the nodes whose results are reported."""

    store: ox.Store
    scope: set[str] | None = None  # N-Triples forms of the nodes in scope; None = every node
    graphs: list[str] | None = None  # the validated graphs (for the report)


def parse_file(path: Path) -> list[ox.Quad]:
    """Every quad of a file (triples go to INPUT_GRAPH); raises UnusableInputError with a position."""
    if not path.is_file():
        raise UnusableInputError(path, "fichier introuvable / file not found")
    try:
        fmt = rdf_format(path)
    except StoreError as exc:
        raise UnusableInputError(path, str(exc)) from exc
    target = ox.NamedNode(INPUT_GRAPH)
    try:
        parsed = ox.parse(path=str(path), format=fmt)
        if fmt in QUAD_FORMATS:
            return list(parsed)
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
    except SyntaxError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        line, column = (int(match[1]), int(match[2])) if match else (getattr(exc, "lineno", None), None)
        if line is not None and column is None:
            column = getattr(exc, "offset", 0) or 0
        raise UnusableInputError(path, message, line, column) from exc
    except (OSError, ValueError) as exc:
        raise UnusableInputError(path, str(exc)) from exc


def replaced_graphs(path: Path, quads: list[ox.Quad]) -> set[str]:
    """The named graphs a file would replace: its own graph (from its place under the project, or the
    dataset it describes about itself) and, for TriG/N-Quads, the graphs it names."""
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} - {INPUT_GRAPH}
    root = resource_root().resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(root) and resolved.parts[len(root.parts)] in ("ontology", "data"):
        graphs.add(graph_iri_for(path, root))
    dataset_type = ox.NamedNode(DCAT + "Dataset")
    rdf_type = ox.NamedNode(RDF + "type")
    for q in quads:
        describes_graph = q.predicate == rdf_type and q.object == dataset_type
        if describes_graph and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(QKG):
            graphs.add(q.subject.value)
    return graphs


def oxigraph_of(store: Store) -> ox.Store:
    """The pyoxigraph store behind a project store (other backends are copied into memory)."""
    if isinstance(store, OxigraphStore):
        return store.raw
    copy = ox.Store()
    copy.bulk_extend(store.quads(all_graphs=True))
    return copy


class UnknownGraphError(ValueError):
    """A --graph that is not an IRI, or not a named graph of the store."""


def graph_nodes(raw: ox.Store, graphs: list[str]) -> list[ox.NamedNode]:
    """The named graphs to validate; raises UnknownGraphError for an invalid IRI or a graph not in the store."""
    nodes: list[ox.NamedNode] = []
    for graph in graphs:
        try:
            node = ox.NamedNode(graph)
        except ValueError as exc:
            raise UnknownGraphError(f"{graph}: pas une IRI / not an IRI ({exc})") from exc
        if not raw.contains_named_graph(node):
            raise UnknownGraphError(f"{graph}: graphe absent du magasin / graph not in the store")
        nodes.append(node)
    return nodes


def with_context(quads: list[ox.Quad], source: ox.Store, seeds: list[ox.Quad], exclude: set[str]) -> ox.Store:
    """An in-memory store holding ``quads`` and the neighbourhood of ``seeds`` in ``source`` (graphs in
    ``exclude``, which ``quads`` replace, left out)."""
    memory = ox.Store()
    memory.bulk_extend(quads)
    memory.bulk_extend(neighbourhood(source, seeds, exclude))
    return memory


def node_scope(quads: list[ox.Quad]) -> set[str]:
    """The nodes (N-Triples form) that occur as subject or non-literal object of ``quads``."""
    scope: set[str] = set()
    for q in quads:
        scope.add(str(q.subject))
        if not isinstance(q.object, ox.Literal):
            scope.add(str(q.object))
    return scope


def change_dataset(store: Store, after: Store, graphs: list[str], changed: set[ox.Quad]) -> Dataset:
    """A write before it lands: the post-write content of ``graphs`` (in ``after``) plus the neighbourhood of
    the changed resources in ``store``; in scope, the changed resources and the resources of ``graphs`` that
    point to them (the rest of the store is not re-audited on each write)."""
    raw_after = oxigraph_of(after)
    nodes = [ox.NamedNode(g) for g in graphs]
    changed_nodes = {t for q in changed for t in (q.subject, q.object) if not isinstance(t, ox.Literal)}
    scope_nodes = set(changed_nodes)
    for node in changed_nodes:
        for graph in nodes:
            scope_nodes.update(q.subject for q in raw_after.quads_for_pattern(None, None, node, graph))
    post = [q for graph in nodes for q in raw_after.quads_for_pattern(None, None, None, graph)]
    seeds = [q for q in post if q.subject in scope_nodes or q.object in scope_nodes]
    memory = with_context(post, oxigraph_of(store), seeds, set(graphs))
    return Dataset(store=memory, scope={str(n) for n in scope_nodes}, graphs=list(graphs))


def store_dataset(store: Store, graphs: list[str] | None) -> Dataset:
    """The whole store, or some named graphs: their content plus the neighbourhood the rules can reach from it
    (as for a file), so validating one graph costs what validating its file costs. Graphs over
    WHOLE_STORE_ABOVE quads (the big reference tables) are validated over the whole store instead."""
    raw = oxigraph_of(store)
    if not graphs:
        return Dataset(store=raw)
    nodes = graph_nodes(raw, graphs)
    quads = [q for node in nodes for q in raw.quads_for_pattern(None, None, None, node)]
    scope = node_scope(quads)
    if len(quads) > WHOLE_STORE_ABOVE:
        return Dataset(store=raw, scope=scope, graphs=list(graphs))
    return Dataset(store=with_context(quads, raw, quads, set(graphs)), scope=scope, graphs=list(graphs))


def neighbourhood(source: ox.Store, quads: list[ox.Quad], exclude: set[str]) -> list[ox.Quad]:
    """The part of ``source`` the rules can reach from the files' nodes: every ontology graph, then, in the
    other graphs (``exclude`` left out), the triples about the files' nodes and those pointing at them (not
    rdf:type, nor hubs with more than HUB_SIZE incoming links, e.g. the State as funder of every line), those
    pointing at their qk:siren/qk:siret values (with the rdf:type of those other nodes), and two more steps of
    outgoing triples."""
    allowed = {g for g in source.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in exclude}
    found: set[ox.Quad] = set()
    for graph in allowed:
        if graph.value.startswith(QKG + "ontology/"):
            found.update(source.quads_for_pattern(None, None, None, graph))
    rdf_type = ox.NamedNode(RDF + "type")
    keys = {ox.NamedNode(QK + "siren"), ox.NamedNode(QK + "siret")}
    seeds = {n for q in quads for n in (q.subject, q.object) if not isinstance(n, ox.Literal)}
    seeds -= {q.object for q in quads if q.predicate == rdf_type}
    frontier: set[ox.Term] = set()
    for node in seeds:
        incoming = [q for q in source.quads_for_pattern(None, None, node) if q.predicate != rdf_type]
        if len(incoming) <= HUB_SIZE:
            found.update(q for q in incoming if q.graph_name in allowed)
            frontier.update(q.subject for q in incoming)
    sharing: set[ox.Term] = set()  # other nodes with the same SIREN/SIRET (CDV-ORG-004 needs their types)
    for q in quads:
        if q.predicate in keys:
            same = [x for x in source.quads_for_pattern(None, q.predicate, q.object) if x.graph_name in allowed]
            found.update(same)
            sharing.update(x.subject for x in same)
    frontier |= seeds
    seen: set[ox.Term] = set()
    for _step in range(3):
        step: set[ox.Term] = set()
        for node in frontier - seen:
            for q in source.quads_for_pattern(node, None, None):
                if q.graph_name in allowed:
                    found.add(q)
                    if not isinstance(q.object, ox.Literal) and q.predicate != rdf_type:
                        step.add(q.object)
        seen |= frontier
        frontier = step
    for node in seen | sharing:  # the types of every node reached
        found.update(q for q in source.quads_for_pattern(node, rdf_type, None) if q.graph_name in allowed)
    return list(found)


def files_dataset(paths: list[Path], store: Store | None) -> Dataset:
    parsed = {path: parse_file(path) for path in paths}
    exclude: set[str] = set()
    for path, quads in parsed.items():
        exclude |= replaced_graphs(path, quads)
    every = [q for quads in parsed.values() for q in quads]
    if store is not None:
        return Dataset(store=with_context(every, oxigraph_of(store), every, exclude), scope=node_scope(every))
    memory = ox.Store()
    for item in graph_files():
        if item.graph not in exclude:
            memory.bulk_load(path=str(item.path), format=rdf_format(item.path), to_graph=ox.NamedNode(item.graph))
    memory.bulk_extend(every)
    return Dataset(store=memory, scope=node_scope(every))
