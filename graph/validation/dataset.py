"""What is validated: a pyoxigraph dataset (data + the reference data the rules need) and the focus scope.

* the whole store: every graph, every focus node;
* some named graphs: every graph is context, and only results about nodes that occur in those graphs count;
* files: parsed (never loaded into the store) into an in-memory store beside a copy of the context — the
  store's graphs, or the committed ontology/ and data/ files — minus the graphs the files would replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.layout import graph_files, graph_iri_for, resource_root
from graph.namespaces import DCAT, QKG, RDF
from graph.store import QUAD_FORMATS, OxigraphStore, Store, StoreError, rdf_format

INPUT_GRAPH = "urn:quartiers:validation:input"
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
    try:
        path.resolve().relative_to(root)
        if path.resolve().parts[len(root.parts)] in ("ontology", "data"):
            graphs.add(graph_iri_for(path, root))
    except (ValueError, IndexError):
        pass
    dataset_type = ox.NamedNode(DCAT + "Dataset")
    rdf_type = ox.NamedNode(RDF + "type")
    for q in quads:
        if q.predicate == rdf_type and q.object == dataset_type and isinstance(q.subject, ox.NamedNode):
            if q.subject.value.startswith(QKG):
                graphs.add(q.subject.value)
    return graphs


def copy_graphs(source: ox.Store, target: ox.Store, exclude: set[str]) -> None:
    """Copy every named graph of ``source`` except ``exclude`` (and the default graph) into ``target``."""
    for graph in source.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value in exclude:
            continue
        target.bulk_extend(source.quads_for_pattern(None, None, None, graph))
    target.bulk_extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def oxigraph_of(store: Store) -> ox.Store:
    """The pyoxigraph store behind a project store (other backends are copied into memory)."""
    if isinstance(store, OxigraphStore):
        return store.raw
    copy = ox.Store()
    copy.bulk_extend(store.quads(all_graphs=True))
    return copy


def store_dataset(store: Store, graphs: list[str] | None) -> Dataset:
    raw = oxigraph_of(store)
    if not graphs:
        return Dataset(store=raw)
    scope: set[str] = set()
    for graph in graphs:
        for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            scope.add(str(q.subject))
            if not isinstance(q.object, ox.Literal):
                scope.add(str(q.object))
    return Dataset(store=raw, scope=scope, graphs=list(graphs))


def files_dataset(paths: list[Path], store: Store | None) -> Dataset:
    parsed = {path: parse_file(path) for path in paths}
    exclude: set[str] = set()
    for path, quads in parsed.items():
        exclude |= replaced_graphs(path, quads)
    memory = ox.Store()
    if store is not None:
        copy_graphs(oxigraph_of(store), memory, exclude)
    else:
        for item in graph_files():
            if item.graph not in exclude:
                memory.bulk_load(path=str(item.path), format=rdf_format(item.path), to_graph=ox.NamedNode(item.graph))
    scope: set[str] = set()
    for quads in parsed.values():
        memory.bulk_extend(quads)
        for q in quads:
            scope.add(str(q.subject))
            if not isinstance(q.object, ox.Literal):
                scope.add(str(q.object))
    return Dataset(store=memory, scope=scope)
