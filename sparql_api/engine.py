"""The server's side of query and write execution: the zygote, the worker pool, the writer.

Nothing here parses or evaluates client input: tasks go to forked worker processes (queries, Graph Store reads,
dumps, counts) and to the writer process (updates, Graph Store writes), over sockets, with frames (``frames``).

Fairness and limits, in the pool:
- a task waits for an idle worker; new workers are forked on demand up to ``max_workers``; waiting requests
  are served round-robin by client, so one client's burst does not starve the others;
- a task still running after ``slow_after`` seconds is *slow*: its worker's CPU priority is lowered (nice 10),
  so cheap queries keep their latency beside it; a client may run ``max_slow_per_client`` slow tasks at once
  (more: the newest is stopped, 429) and the whole pool ``max_slow`` (more: 503);
- each worker's address space is capped (``worker_memory_mb`` above its start), each task has a deadline, and a
  client that hangs up has its task stopped (the worker is killed and replaced);
- answers up to ``buffer_bytes`` are sent with a Content-Length; longer ones are streamed, and a failure after
  the first byte aborts the connection (a client never takes a cut result for a complete one).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import secrets
import signal
import socket
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.deltas import DeltaLog
from sparql_api import frames
from sparql_api.errors import HttpError
from sparql_api.settings import Settings
from sparql_api.zygote import CONTROL_BYTES, zygote_main

INTERNAL_CLIENT = "internal"


class StreamAborted(Exception):
    """A streamed answer failed after its first byte; the connection must be dropped."""


@dataclass
class Child:
    """A forked process (a query worker or the writer) and the server's end of its socket."""

    id: int
    pid: int
    role: str
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    generation: int = 0
    client: str | None = None
    slow: bool = False
    niced: bool = False
    killed: str | None = None  # why the server killed it: timeout, client-cap, busy, cancelled, stop
    timer: asyncio.TimerHandle | None = None
    cpu_at_start: float = 0.0
    retire_after_task: bool = False
    process: multiprocessing.process.BaseProcess | None = None  # set when the server itself spawned it

    def send(self, header: dict[str, Any], body: bytes = b"") -> None:
        frames.write(self.writer, header, body)

    async def read(self) -> tuple[dict[str, Any], bytes]:
        return await frames.read(self.reader)

    def kill(self, reason: str) -> None:
        if self.killed is None:
            self.killed = reason
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.writer.close()
        if self.process is not None:
            self.process.join(timeout=5)


@dataclass
class Answer:
    """The head of a task's answer and its body: complete (``body``) or still streaming (``stream``)."""

    media: str
    kind: str
    body: bytes | None = None
    stream: AsyncIterator[bytes] | None = None


class Zygote:
    """The server's link to the zygote process."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.process: multiprocessing.process.BaseProcess | None = None
        self.control: socket.socket | None = None
        self.ready: asyncio.Future[dict[str, Any]] | None = None
        self.forks: dict[int, asyncio.Future[tuple[int, socket.socket]]] = {}
        self.exits: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.generation = 0
        self.ids = itertools.count(1)

    async def start(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        context = multiprocessing.get_context("spawn")
        # not a daemon: it starts a child of its own to read the on-disk store; it exits when the server's end
        # of the control socket closes
        self.process = context.Process(target=zygote_main, args=(theirs, self.config), name="quartiers-zygote")
        self.process.start()
        theirs.close()
        ours.setblocking(False)
        self.control = ours
        self.ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._on_control)
        info = await self.ready
        self.generation = int(info["generation"])
        return info

    def _on_control(self) -> None:
        assert self.control is not None
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(self.control, CONTROL_BYTES, 4)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, fds = b"", []
            if not data:
                self._gone()
                return
            self._dispatch(json.loads(data), fds)

    def _dispatch(self, message: dict[str, Any], fds: list[int]) -> None:
        op = message.get("op")
        if op == "ready" and self.ready is not None and not self.ready.done():
            self.ready.set_result(message)
        elif op == "failed" and self.ready is not None and not self.ready.done():
            self.ready.set_exception(RuntimeError(f"the zygote could not load the store: {message.get('error')}"))
        elif op == "forked":
            future = self.forks.pop(int(message["id"]), None)
            sock = socket.socket(fileno=fds[0])
            if future is None or future.done():
                sock.close()
            else:
                future.set_result((int(message["pid"]), sock))
        elif op == "exited":
            pid = int(message["pid"])
            future = self.exits.setdefault(pid, asyncio.get_running_loop().create_future())
            if not future.done():
                future.set_result(message)

    def _gone(self) -> None:
        loop = asyncio.get_running_loop()
        if self.control is not None:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(self.control.fileno())
        for future in [*self.forks.values(), *( [self.ready] if self.ready else [])]:
            if not future.done():
                future.set_exception(RuntimeError("the zygote stopped"))
        self.forks.clear()

    def _send(self, message: dict[str, Any]) -> None:
        assert self.control is not None
        self.control.send(json.dumps(message).encode())

    async def fork(self, role: str) -> tuple[int, socket.socket]:
        ident = next(self.ids)
        future: asyncio.Future[tuple[int, socket.socket]] = asyncio.get_running_loop().create_future()
        self.forks[ident] = future
        self._send({"op": "fork", "role": role, "id": ident})
        return await future

    def sync(self, generation: int) -> None:
        if generation > self.generation:
            self._send({"op": "sync", "generation": generation})
            self.generation = generation

    async def exit_status(self, pid: int, timeout: float = 2.0) -> dict[str, Any] | None:
        future = self.exits.setdefault(pid, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            return None
        finally:
            if future.done():
                self.exits.pop(pid, None)

    def close(self) -> None:
        if self.control is not None:
            with contextlib.suppress(OSError):
                self._send({"op": "stop"})
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self.control.fileno())
            self.control.close()
            self.control = None
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=5)


async def connect(pid: int, sock: socket.socket, role: str, ident: int, generation: int) -> Child:
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=1 << 22)
    return Child(ident, pid, role, reader, writer, generation=generation)


class Pool:
    """The query workers: acquire one for a task (fairly), release it, stop a slow or abandoned one."""

    def __init__(self, zygote: Zygote, settings: Settings) -> None:
        self.zygote = zygote
        self.settings = settings
        self.children: dict[int, Child] = {}
        self.idle: list[Child] = []
        self.forking = 0
        self.waiters: dict[str, deque[asyncio.Future[Child]]] = {}
        self.turns: deque[str] = deque()
        self.stats = {"forked": 0, "killed": 0, "slow": 0}
        self._tasks: set[asyncio.Task[None]] = set()
        self.forkable = False  # the zygote is ready

    def adopt(self, child: Child) -> None:
        """A worker the pool did not fork (the start-up disk reader)."""
        self.children[child.id] = child
        self._give(child)

    # --- lifecycle ---------------------------------------------------------------------------------------
    async def prefork(self) -> None:
        self.forkable = True
        await asyncio.gather(*(self._start_fork() for _ in range(self.settings.min_idle_workers)))

    def retire_when_free(self, child: Child) -> None:
        child.retire_after_task = True
        if child in self.idle:
            self.retire(child)

    def _want_more(self) -> bool:
        """Slow tasks (at most ``max_slow``) do not count against ``max_workers``: cheap queries always find or
        get a worker while slow ones run."""
        slow = sum(1 for c in self.children.values() if c.slow and not c.killed)
        return self.forkable and len(self.children) - slow + self.forking < self.settings.max_workers

    def _keep_warm(self) -> None:
        while len(self.idle) + self.forking < self.settings.min_idle_workers and self._want_more():
            self._start_fork()

    def _start_fork(self) -> asyncio.Task[None]:
        """Fork one more worker (counted at once, so callers never ask twice for the same need)."""
        self.forking += 1
        task = asyncio.get_running_loop().create_task(self._fork())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _fork(self) -> None:
        try:
            pid, sock = await self.zygote.fork("worker")
            child = await connect(pid, sock, "worker", pid, self.zygote.generation)
            self.children[child.id] = child
            self.stats["forked"] += 1
        except (RuntimeError, OSError):
            return
        finally:
            self.forking -= 1
        self._give(child)

    def _give(self, child: Child) -> None:
        """Hand a free worker to the next waiting client (round-robin), or keep it idle."""
        while self.turns:
            client = self.turns.popleft()
            queue = self.waiters.get(client)
            while queue:
                future = queue.popleft()
                if not future.done():
                    if queue:
                        self.turns.append(client)
                    else:
                        self.waiters.pop(client, None)
                    future.set_result(child)
                    return
            self.waiters.pop(client, None)
        self.idle.append(child)

    async def acquire(self, client: str, deadline: float) -> Child:
        if self.idle:
            child = self.idle.pop()
            self._keep_warm()
            return child
        if self._want_more():
            self._start_fork()
        future: asyncio.Future[Child] = asyncio.get_running_loop().create_future()
        queue = self.waiters.setdefault(client, deque())
        if not queue and client not in self.turns:
            self.turns.append(client)
        queue.append(future)
        remaining = deadline - time.monotonic()
        try:
            return await asyncio.wait_for(future, max(0.0, remaining))
        except (TimeoutError, asyncio.CancelledError):
            if future.done() and not future.cancelled() and future.exception() is None:
                self._give(future.result())  # granted just as we gave up: pass it on
            raise

    def start_task(self, child: Child, client: str) -> None:
        """``child.cpu_at_start`` is the CPU time the worker reported at the end of its previous task (a fresh
        fork starts at 0), so starting a task reads nothing."""
        child.client = client
        if client != INTERNAL_CLIENT:
            child.timer = asyncio.get_running_loop().call_later(self.settings.slow_after, self._check_slow, child)

    def _check_slow(self, child: Child) -> None:
        """A task is slow once its worker has *used* ``slow_after`` seconds of CPU (waiting for a busy CPU does
        not count: cheap queries on a loaded machine are not penalised)."""
        if child.killed or child.client is None:
            return
        used = cpu_seconds(child.pid) - child.cpu_at_start
        if used < self.settings.slow_after:
            delay = max(0.05, self.settings.slow_after - used)
            child.timer = asyncio.get_running_loop().call_later(delay, self._check_slow, child)
            return
        self._slow(child)

    def _slow(self, child: Child) -> None:
        child.slow = True
        self.stats["slow"] += 1
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, child.pid, 10)
            child.niced = True
        mine = sum(1 for c in self.children.values() if c.slow and c.client == child.client and not c.killed)
        total = sum(1 for c in self.children.values() if c.slow and not c.killed)
        if mine > self.settings.max_slow_per_client:
            self.kill(child, "client-cap")
        elif total > self.settings.max_slow:
            self.kill(child, "busy")
        elif any(self.waiters.values()) and self._want_more():
            self._start_fork()  # a cheap query waits: it gets a worker beside the slow one
        else:
            self._keep_warm()

    def release(self, child: Child) -> None:
        """A task is over: reuse the worker, or replace it (killed, niced, or far behind the write log)."""
        if child.timer is not None:
            child.timer.cancel()
            child.timer = None
        child.client = None
        child.slow = False
        if child.killed or child.niced or child.retire_after_task or child.writer.is_closing():
            self.retire(child)
        else:
            self._give(child)
        self._keep_warm()

    def kill(self, child: Child, reason: str) -> None:
        self.stats["killed"] += 1
        child.kill(reason)

    def retire(self, child: Child) -> None:
        if not child.killed:
            child.kill("retired")
        self.children.pop(child.id, None)
        if child in self.idle:
            self.idle.remove(child)
        if self._want_more() and self.waiters:
            self._start_fork()

    def generations(self) -> list[int]:
        return [c.generation for c in self.children.values()]

    def close(self) -> None:
        for child in list(self.children.values()):
            child.kill("stop")
        self.children.clear()
        self.idle.clear()


class WriterLink:
    """The writer process: one write at a time, committed only if the request is still waiting."""

    def __init__(self, zygote: Zygote, settings: Settings) -> None:
        self.zygote = zygote
        self.settings = settings
        self.lock = asyncio.Lock()
        self.child: Child | None = None
        self.restarts = 0

    async def ensure(self) -> tuple[Child, int]:
        if self.child is not None and not self.child.writer.is_closing():
            return self.child, -1
        pid, sock = await self.zygote.fork("writer")
        child = await connect(pid, sock, "writer", pid, self.zygote.generation)
        header, _ = await asyncio.wait_for(child.read(), 120)
        self.child = child
        self.restarts += 1
        return child, int(header.get("generation", 0))

    def drop(self, reason: str) -> None:
        if self.child is not None:
            self.child.kill(reason)
            self.child = None

    def close(self) -> None:
        self.drop("stop")


class Engine:
    """Everything the HTTP routes need to run tasks: ``run`` (read tasks), ``write``, ``counts``."""

    def __init__(self, store_dir: Path, settings: Settings) -> None:
        self.store_dir = store_dir
        self.settings = settings
        self.zygote = Zygote(zygote_config(store_dir, settings))
        self.pool = Pool(self.zygote, settings)
        self.writer = WriterLink(self.zygote, settings)
        self.log = DeltaLog(store_dir / "deltas")
        self.generation = 0
        self.boot = secrets.token_hex(4)
        self.started_at = time.time()
        self.ready = False
        self.info: dict[str, Any] = {}
        self._counts: tuple[int, dict[str, int]] | None = None
        self.metrics = {"timeouts": 0, "writes": 0, "rejected_writes": 0}
        self.replica_ready = asyncio.Event()
        self._replica_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving: at once from the on-disk store (a read-only reader process) when nothing is left to
        replay, while the zygote loads the in-memory replica; then from the replica's forked workers."""
        self._replica_task = asyncio.get_running_loop().create_task(self._start_replica())
        if self.log.generations() or not (self.store_dir / "oxigraph").is_dir():
            await self._replica_task  # the on-disk store lags the write log: wait for the replica
            return
        try:
            self.pool.adopt(await self._spawn_disk_reader())
        except (OSError, RuntimeError, TimeoutError, frames.FrameError):
            await self._replica_task
            return
        self.ready = True

    async def _start_replica(self) -> None:
        self.info = await self.zygote.start()
        self.generation = max(self.generation, self.zygote.generation)
        await self.pool.prefork()
        for child in list(self.pool.children.values()):
            if child.role == "disk":
                self.pool.retire_when_free(child)
        if self.settings.writes_enabled:
            async with self.writer.lock:
                _, generation = await self.writer.ensure()
                self._committed(max(generation, self.generation))
        self.replica_ready.set()
        self.ready = True

    async def _spawn_disk_reader(self) -> Child:
        from sparql_api.worker import disk_reader_main

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        context = multiprocessing.get_context("spawn")
        process = context.Process(target=disk_reader_main, args=(theirs, str(self.store_dir)),
                                  name="quartiers-disk", daemon=True)
        process.start()
        theirs.close()
        assert process.pid is not None
        child = await connect(process.pid, ours, "disk", -process.pid, 0)
        child.process = process
        header, _ = await asyncio.wait_for(child.read(), 60)
        if header.get("op") != "ready":
            child.kill("failed")
            raise RuntimeError("the disk reader did not start")
        return child

    async def close(self) -> None:
        self.ready = False
        if self._replica_task is not None and not self._replica_task.done():
            self._replica_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._replica_task
        self.writer.close()
        self.pool.close()
        await asyncio.to_thread(self.zygote.close)

    @property
    def etag(self) -> str:
        """Changes with every write and every restart."""
        return f"{self.boot}-{self.generation}"

    # --- read tasks -------------------------------------------------------------------------------------
    async def run(self, header: dict[str, Any], *, client: str, timeout: float | None = None) -> Answer:
        """Run a read task; raise HttpError for an error answer (before any byte was sent)."""
        timeout = timeout or self.settings.query_timeout
        deadline = time.monotonic() + timeout
        try:
            child = await self.pool.acquire(client, deadline)
        except TimeoutError:
            self.metrics["timeouts"] += 1
            raise busy(timeout, stopped=False) from None
        header = {**header, "generation": self.generation}
        self.pool.start_task(child, client)
        released = False
        try:
            child.send(header)
            first, body = await self._next(child, deadline, timeout)
            if first["op"] == "complete":
                child.generation = header["generation"]
                self.pool.release(child)
                released = True
                return Answer(first["media"], first["kind"], body=body)
            if first["op"] == "error":
                self.pool.release(child)
                released = True
                raise task_error(first)
            if first["op"] != "head":
                raise HttpError(500, "réponse inattendue du processus de requête", "unexpected worker reply")
            buffered: list[bytes] = []
            size = 0
            while size < self.settings.buffer_bytes:
                frame, body = await self._next(child, deadline, timeout)
                if frame["op"] == "chunk":
                    buffered.append(body)
                    size += len(body)
                elif frame["op"] == "end":
                    child.generation = header["generation"]
                    self.pool.release(child)
                    released = True
                    return Answer(first["media"], first["kind"], body=b"".join(buffered))
                else:
                    self.pool.release(child)
                    released = True
                    raise task_error(frame)
            released = True  # the stream owns the worker from now on
            return Answer(first["media"], first["kind"],
                          stream=self._stream(child, buffered, deadline, timeout, header["generation"]))
        except BaseException:
            if not released:
                if child.killed is None:
                    self.pool.kill(child, "cancelled")
                self.pool.release(child)
            raise

    async def _next(self, child: Child, deadline: float, timeout: float) -> tuple[dict[str, Any], bytes]:
        try:
            async with asyncio.timeout_at(self._loop_deadline(deadline)):
                frame = await child.read()
        except TimeoutError:
            self.metrics["timeouts"] += 1
            self.pool.kill(child, "timeout")
            raise busy(timeout, stopped=True) from None
        except frames.FrameError:
            raise await self._death(child, timeout) from None
        if "cpu" in frame[0]:
            child.cpu_at_start = float(frame[0]["cpu"])
        return frame

    @staticmethod
    def _loop_deadline(deadline: float) -> float:
        """A ``time.monotonic`` deadline on the event loop's clock."""
        return asyncio.get_running_loop().time() + (deadline - time.monotonic())

    async def _death(self, child: Child, timeout: float) -> HttpError:
        """Why a worker's socket closed mid-task, as the error for the client."""
        reason = child.killed
        if reason in ("timeout", "cancelled"):
            return busy(timeout, stopped=True)
        if reason == "client-cap":
            return HttpError(
                429,
                f"trop de requêtes longues en même temps pour ce client (au plus {self.settings.max_slow_per_client})",
                f"too many long-running queries at once from this client (at most {self.settings.max_slow_per_client})",
                {"Retry-After": "5"},
            )
        if reason == "busy":
            return HttpError(
                503,
                "le service exécute déjà trop de requêtes longues ; réessayez",
                "the service is already running too many long queries; try again",
                {"Retry-After": "5"},
            )
        child.killed = "died"
        if child.process is not None:
            child.process.join(timeout=2)
            code = child.process.exitcode
            status: dict[str, Any] | None = {"signal": -code} if code is not None and code < 0 else {"code": code}
        else:
            status = await self.zygote.exit_status(child.pid)
        sig = (status or {}).get("signal")
        if sig in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS) or status is None:
            return HttpError(
                503,
                f"la requête a dépassé la mémoire permise ({self.settings.worker_memory_mb} Mo) ou arrêté son "
                "processus ; ajoutez LIMIT ou des filtres",
                f"the query exceeded the memory limit ({self.settings.worker_memory_mb} MB) or stopped its "
                "process; add a LIMIT or filters",
            )
        return HttpError(500, "le processus de requête s'est arrêté", f"the query process stopped ({status})")

    async def _stream(
        self, child: Child, buffered: list[bytes], deadline: float, timeout: float, generation: int
    ) -> AsyncIterator[bytes]:
        released = False
        try:
            for chunk in buffered:
                yield chunk
            while True:
                try:
                    frame, body = await self._next(child, deadline, timeout)
                except HttpError as exc:
                    raise StreamAborted(exc.message) from None
                if frame["op"] == "chunk":
                    yield body
                elif frame["op"] == "end":
                    child.generation = generation
                    self.pool.release(child)
                    released = True
                    return
                else:
                    raise StreamAborted(task_error(frame).message)
        finally:
            if not released:
                if child.killed is None:
                    self.pool.kill(child, "cancelled")
                self.pool.release(child)

    async def collect(self, header: dict[str, Any], *, timeout: float | None = None) -> tuple[Answer, bytes]:
        """Run an internal task and read its whole answer."""
        answer = await self.run(header, client=INTERNAL_CLIENT, timeout=timeout)
        if answer.body is not None:
            return answer, answer.body
        assert answer.stream is not None
        parts = [chunk async for chunk in answer.stream]
        return answer, b"".join(parts)

    async def counts(self) -> dict[str, int]:
        """Triples per graph, cached per generation."""
        generation = self.generation
        if self._counts is None or self._counts[0] != generation:
            _, body = await self.collect({"op": "counts"})
            self._counts = (generation, json.loads(body))
        return dict(self._counts[1])

    # --- writes -----------------------------------------------------------------------------------------
    async def write(self, header: dict[str, Any], body: bytes = b"") -> dict[str, Any]:
        """Plan, validate and commit one write in the writer process; the outcome survives a client leaving."""
        return await asyncio.shield(self._write(header, body))

    async def _write(self, header: dict[str, Any], body: bytes) -> dict[str, Any]:
        timeout = self.settings.update_timeout
        deadline = time.monotonic() + timeout
        await asyncio.wait_for(self.replica_ready.wait(), timeout)  # the writer starts with the replica
        async with self.writer.lock:
            child, generation = await self.writer.ensure()
            if generation >= 0:
                self._committed(max(generation, self.generation))
            child.send(header, body)
            try:
                reply, extra = await asyncio.wait_for(child.read(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self.metrics["timeouts"] += 1
                self.writer.drop("timeout")
                raise HttpError(503, f"délai de {timeout:g} s dépassé ; rien n'a été écrit",
                                f"the {timeout:g} s timeout was exceeded; nothing was written",
                                {"Retry-After": "5"}) from None
            except frames.FrameError:
                self.writer.drop("died")
                raise HttpError(500, "le processus d'écriture s'est arrêté ; rien n'a été écrit",
                                "the write process stopped; nothing was written") from None
            if reply["op"] == "plan":
                in_time = time.monotonic() < deadline
                child.send({"op": "commit", "ok": in_time})
                try:
                    reply, extra = await asyncio.wait_for(child.read(), 600)
                except (TimeoutError, frames.FrameError):
                    self.writer.drop("died")
                    raise HttpError(500, "le processus d'écriture s'est arrêté pendant la validation finale",
                                    "the write process stopped while committing") from None
                if not in_time:
                    self.metrics["timeouts"] += 1
                    raise HttpError(503, f"délai de {timeout:g} s dépassé ; rien n'a été écrit",
                                    f"the {timeout:g} s timeout was exceeded; nothing was written",
                                    {"Retry-After": "5"})
            if reply["op"] == "done":
                self.metrics["writes"] += 1
                self._committed(int(reply["generation"]))
                return reply
            if reply["op"] == "rejected":
                self.metrics["rejected_writes"] += 1
                raise WriteRejectedError(reply["report"], extra.decode())
            raise task_error(reply)

    def _committed(self, generation: int) -> None:
        """A write landed (or a writer replayed the log): replicas and caches follow, old log files go."""
        self.generation = max(self.generation, generation)
        self.zygote.sync(self.generation)
        floor = min([self.zygote.generation, *self.pool.generations()])
        with contextlib.suppress(OSError):
            self.log.delete_upto(floor)

    def status(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "replica": self.replica_ready.is_set(),
            "generation": self.generation,
            "workers": len(self.pool.children),
            "idle_workers": len(self.pool.idle),
            "writer": self.writer.child is not None,
            "load_seconds": self.info.get("seconds"),
            "quads": self.info.get("quads"),
        }

    def pids(self) -> list[int]:
        """Every process of the server's tree (the zygote, its workers and the writer)."""
        found = [c.pid for c in self.pool.children.values()]
        if self.writer.child is not None:
            found.append(self.writer.child.pid)
        if self.zygote.process is not None and self.zygote.process.pid is not None:
            found.append(self.zygote.process.pid)
        return found


class WriteRejectedError(Exception):
    """The SHACL gate refused a write: its report as JSON and as Turtle."""

    def __init__(self, report: dict[str, Any], turtle: str) -> None:
        super().__init__("SHACL validation failed")
        self.report = report
        self.turtle = turtle


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def task_error(frame: dict[str, Any]) -> HttpError:
    return HttpError(int(frame.get("status", 500)), str(frame.get("fr", "")), str(frame.get("en", "")))


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


def zygote_config(store_dir: Path, settings: Settings) -> dict[str, Any]:
    return {
        "store_dir": str(store_dir),
        "base_iri": settings.base_iri,
        "worker_memory_mb": settings.worker_memory_mb,
        "shacl_gate": settings.shacl_gate,
        "min_severity": settings.min_severity,
        "gate_shapes": list(settings.gate_shapes) if settings.gate_shapes is not None else None,
        "allow_remote": list(settings.allow_remote),
        "max_depth": settings.max_depth,
    }
