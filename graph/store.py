"""The one store interface of the project, and its backends.

``OxigraphStore`` (default) wraps pyoxigraph: persistent on disk (RocksDB) or in memory, a complete
SPARQL 1.1 Query/Update engine in Rust. ``RdflibStore`` is the in-memory rdflib option (a ``Dataset``).
Both return a ``QueryResult`` whose solutions/triples are pyoxigraph terms, so every caller (CLI,
endpoint, validation) handles one result type whatever the backend.
"""

from __future__ import annotations

import io
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox

from graph import formats
from graph.formats import QUAD_FORMATS
from graph.sparql_text import declares_dataset

ResultKind = TypingLiteral["solutions", "boolean", "graph"]

class StoreError(Exception):
    """A store operation failed for a reason the caller can report (bad input, unknown format)."""


def rdf_format(media_type_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format of a media type (aliases and parameters allowed) or of a file name's suffix."""
    try:
        return formats.rdf_format(media_type_or_path)
    except formats.FormatError as exc:
        raise StoreError(str(exc)) from exc


def dataset_arguments(
    default_graphs: list[str] | None, named_graphs: list[str] | None, *, union_default: bool
) -> dict[str, object]:
    """pyoxigraph's query arguments for a dataset: explicit default/named graphs (protocol parameters), else
    the union of all graphs as default graph when ``union_default`` (callers pass False for a query with its
    own FROM / FROM NAMED: pyoxigraph's union flag would override them)."""
    kwargs: dict[str, object] = {}
    if default_graphs is not None:
        kwargs["default_graph"] = [graph_term(g) for g in default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = union_default
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def graph_term(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    """``None`` (or "") names the default graph; anything else a named graph IRI."""
    return ox.DefaultGraph() if not graph else ox.NamedNode(graph)


@dataclass
class QueryResult:
    """The outcome of a SPARQL query, independent of the backend."""

    kind: ResultKind
    variables: list[str] = field(default_factory=list)
    boolean: bool | None = None
    _solutions: Iterable[ox.QuerySolution | dict[str, ox.Term]] | None = None
    _triples: Iterable[ox.Triple] | None = None
    native: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | None = None

    def solutions(self) -> Iterator[dict[str, ox.Term]]:
        """Each solution as {variable name: term}; unbound variables are absent."""
        if self.kind != "solutions" or self._solutions is None:
            raise StoreError("not a SELECT result")
        for sol in self._solutions:
            if isinstance(sol, dict):
                yield sol
            else:
                yield {v: sol[v] for v in self.variables if sol[v] is not None}

    def triples(self) -> Iterator[ox.Triple]:
        if self.kind != "graph" or self._triples is None:
            raise StoreError("not a CONSTRUCT/DESCRIBE result")
        yield from self._triples

    def rows(self) -> list[dict[str, str]]:
        """SELECT solutions as plain strings (IRIs and literal lexical forms), for scripts and tests."""
        return [{k: term_value(t) for k, t in sol.items()} for sol in self.solutions()]


def term_value(term: ox.Term) -> str:
    """The IRI, lexical form or blank-node id of a term."""
    return term.value if hasattr(term, "value") else str(term)


def wrap_oxigraph_result(raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult(kind="boolean", boolean=bool(raw), native=raw)
    if isinstance(raw, ox.QuerySolutions):
        return QueryResult(
            kind="solutions", variables=[v.value for v in raw.variables], _solutions=raw, native=raw
        )
    return QueryResult(kind="graph", _triples=raw, native=raw)


class Store(ABC):
    """One interface for every backend: load, query, update, count, export."""

    @abstractmethod
    def load(
        self, data: bytes, media_type: str, graph: str | None = None, base_iri: str | None = None
    ) -> int:
        """Parse ``data`` and add it (to ``graph`` for triple formats); returns the number of quads read."""

    @abstractmethod
    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. Without explicit ``default_graphs`` the default graph is the union of
        all graphs when ``union_default`` is true (the served dataset's convention)."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update atomically."""

    @abstractmethod
    def named_graphs(self) -> list[str]: ...

    @abstractmethod
    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        """Quads of one graph (``None`` = default graph), or of every graph with ``all_graphs``."""

    @abstractmethod
    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph (or empty the default graph); False when it did not exist."""

    @abstractmethod
    def clear(self) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (flush to disk)."""

    # derived operations, shared by every backend -------------------------------------------
    def has_graph(self, graph: str) -> bool:
        return graph in set(self.named_graphs())

    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        return sum(1 for _ in self.quads(graph, all_graphs=all_graphs))

    def graph_counts(self) -> dict[str, int]:
        """Number of triples in each named graph (and in the default graph under the key "")."""
        counts = {g: self.count(g) for g in sorted(self.named_graphs())}
        default = self.count(None)
        if default:
            counts[""] = default
        return counts

    def serialize_graph(self, graph: str | None, media_type: str = "text/turtle") -> bytes:
        """One graph's triples in an RDF syntax (prefixes from the project's namespaces)."""
        from graph.namespaces import PREFIXES

        fmt = rdf_format(media_type)
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self.quads(graph))
        out = io.BytesIO()
        if fmt in QUAD_FORMATS:
            quads = (ox.Quad(t.subject, t.predicate, t.object, graph_term(graph)) for t in triples)
            ox.serialize(quads, out, format=fmt)
        else:
            ox.serialize(triples, out, format=fmt, prefixes=PREFIXES)
        return out.getvalue()

    def replace_graph(self, graph: str | None, data: bytes, media_type: str, base_iri: str | None = None) -> None:
        """Replace one graph's content atomically: parse first, so bad data leaves the graph as it was."""
        parsed = parse_quads(data, media_type, graph, base_iri)
        self.drop_graph(graph)
        self.add_quads(parsed)


def parse_quads(data: bytes, media_type: str, graph: str | None, base_iri: str | None = None) -> list[ox.Quad]:
    """Parse RDF fully into memory (so a syntax error never leaves a half-written store)."""
    fmt = rdf_format(media_type)
    if fmt == ox.RdfFormat.RDF_XML:
        check_well_formed_xml(data)
    try:
        parsed = ox.parse(data, format=fmt, base_iri=base_iri)
        if fmt in QUAD_FORMATS:
            return list(parsed)
        target = graph_term(graph)
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
    except SyntaxError as exc:
        raise StoreError(f"RDF syntax error: {exc}") from exc


def check_well_formed_xml(data: bytes) -> None:
    """pyoxigraph accepts a truncated RDF/XML document (it stops at the end of input): check with expat first."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise StoreError(
            f"RDF syntax error: Parser error at line {exc.lineno} column {exc.offset + 1}: "
            f"{expat.errors.messages[exc.code]}"
        ) from exc


class OxigraphStore(Store):
    """pyoxigraph store: on disk when ``path`` is given, else in memory."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = open_read_only(path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))

    @classmethod
    def wrap(cls, raw: ox.Store, path: Path | None = None) -> OxigraphStore:
        """This interface over an already open pyoxigraph store (a replica in memory, a worker's view)."""
        store = cls.__new__(cls)
        store.path = path
        store.read_only = False
        store._store = raw
        return store

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for callers that need engine-specific speed."""
        return self._store

    def load(self, data: bytes, media_type: str, graph: str | None = None, base_iri: str | None = None) -> int:
        quads = parse_quads(data, media_type, graph, base_iri)
        self._store.extend(quads)
        return len(quads)

    def bulk_load_file(self, path: Path, graph: str | None) -> None:
        """Fast load of a trusted file (no transaction; used when building a fresh store)."""
        fmt = rdf_format(path)
        kwargs = {} if fmt in QUAD_FORMATS else {"to_graph": graph_term(graph)}
        self._store.bulk_load(path=str(path), format=fmt, **kwargs)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(list(quads))

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        base_iri: str | None = None,
    ) -> QueryResult:
        kwargs = dataset_arguments(
            default_graphs, named_graphs, union_default=union_default and not declares_dataset(sparql)
        )
        kwargs["base_iri"] = base_iri
        try:
            return wrap_oxigraph_result(self._store.query(sparql, **kwargs))
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        if all_graphs:
            return iter(self._store.quads_for_pattern(None, None, None, None))
        return iter(self._store.quads_for_pattern(None, None, None, graph_term(graph)))

    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        if all_graphs:
            return len(self._store)
        target = "DEFAULT" if not graph else f"GRAPH <{graph}>"
        sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ {target} {{ ?s ?p ?o }} }}" if graph else (
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        )
        kwargs = {} if graph else {"default_graph": ox.DefaultGraph()}
        sol = next(iter(self._store.query(sparql, **kwargs)))
        return int(sol["n"].value)

    def drop_graph(self, graph: str | None) -> bool:
        if not graph:
            existed = self.count(None) > 0
            self._store.clear_graph(ox.DefaultGraph())
            return existed
        node = ox.NamedNode(graph)
        if not self._store.contains_named_graph(node):
            return False
        self._store.remove_graph(node)
        return True

    def replace_graph(self, graph: str | None, data: bytes, media_type: str, base_iri: str | None = None) -> None:
        """Parse first, then drop and insert in one SPARQL update, i.e. one transaction."""
        parsed = parse_quads(data, media_type, graph, base_iri)
        body = io.BytesIO()
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in parsed)
        ox.serialize(triples, body, format=ox.RdfFormat.N_TRIPLES)
        text = body.getvalue().decode()
        target = f"GRAPH <{graph}>" if graph else "DEFAULT"
        inserted = f"GRAPH <{graph}> {{ {text} }}" if graph else text
        self._store.update(f"DROP SILENT {target} ; INSERT DATA {{ {inserted} }}")

    def clear(self) -> None:
        self._store.clear()

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()


class RdflibStore(Store):
    """In-memory rdflib ``Dataset`` backend: slower, pure Python, handy for small graphs and pySHACL."""

    def __init__(self) -> None:
        import rdflib
        import rdflib.plugins.sparql

        from graph import terms  # rdflib is imported only by this backend

        # rdflib fetches FROM / FROM NAMED IRIs from the web (or local files) by default: never here.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self._rdflib = rdflib
        self._terms = terms
        self.dataset = rdflib.Dataset()

    def _graph(self, graph: str | None):
        if not graph:
            return self.dataset.default_graph
        return self.dataset.graph(self._rdflib.URIRef(graph))

    def load(self, data: bytes, media_type: str, graph: str | None = None, base_iri: str | None = None) -> int:
        quads = parse_quads(data, media_type, graph, base_iri)
        self.add_quads(quads)
        return len(quads)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            g = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            t = self._terms
            self._graph(g).add((t.to_rdflib(q.subject), t.to_rdflib(q.predicate), t.to_rdflib(q.object)))

    def _dataset_view(self, default_graphs: list[str] | None, union_default: bool):
        r = self._rdflib
        if default_graphs is not None:
            view = r.Graph()
            for g in default_graphs:
                for t in self._graph(g):
                    view.add(t)
            return view
        if union_default:
            return r.Dataset(store=self.dataset.store, default_union=True)
        return self.dataset

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        base_iri: str | None = None,
    ) -> QueryResult:
        target = self._dataset_view(default_graphs, union_default)
        try:
            result = target.query(sparql, base=base_iri)
        except Exception as exc:  # rdflib raises pyparsing errors for syntax problems
            raise StoreError(f"SPARQL error: {exc}") from exc
        if result.type == "ASK":
            return QueryResult(kind="boolean", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            names = [str(v) for v in result.vars]
            sols = [
                {n: self._terms.to_oxigraph(row[i]) for i, n in enumerate(names) if row[i] is not None}
                for row in result
            ]
            return QueryResult(kind="solutions", variables=names, _solutions=sols)
        ox_term = self._terms.to_oxigraph
        triples = [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in result]
        return QueryResult(kind="graph", _triples=triples)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self.dataset.update(sparql, base=base_iri)
        except Exception as exc:
            raise StoreError(f"SPARQL update error: {exc}") from exc

    def named_graphs(self) -> list[str]:
        r = self._rdflib
        return sorted(
            str(g.identifier)
            for g in self.dataset.graphs()
            if isinstance(g.identifier, r.URIRef) and g.identifier != r.graph.DATASET_DEFAULT_GRAPH_ID and len(g)
        )

    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        graphs = [None, *self.named_graphs()] if all_graphs else [graph]
        term = self._terms.to_oxigraph
        for g in graphs:
            for s, p, o in self._graph(g):
                yield ox.Quad(term(s), term(p), term(o), graph_term(g))

    def drop_graph(self, graph: str | None) -> bool:
        target = self._graph(graph)
        existed = len(target) > 0
        if graph:
            self.dataset.remove_graph(target)
        else:
            target.remove((None, None, None))
        return existed

    def clear(self) -> None:
        self.dataset = self._rdflib.Dataset()


def open_store(backend: str = "oxigraph", path: Path | None = None, *, read_only: bool = False) -> Store:
    """Open a store by backend name: ``oxigraph`` (persistent when ``path`` is given) or ``rdflib`` (memory)."""
    if backend == "oxigraph":
        return OxigraphStore(path, read_only=read_only)
    if backend == "rdflib":
        return RdflibStore()
    raise StoreError(f"unknown store backend {backend!r}; expected 'oxigraph' or 'rdflib'")


def open_read_only(path: Path, attempts: int = 40) -> ox.Store:
    """A read-only view of a store another handle may be writing: RocksDB's read-only open can race with the
    writer's background compaction (the manifest it reads names a file just deleted); open again then."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            transient = "No such file" in str(exc) or "Corruption" in str(exc)
            if not transient or attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")
