"""Killable query execution: queries over an on-disk store run in worker processes.

pyoxigraph cannot cancel a query stuck inside one engine step (a cross join under an aggregate, a huge
ORDER BY), and a thread cannot be killed: abandoned queries would keep their CPU and memory and, once they
fill the pool, make the endpoint unusable. For a store on disk, queries therefore run in a small pool of
worker processes that open the same RocksDB folder read-only; a query past its timeout is killed with its
process, and a fresh worker takes its place. A worker reopens the store when the write generation changed,
so it always sees the writes acknowledged before the query arrived. In-memory stores (tests, the rdflib
backend) keep the thread pool of ``execution.py``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from sparql_api.errors import HttpError, bad_request
from sparql_api.results import Serialized


@dataclass(frozen=True)
class QueryTask:
    """What a worker needs to answer one query (all picklable)."""

    text: str
    base_iri: str | None
    dataset: dict[str, Any]
    media: dict[str, str | None]  # result kind -> negotiated media type; None = nothing acceptable (406)
    max_rows: int
    generation: int  # the write generation the answer must reflect


@dataclass
class Worker:
    process: BaseProcess
    conn: Connection
    busy: bool = field(default=False)


def worker_main(path: str, conn: Connection, generation: int) -> None:
    """A worker process: open a read-only view of the store (which holds every write up to ``generation``),
    say it is ready, then answer tasks until told to stop (None)."""
    from graph.store import OxigraphStore, StoreError
    from sparql_api.results import Limiter, serialize

    store: OxigraphStore | None = OxigraphStore(Path(path), read_only=True)
    seen = generation
    conn.send(("ready", None))
    while True:
        try:
            task: QueryTask | None = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            if store is None or task.generation != seen:
                store = None  # release the previous view before opening the new one
                store = OxigraphStore(Path(path), read_only=True)
                seen = task.generation
            result = store.query(task.text, base_iri=task.base_iri, **task.dataset)
            media = task.media.get(result.kind)
            if media is None:
                conn.send(("not-acceptable", result.kind))
                continue
            out = serialize(result, media, Limiter(task.max_rows, None))
            conn.send(("ok", out))
        except StoreError as exc:
            conn.send(("invalid", str(exc)))
        except OSError as exc:
            conn.send(("failed", str(exc)))


class QueryProcesses:
    """A pool of worker processes over the store folder ``path``; ``run`` answers one query or 503s.

    ``generation`` tells the current write generation (bumped by every applied write); a worker started at
    generation g has seen every write up to g, and reopens its view when a task carries a newer one.
    """

    STARTUP_SECONDS = 120.0

    def __init__(self, path: Path, size: int, generation: Callable[[], int]) -> None:
        self.path = path
        self.size = max(1, size)
        self.generation = generation
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self._waiters = ThreadPoolExecutor(self.size + 2, thread_name_prefix="sparql-query-wait")
        self._starting: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start every worker and wait until they are ready, so queries never pay for process start-up."""
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._enlist(self._spawn()) for _ in range(self.size)))

    def _spawn(self) -> Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main,
            args=(str(self.path), child, self.generation()),
            name="sparql-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = Worker(process, parent)
        self._workers.append(worker)
        return worker

    async def _enlist(self, worker: Worker) -> None:
        """Put a new worker in the idle queue once it said it is ready (or drop it if it never does)."""
        loop = asyncio.get_running_loop()
        try:
            reply = await asyncio.wait_for(
                loop.run_in_executor(self._waiters, worker.conn.recv), self.STARTUP_SECONDS
            )
        except (TimeoutError, EOFError, OSError):
            self._kill(worker)
            return
        if reply[0] == "ready" and self._idle is not None:
            self._idle.put_nowait(worker)

    def _kill(self, worker: Worker, pending: asyncio.Future[Any] | None = None) -> None:
        """Kill a worker's process; close its pipe once no thread is reading it any more (``pending``), so
        the pipe's descriptor cannot be reused by a new worker while an old read is in flight."""
        worker.process.kill()
        worker.process.join(timeout=5)
        if pending is None or pending.done():
            worker.conn.close()
        else:
            pending.add_done_callback(lambda _: worker.conn.close())
        if worker in self._workers:
            self._workers.remove(worker)

    def _discard(self, worker: Worker, pending: asyncio.Future[Any] | None = None) -> None:
        """Kill a worker (a query past its timeout, or a dead process) and start a fresh one in its place."""
        self._kill(worker, pending)
        task = asyncio.get_running_loop().create_task(self._enlist(self._spawn()))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def run(self, task: QueryTask, timeout: float) -> Serialized:
        """Answer ``task`` within ``timeout`` seconds (waiting for a free worker included), or raise 503."""
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise busy(timeout, stopped=False) from None
        pending: asyncio.Future[Any] | None = None
        try:
            worker.conn.send(task)
            remaining = max(0.0, deadline - loop.time())
            pending = loop.run_in_executor(self._waiters, worker.conn.recv)
            reply = await asyncio.wait_for(asyncio.shield(pending), remaining)
        except TimeoutError:
            self._discard(worker, pending)
            raise busy(timeout, stopped=True) from None
        except asyncio.CancelledError:  # the request went away: stop its query, do not lose the worker
            self._discard(worker, pending)
            raise
        except (EOFError, OSError) as exc:  # the worker died (e.g. out of memory)
            self._discard(worker)
            raise HttpError(
                500, f"le processus de requête s'est arrêté ({exc})", f"the query process died ({exc})"
            ) from exc
        self._idle.put_nowait(worker)
        return answer(reply)

    def close(self) -> None:
        for worker in list(self._workers):
            self._kill(worker)
        self._waiters.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and monitoring)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]


def busy(timeout: float, *, stopped: bool) -> HttpError:
    if stopped:
        fr, en = "la requête a été arrêtée", "the query was stopped"
    else:
        fr, en = "aucun processus de requête libre à temps", "no query process was free in time"
    return HttpError(
        503,
        f"délai de {timeout:g} s dépassé ({fr}) ; simplifiez la requête ou ajoutez LIMIT",
        f"the {timeout:g} s timeout was exceeded ({en}); simplify the query or add a LIMIT",
        {"Retry-After": "5"},
    )


def answer(reply: tuple[str, Any]) -> Serialized:
    kind, value = reply
    if kind == "ok":
        return value
    if kind == "invalid":
        raise bad_request(f"requête SPARQL invalide : {value}", f"invalid SPARQL query: {value}")
    if kind == "failed":
        raise bad_request(f"échec de l'évaluation : {value}", f"evaluation failed: {value}")
    raise HttpError(
        406,
        "aucun format demandé n'est disponible pour ce type de résultat",
        f"none of the requested formats is available for a {value} result",
    )
