"""Complete answers kept for the current write generation: the same request answered again, without a worker.

A write bumps the generation and empties the cache, so an answer is never older than the data. Only answers
that were complete in one piece (at most ``entry_bytes``) are kept, least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Cached:
    media: str
    kind: str
    body: bytes


class AnswerCache:
    def __init__(self, max_bytes: int, entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entry_bytes = entry_bytes
        self.generation = -1
        self.entries: OrderedDict[tuple[object, ...], Cached] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    def _at(self, generation: int) -> None:
        if generation != self.generation:
            self.entries.clear()
            self.size = 0
            self.generation = generation

    def get(self, key: tuple[object, ...], generation: int) -> Cached | None:
        if self.max_bytes <= 0:
            return None
        self._at(generation)
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: tuple[object, ...], generation: int, value: Cached) -> None:
        if self.max_bytes <= 0 or len(value.body) > self.entry_bytes:
            return
        self._at(generation)
        if key in self.entries:
            self.size -= len(self.entries.pop(key).body)
        self.entries[key] = value
        self.size += len(value.body)
        while self.size > self.max_bytes and self.entries:
            _, old = self.entries.popitem(last=False)
            self.size -= len(old.body)
