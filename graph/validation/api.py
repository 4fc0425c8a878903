"""Validate the store, some of its named graphs, or files, against shapes/ — the package's entry points."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import Store
from graph.validation import oxigraph_engine, pyshacl_engine
from graph.validation.dataset import Dataset, change_dataset, files_dataset, store_dataset
from graph.validation.findings import Finding
from graph.validation.report import ValidationReport, build_report
from graph.validation.shapes import SEVERITIES, ShapeSet, load_shapes

ENGINES = ("oxigraph", "pyshacl")
LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?node ?label ?rank WHERE {
  VALUES ?node { %s }
  { ?node rdfs:label ?label BIND(1 AS ?rank) } UNION { ?node skos:prefLabel ?label BIND(2 AS ?rank) }
  UNION { ?node dct:title ?label BIND(3 AS ?rank) } UNION { ?node foaf:name ?label BIND(4 AS ?rank) }
}
"""


def validate_store(
    store: Store,
    *,
    graphs: list[str] | None = None,
    min_severity: str = "Violation",
    engine: str = "oxigraph",
    shapes: ShapeSet | None = None,
) -> ValidationReport:
    """Validate the store's data (all graphs, or the results about the nodes of ``graphs``), every other graph
    of the store serving as the reference data the rules need."""
    return run(store_dataset(store, graphs), min_severity, engine, shapes)


def validate_files(
    paths: list[Path],
    *,
    store: Store | None = None,
    min_severity: str = "Info",
    engine: str = "oxigraph",
    shapes: ShapeSet | None = None,
) -> ValidationReport:
    """Validate files (Turtle, TriG, N-Triples, N-Quads, JSON-LD) with the reference data of ``store`` (or of
    the committed ontology/ and data/ files), without loading them into the store. Raises
    ``UnusableInputError`` for a missing file or a syntax error."""
    return run(files_dataset([Path(p) for p in paths], store), min_severity, engine, shapes)


def validate_change(
    store: Store,
    after: Store,
    graphs: list[str],
    changed: set[ox.Quad],
    *,
    min_severity: str = "Violation",
    shapes: ShapeSet | None = None,
) -> ValidationReport:
    """Validate a write before it lands (the endpoint's SHACL gate).

    ``after`` holds the post-write content of ``graphs``; ``changed`` are the quads the write adds or removes.
    The data validated is that content plus, from ``store``, the neighbourhood the rules can reach from the
    changed resources (the old content of ``graphs`` left out). Only results about the changed resources and
    the resources of ``graphs`` that point to them count: the rest of the store is not re-audited on each write.
    """
    return run(change_dataset(store, after, graphs, changed), min_severity, "oxigraph", shapes)


def run(dataset: Dataset, min_severity: str, engine: str, shapes: ShapeSet | None) -> ValidationReport:
    if min_severity not in SEVERITIES:
        raise ValueError(f"min_severity must be one of {SEVERITIES}")
    rules = shapes or load_shapes()
    findings = engine_findings(dataset, rules, engine)
    if dataset.scope is not None:
        findings = [f for f in findings if str(f.focus) in dataset.scope]
    labels = focus_labels(dataset.store, findings)
    return build_report(findings, rules, labels, min_severity=min_severity, engine=engine)


def engine_findings(dataset: Dataset, shapes: ShapeSet, engine: str) -> list[Finding]:
    if engine == "oxigraph":
        return oxigraph_engine.validate(oxigraph_engine.QueryTarget(dataset.store), shapes)
    if engine == "pyshacl":
        data = pyshacl_engine.rdflib_graph(dataset.store.quads_for_pattern(None, None, None, None))
        return pyshacl_engine.validate(data, shapes)
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


def focus_labels(store: ox.Store, findings: list[Finding]) -> dict[str, str]:
    """One label per focus IRI: rdfs:label, skos:prefLabel, dct:title or foaf:name, French first."""
    nodes = sorted({str(f.focus) for f in findings if isinstance(f.focus, ox.NamedNode)})
    best: dict[str, tuple[int, str]] = {}
    for start in range(0, len(nodes), 500):
        chunk = " ".join(nodes[start : start + 500])
        for sol in store.query(LABEL_QUERY % chunk, use_default_graph_as_union=True):
            label = sol["label"]
            lang = getattr(label, "language", None)
            rank = int(sol["rank"].value) * 3 + (0 if lang == "fr" else 1 if not lang else 2)
            key = str(sol["node"])
            if key not in best or (rank, label.value) < best[key]:
                best[key] = (rank, label.value)
    return {node: label for node, (_rank, label) in best.items()}
