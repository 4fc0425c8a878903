"""A query worker: a process forked from the zygote, holding a copy-on-write view of the in-memory replica.

It answers one task at a time on its socket (see ``frames``): lex and check the client's text, evaluate it,
and stream the serialisation back in chunks. Everything here runs on client input, so it runs in a process that
can die — stack overflow, memory limit, a kill at the timeout — without taking the server along.

Replies to a task: ``{"op": "complete", "status": 200, "media", "kind"}`` with the whole body when it fits in
one chunk; else ``{"op": "head", …}``, then ``{"op": "chunk"}`` frames with bytes, then ``{"op": "end"}``;
or ``{"op": "error", "status", "fr", "en"}`` at any point (after the head, the server aborts the response: a
client never gets a silently truncated result).
"""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.deltas import DeltaLog
from graph.formats import QUAD_FORMATS, rdf_format, results_format
from graph.namespaces import PREFIXES
from graph.sparql_text import SparqlText, SparqlTextError
from graph.store import dataset_arguments
from sparql_api import frames

CHUNK_BYTES = 64 * 1024


class TaskError(Exception):
    """A task fails with an HTTP status and a bilingual message."""

    def __init__(self, status: int, fr: str, en: str) -> None:
        super().__init__(en)
        self.status, self.fr, self.en = status, fr, en


class Chunks:
    """A binary file-like object that sends what is written to it as frames: an answer that fits in one chunk
    goes as a single ``complete`` frame (head and body together); a longer one as ``head``, ``chunk``s, ``end``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.sent = 0
        self.head: dict[str, Any] | None = None
        self.head_sent = False

    def start(self, head: dict[str, Any]) -> None:
        self.head = {"op": "head", "status": 200, **head}

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self._send()
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes at the end of a serialisation; frames are sent by size and by ``finish``."""

    def _send(self) -> None:
        if not self.head_sent and self.head is not None:
            frames.send(self.sock, self.head)
            self.head_sent = True
        if self.buffer:
            frames.send(self.sock, {"op": "chunk"}, bytes(self.buffer))
            self.sent += len(self.buffer)
            self.buffer.clear()

    def finish(self) -> None:
        if not self.head_sent and self.head is not None:
            frames.send(self.sock, {**self.head, "op": "complete", "cpu": time.process_time()}, bytes(self.buffer))
            self.head_sent = True
            self.buffer.clear()
            return
        self._send()
        frames.send(self.sock, {"op": "end", "bytes": self.sent, "cpu": time.process_time()})


@dataclass
class WorkerState:
    store: ox.Store
    log: DeltaLog
    generation: int

    def sync(self, generation: int) -> None:
        """Apply the logged writes up to ``generation`` (each task says which generation it must see)."""
        if generation <= self.generation:
            return
        for found, delta in self.log.between(self.generation, generation):
            delta.apply(self.store)
            self.generation = found
        self.generation = generation


def serve(sock: socket.socket, state: WorkerState) -> None:
    """Answer tasks until the server closes the socket or says stop."""
    while True:
        try:
            header, body = frames.recv(sock)
        except (frames.FrameError, OSError):
            return
        op = header.get("op")
        if op == "stop":
            return
        state.sync(int(header.get("generation", 0)))
        if op == "sync":
            frames.send(sock, {"op": "synced", "generation": state.generation})
            continue
        run_task(sock, state.store, header, body)


def run_task(sock: socket.socket, store: ox.Store, header: dict[str, Any], body: bytes) -> None:
    handler = TASKS.get(str(header.get("op")))
    out = Chunks(sock)
    try:
        if handler is None:
            raise TaskError(500, f"tâche inconnue {header.get('op')!r}", f"unknown task {header.get('op')!r}")
        handler(store, header, out)
    except TaskError as exc:
        send_error(sock, exc.status, exc.fr, exc.en)
    except MemoryError:
        send_error(sock, **memory_error())
    except (SyntaxError, ValueError) as exc:  # raised lazily while results are pulled
        send_error(sock, 400, f"requête invalide : {exc}", f"invalid request: {exc}")
    except OSError as exc:
        send_error(sock, 400, f"échec de l'évaluation : {exc}", f"evaluation failed: {exc}")


def send_error(sock: socket.socket, status: int, fr: str, en: str) -> None:
    """An error frame (with the CPU time used so far: the server measures each task's cost from it)."""
    frames.send(sock, {"op": "error", "status": status, "fr": fr, "en": en, "cpu": time.process_time()})


def memory_error() -> dict[str, Any]:
    return {"status": 503, "fr": "la requête dépasse la mémoire permise ; ajoutez LIMIT ou des filtres",
            "en": "the query exceeds the memory limit; add a LIMIT or filters"}


# --- tasks ------------------------------------------------------------------------------------------------
def query_task(store: ox.Store, header: dict[str, Any], out: Chunks) -> None:
    try:
        text = SparqlText.lex(header["text"], max_depth=int(header.get("max_depth", 128)))
    except SparqlTextError as exc:
        raise TaskError(400, exc.fr, exc.en) from exc
    if text.is_update():
        raise TaskError(
            400,
            "c'est une mise à jour : envoyez-la avec update= ou application/sparql-update",
            "this is an update: send it with update= or application/sparql-update",
        )
    check_remote(text, header)
    default_graphs, named_graphs = header.get("default_graphs"), header.get("named_graphs")
    excluded = set(header.get("exclude") or ())
    if excluded and default_graphs is None and named_graphs is None and not text.declares_dataset():
        kept = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in excluded]
        default_graphs, named_graphs = kept, kept  # the dataset without the excluded graphs (the entailments)
    kwargs = dataset_arguments(
        default_graphs, named_graphs, union_default=bool(header.get("union", True)) and not text.declares_dataset()
    )
    try:
        result = store.query(text.text, base_iri=header.get("base"), **kwargs)
    except SyntaxError as exc:
        raise TaskError(400, f"requête SPARQL invalide : {exc}", f"invalid SPARQL query: {exc}") from exc
    kind = result_kind(result)
    media = (header.get("media") or {}).get(kind)
    if not media:
        raise TaskError(
            406,
            "aucun format demandé n'est disponible pour ce type de résultat",
            f"none of the requested formats is available for a {kind} result",
        )
    out.start({"media": media, "kind": kind})
    if kind == "graph":
        write_triples(iter(result), media, out)  # type: ignore[arg-type]
    else:
        result.serialize(out, format=results_format(media))  # type: ignore[union-attr]
    out.finish()


def check_remote(text: SparqlText, header: dict[str, Any]) -> None:
    allowed = header.get("allow_remote") or []
    for target in text.remote_targets(header.get("base")):
        if target is None:
            raise TaskError(
                403,
                "SERVICE avec une variable n'est pas permis (liste autorisée)",
                "SERVICE with a variable is not allowed (allow-list)",
            )
        if not any(target == a or target.startswith(a) for a in allowed):
            raise TaskError(
                403,
                f"accès à <{target}> interdit (LOAD et SERVICE sont limités à la liste autorisée)",
                f"access to <{target}> is forbidden (LOAD and SERVICE are limited to the allow-list)",
            )


def result_kind(result: object) -> str:
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    return "graph"


def write_triples(triples: Iterator[ox.Triple], media: str, out: Chunks, graph: ox.NamedNode | None = None) -> None:
    fmt = rdf_format(media)
    if fmt in QUAD_FORMATS:
        target = graph or ox.DefaultGraph()
        ox.serialize((ox.Quad(t.subject, t.predicate, t.object, target) for t in triples), out, format=fmt)
    else:
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG) else None
        ox.serialize(triples, out, format=fmt, prefixes=prefixes)


def graph_task(store: ox.Store, header: dict[str, Any], out: Chunks) -> None:
    """The content of one graph (Graph Store GET), or 404."""
    name = header.get("graph")
    graph: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(name) if name else ox.DefaultGraph()
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        raise TaskError(404, f"graphe <{name}> inexistant", f"no graph <{name}>")
    media = header["media"]
    out.start({"media": media, "kind": "graph"})
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph))
    write_triples(triples, media, out, graph if isinstance(graph, ox.NamedNode) else None)
    out.finish()


def dump_task(store: ox.Store, header: dict[str, Any], out: Chunks) -> None:
    """A dump of one graph or of the whole dataset, optionally gzip-compressed."""
    name = header.get("graph")
    fmt = rdf_format(header["media"])
    if name and not store.contains_named_graph(ox.NamedNode(name)):
        raise TaskError(404, f"graphe <{name}> inexistant", f"no graph <{name}>")
    out.start({"media": header["media"], "kind": "graph"})
    sink: Any = gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) if header.get("gzip") else out  # type: ignore[arg-type]
    if name:
        graph = ox.NamedNode(name)
        quads = store.quads_for_pattern(None, None, None, graph)
        write_triples((ox.Triple(q.subject, q.predicate, q.object) for q in quads), header["media"], sink, graph)
    elif fmt not in QUAD_FORMATS:  # the whole dataset as triples: every graph's triples, merged
        quads = store.quads_for_pattern(None, None, None, None)
        write_triples((ox.Triple(q.subject, q.predicate, q.object) for q in quads), header["media"], sink)
    else:
        prefixes = PREFIXES if fmt == ox.RdfFormat.TRIG else None
        ox.serialize(store.quads_for_pattern(None, None, None, None), sink, format=fmt, prefixes=prefixes)
    if sink is not out:
        sink.close()
    out.finish()


def counts_task(store: ox.Store, header: dict[str, Any], out: Chunks) -> None:
    """Triples per graph ("" = the default graph), named graphs without triples included, as JSON."""
    import json

    counts = {g.value: 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for sol in store.query(query):
        counts[sol["g"].value] = int(sol["n"].value)
    default = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())))
    counts[""] = int(default["n"].value)
    out.start({"media": "application/json", "kind": "counts"})
    out.write(json.dumps(counts, sort_keys=True).encode())
    out.finish()


TASKS = {"query": query_task, "graph": graph_task, "dump": dump_task, "counts": counts_task}


def worker_main(sock: socket.socket, store: ox.Store, store_dir: Path, generation: int) -> None:
    serve(sock, WorkerState(store, DeltaLog(store_dir / "deltas"), generation))


def disk_reader_main(sock: socket.socket, store_dir: str) -> None:
    """A worker over the on-disk store, read-only: it answers queries while the zygote loads the in-memory
    replica at start-up (the store opens in milliseconds; the replica takes seconds)."""
    from sparql_api.zygote import set_process_name

    set_process_name("quartiers-disk")
    store = ox.Store.read_only(str(Path(store_dir) / "oxigraph"))
    frames.send(sock, {"op": "ready"})
    serve(sock, WorkerState(store, DeltaLog(Path(store_dir) / "deltas"), 0))
