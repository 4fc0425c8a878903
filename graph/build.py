"""Build the dataset: every ontology/data file into its own named graph of one store.

The persistent store is built on first run and reused after: a manifest in the store folder records the
SHA-256 of every loaded file, so a later run reloads only the graphs whose file changed (and drops the
graphs of removed files). Graphs not built from files (writes, audit) are left alone. When a graph was (re)loaded
or removed, or the inference engine changed, the OWL 2 RL closure is computed again into ``qkg:inferred``
(docs/inference.md); between builds, writes keep it current.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.layout import INFERRED_GRAPH, GraphFile, default_store_dir, graph_files
from graph.namespaces import BASE
from graph.store import OxigraphStore, Store, StoreError, parse_quads, rdf_format

MANIFEST_NAME = "quartiers-build.json"
MANIFEST_VERSION = 1


@dataclass
class BuildReport:
    """What a build did: per-graph triple counts, the graphs (re)loaded, and how long it took."""

    store_path: Path | None
    loaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    inferred: dict[str, int] | None = None  # entailed triples by rule, when the inferred graph was recomputed
    inference_seconds: float = 0.0
    clashes: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rebase_term(term: ox.Term, old: str, new: str) -> ox.Term:
    """The same term with IRIs under ``old`` moved under ``new`` (serving under another base IRI)."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(old):
        return ox.NamedNode(new + term.value[len(old) :])
    return term


def rebased_quads(path: Path, graph: str, base: str) -> list[ox.Quad]:
    """Parse a file into ``graph`` with every canonical-base IRI rewritten to ``base``."""
    quads = parse_quads(path.read_bytes(), _media_type(path), graph)
    return [
        ox.Quad(*(rebase_term(t, BASE, base) for t in (q.subject, q.predicate, q.object, q.graph_name)))
        for q in quads
    ]


def _media_type(path: Path) -> str:
    fmt = rdf_format(path)
    return fmt.media_type


def load_file(store: Store, item: GraphFile, base: str = BASE) -> None:
    """Load one file into its named graph (fast bulk path for oxigraph at the canonical base)."""
    if base != BASE:
        store.add_quads(rebased_quads(item.path, item.graph, base))
    elif isinstance(store, OxigraphStore):
        store.bulk_load_file(item.path, item.graph)
    else:
        store.load(item.path.read_bytes(), _media_type(item.path), item.graph)


def build_into(
    store: Store,
    files: list[GraphFile] | None = None,
    *,
    base: str = BASE,
    progress: Callable[[str], None] | None = None,
    infer: bool = False,
) -> BuildReport:
    """Load every file into ``store`` (no manifest: for in-memory stores and tests); with ``infer``, compute
    the inferred graph too."""
    started = time.perf_counter()
    report = BuildReport(store_path=None)
    for item in files if files is not None else graph_files():
        if progress:
            progress(item.graph)
        load_file(store, item, base)
        report.loaded.append(_graph_name(item.graph, base))
    if infer:
        run_inference(store, base, report)
    report.seconds = time.perf_counter() - started
    return report


def inferred_graph_name(base: str = BASE) -> str:
    return _graph_name(INFERRED_GRAPH, base)


def run_inference(store: Store, base: str, report: BuildReport) -> None:
    """(Re)compute the inferred graph of ``store`` into ``report``."""
    from graph.inference.materialised import infer_store

    run = infer_store(store, inferred_graph_name(base))
    report.inferred = run.result.by_rule()
    report.inference_seconds = run.seconds
    report.clashes = run.result.clashes


def inference_record() -> dict[str, object]:
    """What the manifest records about the inferred graph: a new engine version means inferring again."""
    from graph.inference.materialised import ENGINE_VERSION

    return {"engine": ENGINE_VERSION}


def _graph_name(graph: str, base: str) -> str:
    return base + graph[len(BASE) :] if base != BASE and graph.startswith(BASE) else graph


def read_manifest(path: Path) -> dict[str, object]:
    manifest = path / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def open_locked_store(
    target: Path,
    items: list[GraphFile],
    previous: dict[str, object],
    base: str,
    rebuild: bool,
    report: BuildReport,
    started: float,
) -> tuple[OxigraphStore, BuildReport]:
    """The store is held by another process (a running ``quartiers serve``): read it if it is up to date."""
    wanted = {_graph_name(item.graph, base): file_digest(item.path) for item in items}
    if rebuild or previous.get("graphs") != wanted:
        raise StoreError(
            f"le store {target} est utilisé par un autre processus et n'est pas à jour ; arrêtez-le puis relancez / "
            f"the store {target} is in use by another process and out of date; stop it and run again"
        )
    store = OxigraphStore(target / "oxigraph", read_only=True)
    report.reused = sorted(wanted)
    report.seconds = time.perf_counter() - started
    return store, report


def open_built_store(
    path: Path | None = None,
    *,
    files: list[GraphFile] | None = None,
    base: str = BASE,
    rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[OxigraphStore, BuildReport]:
    """Open the persistent store at ``path``, loading what is missing or out of date.

    Layout of the folder: ``oxigraph/`` (the database) and ``quartiers-build.json`` (the manifest).
    """
    started = time.perf_counter()
    target = path or default_store_dir()
    items = files if files is not None else graph_files()
    previous = read_manifest(target)
    if previous.get("version") != MANIFEST_VERSION or previous.get("base") != base:
        rebuild = True
    report = BuildReport(store_path=target)
    try:
        store = OxigraphStore(target / "oxigraph")
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise
        return open_locked_store(target, items, previous, base, rebuild, report, started)
    old_digests: dict[str, str] = {} if rebuild else dict(previous.get("graphs", {}))  # type: ignore[arg-type]
    if rebuild:
        for graph in previous.get("graphs", {}):  # type: ignore[union-attr]
            store.drop_graph(graph)
    new_digests: dict[str, str] = {}
    for item in items:
        graph = _graph_name(item.graph, base)
        digest = file_digest(item.path)
        new_digests[graph] = digest
        if old_digests.get(graph) == digest and store.has_graph(graph):
            report.reused.append(graph)
            continue
        if progress:
            progress(graph)
        store.drop_graph(graph)
        load_file(store, item, base)
        report.loaded.append(graph)
    for graph in sorted(set(old_digests) - set(new_digests)):
        store.drop_graph(graph)
        report.removed.append(graph)
    stale = previous.get("inference") != inference_record() or not store.has_graph(inferred_graph_name(base))
    if report.loaded or report.removed or stale:
        if progress:
            progress(inferred_graph_name(base))
        run_inference(store, base, report)
    store.close()
    manifest = {"version": MANIFEST_VERSION, "base": base, "graphs": new_digests, "inference": inference_record()}
    (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    report.seconds = time.perf_counter() - started
    return store, report
