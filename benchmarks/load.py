"""A keep-alive HTTP load client: N threads, each over its own persistent connection (one httpx.Client).

Each thread binds its own loopback source address (127.0.0.10+i): to a server that schedules per client (this
project caps slow tasks per client address), the threads are N clients, as N users would be. Every query text is
made unique by a trailing comment, so no answer cache serves a repeated request (the peers have none).
"""

from __future__ import annotations

import contextlib
import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "text/turtle"


@dataclass
class Cell:
    """The requests of one (server, query, concurrency) measurement."""

    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        ordered = sorted(self.latencies)
        return {
            "concurrency": self.concurrency,
            "requests": len(ordered),
            "errors": dict(self.errors),
            "rps": len(ordered) / self.elapsed if self.elapsed else 0.0,
            "p50_ms": percentile(ordered, 50) * 1000,
            "p95_ms": percentile(ordered, 95) * 1000,
            "p99_ms": percentile(ordered, 99) * 1000,
        }


def percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1]


def client(index: int, timeout: float) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{10 + index % 240}")
    return httpx.Client(transport=transport, timeout=timeout, headers={"Connection": "keep-alive"})


_unique = itertools.count()


def unique(query: str) -> str:
    return f"{query}\n# bench {next(_unique)}"


def request(http: httpx.Client, url: str, query: str, accept: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = http.get(url, params={"query": query}, headers={"Accept": accept})
    _ = response.content
    return response.status_code, time.perf_counter() - started


def run_cell(
    url: str,
    queries: Callable[[int], str],
    accept: str,
    concurrency: int,
    duration: float,
    min_requests: int = 3,
    timeout: float = 60.0,
) -> Cell:
    """Each thread sends requests back to back until ``duration`` seconds have passed (and the cell has at least
    ``min_requests`` answers); latencies of the 200 answers, other statuses and exceptions counted as errors."""
    cell = Cell(concurrency)
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    counter = itertools.count()
    deadline = [0.0]

    def worker(index: int) -> None:
        with client(index, timeout) as http:
            with contextlib.suppress(httpx.HTTPError):  # open the connection outside the timing
                http.get(url.rsplit("/", 1)[0] + "/", timeout=5)
            barrier.wait()
            while True:
                n = next(counter)
                if time.perf_counter() > deadline[0] and n >= min_requests:
                    return
                try:
                    status, seconds = request(http, url, unique(queries(n)), accept)
                    key = None if status == 200 else str(status)
                except httpx.HTTPError as exc:
                    key, seconds = type(exc).__name__, 0.0
                with lock:
                    if key is None:
                        cell.latencies.append(seconds)
                    else:
                        cell.errors[key] = cell.errors.get(key, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    deadline[0] = started + duration
    for thread in threads:
        thread.join()
    cell.elapsed = time.perf_counter() - started
    return cell


class Background:
    """``count`` clients each sending ``query`` in a loop (distinct source addresses) until stopped; the client
    hangs up after ``hang_up`` seconds (a slow query's client that gives up)."""

    def __init__(self, url: str, query: str, count: int, hang_up: float, first_index: int = 100) -> None:
        self.url, self.query, self.hang_up = url, query, hang_up
        self.stop = threading.Event()
        self.statuses: list[str] = []
        self.threads = [threading.Thread(target=self.loop, args=(first_index + i,), daemon=True) for i in range(count)]

    def loop(self, index: int) -> None:
        while not self.stop.is_set():
            with client(index, self.hang_up) as http:
                try:
                    status, _ = request(http, self.url, unique(self.query), SELECT_ACCEPT)
                    self.statuses.append(str(status))
                except httpx.HTTPError as exc:
                    self.statuses.append(type(exc).__name__)

    def __enter__(self) -> Background:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=self.hang_up + 5)
