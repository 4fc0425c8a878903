"""Deltas: what one write removes and adds, as a durable log shared by the store and its replicas.

A write is committed as a delta file ``<store>/deltas/<generation>.delta`` (fsynced) before it is applied to
the on-disk store; the in-memory replicas that serve queries apply the same files, in order. Applying the log
again from any point yields the same final state (each delta's removed and added sets are disjoint, and the last
delta touching a quad decides whether it is present), so a crash between the log write and the store update is
repaired at the next start by replaying the log; once replayed and flushed, the files are deleted.

File layout: a JSON header line ``{"removed": n, "added": m, "graphs": [...]}`` then the removed quads and the
added quads in N-Quads (blank node ids kept, so a replica removes exactly the blank nodes the store holds).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

SUFFIX = ".delta"


@dataclass
class Delta:
    removed: list[ox.Quad] = field(default_factory=list)
    added: list[ox.Quad] = field(default_factory=list)
    dropped_graphs: list[str] = field(default_factory=list)  # named graphs that cease to exist (even empty)
    created_graphs: list[str] = field(default_factory=list)  # named graphs that come to exist (even empty)

    @property
    def empty(self) -> bool:
        return not (self.removed or self.added or self.dropped_graphs or self.created_graphs)

    def graphs(self) -> list[str]:
        """Touched graphs ("" for the default graph), sorted."""
        quads = {graph_key(q) for q in (*self.removed, *self.added)}
        return sorted(quads | set(self.dropped_graphs) | set(self.created_graphs))

    def encode(self) -> bytes:
        removed = ox.serialize(self.removed, format=ox.RdfFormat.N_QUADS) or b""
        added = ox.serialize(self.added, format=ox.RdfFormat.N_QUADS) or b""
        header = {"removed": len(self.removed), "added": len(self.added), "graphs": self.graphs(),
                  "removed_bytes": len(removed), "dropped_graphs": self.dropped_graphs,
                  "created_graphs": self.created_graphs}
        return json.dumps(header).encode() + b"\n" + removed + added

    @classmethod
    def decode(cls, data: bytes) -> Delta:
        line, _, rest = data.partition(b"\n")
        header = json.loads(line)
        cut = header["removed_bytes"]
        removed = list(ox.parse(rest[:cut], format=ox.RdfFormat.N_QUADS)) if cut else []
        added = list(ox.parse(rest[cut:], format=ox.RdfFormat.N_QUADS)) if len(rest) > cut else []
        return cls(removed, added, header.get("dropped_graphs", []), header.get("created_graphs", []))

    def inverse(self) -> Delta:
        """The delta that undoes this one (applied right after it)."""
        return Delta(self.added, self.removed, self.created_graphs, self.dropped_graphs)

    def apply(self, store: ox.Store) -> None:
        """Apply to a pyoxigraph store: removals one by one, dropped then created graph names, then one
        transactional insertion."""
        for quad in self.removed:
            store.remove(quad)
        for graph in self.dropped_graphs:
            store.remove_graph(ox.NamedNode(graph))
        for graph in self.created_graphs:
            store.add_graph(ox.NamedNode(graph))
        if self.added:
            store.extend(self.added)


def graph_key(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def diff(
    before: Iterable[ox.Quad], after: Iterable[ox.Quad], graphs_before: Iterable[str], graphs_after: Iterable[str]
) -> Delta:
    old, new = set(before), set(after)
    names_old, names_new = set(graphs_before), set(graphs_after)
    return Delta(
        sorted(old - new, key=str),
        sorted(new - old, key=str),
        sorted(names_old - names_new),
        sorted(names_new - names_old),
    )


class DeltaLog:
    """The ``deltas/`` folder of a store: one file per generation."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, generation: int) -> Path:
        return self.folder / f"{generation:012d}{SUFFIX}"

    def generations(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        return sorted(int(p.stem) for p in self.folder.glob(f"*{SUFFIX}") if p.stem.isdigit())

    def last(self) -> int:
        found = self.generations()
        return found[-1] if found else 0

    def write(self, generation: int, delta: Delta) -> Path:
        """Write and fsync one delta (a temporary name, then an atomic rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(generation)
        temporary = target.with_suffix(".tmp")
        with open(temporary, "wb") as out:
            out.write(delta.encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        fsync_dir(self.folder)
        return target

    def read(self, generation: int) -> Delta:
        return Delta.decode(self.path(generation).read_bytes())

    def between(self, after: int, upto: int) -> Iterator[tuple[int, Delta]]:
        """The deltas with ``after < generation <= upto``, in order."""
        for generation in self.generations():
            if after < generation <= upto:
                yield generation, self.read(generation)

    def delete_upto(self, generation: int) -> None:
        for found in self.generations():
            if found <= generation:
                self.path(found).unlink(missing_ok=True)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
