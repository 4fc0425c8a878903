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
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.deltas import DeltaLog
from graph.layout import INFERRED_GRAPH, GraphFile, default_store_dir, graph_files
from graph.namespaces import BASE
from graph.store import OxigraphStore, Store, StoreError, parse_quads, rdf_format

if TYPE_CHECKING:
    from graph.inference.materialise import InferenceResult

MANIFEST_NAME = "quartiers-build.json"
MANIFEST_VERSION = 2


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


Stamps = dict[str, list[object]]  # resolved path -> [size, mtime_ns, sha256]


def known_digest(path: Path, stamps: Stamps) -> str:
    """The file's SHA-256, reused from the manifest when its size and modification time are unchanged (a
    start-up then reads no data file)."""
    stat = path.stat()
    entry = stamps.get(str(path.resolve()))
    if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
        return str(entry[2])
    return file_digest(path)


def stamp(path: Path, digest: str) -> list[object]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, digest]


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


def run_inference(
    store: Store, base: str, report: BuildReport, files: list[GraphFile] | None = None
) -> None:
    """(Re)compute the inferred graph of ``store`` into ``report``. With the source ``files``, the closure is
    computed on an in-memory copy parsed from them (plus the store's other graphs), several times faster than
    reading the on-disk store, then written to ``store``."""
    from graph.inference.materialise import infer
    from graph.inference.materialised import infer_store, write_inferred

    inferred = inferred_graph_name(base)
    if files is None or not isinstance(store, OxigraphStore):
        run = infer_store(store, inferred)
        record_inference(report, run.result, run.seconds)
        return
    started = time.perf_counter()
    memory = OxigraphStore()
    for item in files:
        load_file(memory, item, base)
    known = {_graph_name(item.graph, base) for item in files} | {inferred}
    for graph in store.named_graphs():
        if graph not in known:
            memory.add_quads(store.quads(graph))
    memory.add_quads(store.quads(None))
    result = infer(memory, inferred)
    write_inferred(store, result, inferred)
    record_inference(report, result, time.perf_counter() - started)


def record_inference(report: BuildReport, result: InferenceResult, seconds: float) -> None:
    report.inferred = result.by_rule()
    report.inference_seconds = seconds
    report.clashes = result.clashes


INFERRED_CACHE = "inferred.nq"


def write_cache(store: OxigraphStore, graph: str, path: Path) -> dict[str, str]:
    """A graph computed at build (the inferred graph) saved as N-Quads beside the store, so that a replica
    loads it as fast as a source file; a write that touches it marks it dirty like a file graph."""
    quads = store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return {"path": str(path.resolve()), "digest": hashlib.sha256(data).hexdigest()}


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


def write_manifest(path: Path, manifest: dict[str, object]) -> None:
    """Replace the manifest atomically (write, fsync, rename)."""
    target = path / MANIFEST_NAME
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(json.dumps(manifest, indent=1, sort_keys=True))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)


def mark_dirty(path: Path, graphs: list[str]) -> None:
    """Record that writes changed these graphs: they no longer equal their file, so a replica must read them
    from the store (and a rebuild keeps them unless their file changed)."""
    manifest = read_manifest(path)
    dirty = set(manifest.get("dirty", []))  # type: ignore[arg-type]
    files = {**manifest.get("graphs", {}), **manifest.get("caches", {})}  # type: ignore[dict-item]
    new = {g for g in graphs if g in files} - dirty
    if new:
        manifest["dirty"] = sorted(dirty | new)
        write_manifest(path, manifest)


def clean_file_graphs(path: Path) -> dict[str, GraphFile]:
    """Graphs of a built store that equal their file (same digest, never written to): a replica loads them
    from the file, which is much faster than reading the store."""
    manifest = read_manifest(path)
    digests: dict[str, str] = manifest.get("graphs", {})  # type: ignore[assignment]
    paths: dict[str, str] = manifest.get("paths", {})  # type: ignore[assignment]
    dirty = set(manifest.get("dirty", []))  # type: ignore[arg-type]
    stamps: Stamps = manifest.get("stamps", {})  # type: ignore[assignment]
    caches: dict[str, dict[str, str]] = manifest.get("caches", {})  # type: ignore[assignment]
    digests = {**digests, **{g: c["digest"] for g, c in caches.items()}}
    paths = {**paths, **{g: c["path"] for g, c in caches.items()}}
    clean = {}
    for graph, digest in digests.items():
        file = Path(paths.get(graph, ""))
        if graph not in dirty and file.is_file() and known_digest(file, stamps) == digest:
            clean[graph] = GraphFile(file, graph)
    return clean


def replay_deltas(store: OxigraphStore, path: Path) -> int:
    """Apply the writes a stopped server logged but may not have applied (see ``graph.deltas``), then delete
    the log. Returns the last generation replayed (0 when the log was empty)."""
    log = DeltaLog(path / "deltas")
    last = 0
    for generation, delta in log.between(0, log.last()):
        mark_dirty(path, delta.graphs())
        delta.apply(store.raw)
        last = generation
    if last:
        store.raw.flush()
        log.delete_upto(last)
    return last


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
    stamps: Stamps = previous.get("stamps", {})  # type: ignore[assignment]
    wanted = {_graph_name(item.graph, base): known_digest(item.path, stamps) for item in items}
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
    replay_deltas(store, target)
    previous = read_manifest(target)
    old_digests: dict[str, str] = {} if rebuild else dict(previous.get("graphs", {}))  # type: ignore[arg-type]
    if rebuild:
        for graph in previous.get("graphs", {}):  # type: ignore[union-attr]
            store.drop_graph(graph)
    dirty = set() if rebuild else set(previous.get("dirty", []))  # type: ignore[arg-type]
    new_digests: dict[str, str] = {}
    paths: dict[str, str] = {}
    old_stamps: Stamps = previous.get("stamps", {})  # type: ignore[assignment]
    stamps: Stamps = {}
    for item in items:
        graph = _graph_name(item.graph, base)
        digest = known_digest(item.path, old_stamps)
        new_digests[graph] = digest
        paths[graph] = str(item.path.resolve())
        stamps[paths[graph]] = stamp(item.path, digest)
        if old_digests.get(graph) == digest and store.has_graph(graph):
            report.reused.append(graph)
            continue
        if progress:
            progress(graph)
        store.drop_graph(graph)
        load_file(store, item, base)
        dirty.discard(graph)
        report.loaded.append(graph)
    for graph in sorted(set(old_digests) - set(new_digests)):
        store.drop_graph(graph)
        dirty.discard(graph)
        report.removed.append(graph)
    stale = previous.get("inference") != inference_record() or not store.has_graph(inferred_graph_name(base))
    if report.loaded or report.removed or stale:
        if progress:
            progress(inferred_graph_name(base))
        run_inference(store, base, report, items)
    store.close()
    inferred = inferred_graph_name(base)
    caches: dict[str, dict[str, str]] = {}
    if not (report.loaded or report.removed or stale):
        caches = previous.get("caches", {})  # type: ignore[assignment]
    if inferred not in caches or inferred in dirty or not Path(caches[inferred]["path"]).is_file():
        caches = {inferred: write_cache(store, inferred, target / INFERRED_CACHE)}
        dirty.discard(inferred)
    manifest = {"version": MANIFEST_VERSION, "base": base, "graphs": new_digests, "paths": paths,
                "stamps": stamps, "caches": caches, "inference": inference_record(),
                "dirty": sorted(dirty & (set(new_digests) | set(caches)))}
    write_manifest(target, manifest)
    report.seconds = time.perf_counter() - started
    return store, report
