"""The in-memory replica of a built store, from which queries are answered.

The on-disk store stays the durable copy; queries run on a pyoxigraph store in memory, about ten times faster
on aggregates and joins. Loading it: graphs that still equal their file (see ``graph.build.clean_file_graphs``)
are parsed from the file (≈ 175,000 triples/s); every other graph (written through the endpoint, or not built
from a file) is read from the on-disk store by a short-lived child process — RocksDB starts threads that must
not live in a process that forks query workers —; then the delta log is replayed.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import pyoxigraph as ox

from graph.build import clean_file_graphs, load_file, read_manifest
from graph.deltas import DeltaLog
from graph.layout import GraphFile
from graph.namespaces import BASE
from graph.store import OxigraphStore

DB_FOLDER = "oxigraph"


@dataclass
class Replica:
    store: ox.Store
    generation: int
    seconds: float
    from_files: list[str] = field(default_factory=list)
    from_store: int = 0  # quads read from the on-disk store


def load_replica(store_dir: Path) -> Replica:
    started = time.perf_counter()
    base = str(read_manifest(store_dir).get("base", BASE))
    clean = clean_file_graphs(store_dir)
    reader = OtherGraphs(store_dir / DB_FOLDER, sorted(clean))  # reads the store on another core meanwhile
    memory = OxigraphStore()
    for item in clean.values():
        load_file(memory, item_at_canonical_base(item, base), base)
    rest = reader.result()
    if rest:
        memory.raw.load(rest, format=ox.RdfFormat.N_QUADS)
    log = DeltaLog(store_dir / "deltas")
    generation = 0
    for found, delta in log.between(0, log.last()):
        delta.apply(memory.raw)
        generation = found
    from_store = rest.count(b"\n")
    return Replica(memory.raw, generation, time.perf_counter() - started, sorted(clean), from_store)


def item_at_canonical_base(item: GraphFile, base: str) -> GraphFile:
    """The manifest names graphs under the serving base; ``load_file`` wants the canonical graph IRI."""
    graph = BASE + item.graph[len(base) :] if base != BASE and item.graph.startswith(base) else item.graph
    return GraphFile(item.path, graph)


class OtherGraphs:
    """N-Quads of every quad of the on-disk store outside the ``skip`` graphs, read by a child process."""

    def __init__(self, db: Path, skip: list[str]) -> None:
        self.db = db
        self.process: BaseProcess | None = None
        if not db.is_dir():
            return
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_dump_other_graphs, args=(str(db), skip, child), daemon=True)
        self.process.start()
        child.close()

    def result(self) -> bytes:
        if self.process is None:
            return b""
        try:
            return self.conn.recv_bytes()
        except EOFError as exc:
            raise OSError(f"could not read the store {self.db}") from exc
        finally:
            self.conn.close()
            self.process.join()


def _dump_other_graphs(db: str, skip: list[str], conn: Connection) -> None:
    store = ox.Store.read_only(db)
    skipped = set(skip)
    graphs = [ox.DefaultGraph()] + [g for g in store.named_graphs() if g.value not in skipped]
    quads = (q for g in graphs for q in store.quads_for_pattern(None, None, None, g))
    conn.send_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    conn.close()
