"""Bounded execution: every query and write runs in a worker thread; the request waits at most the
configured timeout, then answers 503 while the worker is abandoned.

pyoxigraph cannot cancel a running query, so: (1) results are pulled lazily and the worker checks a cancel
flag between solutions, so an abandoned streaming query stops at its next solution; (2) a query stuck
inside one engine step (a huge ORDER BY or aggregate) keeps its thread until it finishes, but the pool has a
fixed size, so abandoned work can never take more than ``query_workers`` threads; (3) a write that times
out is abandoned only if it has not started its commit: a write is either refused (503, store unchanged) or
answered with its real outcome — never applied after a timeout was reported.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sparql_api.errors import HttpError

T = TypeVar("T")


class Job:
    """Shared state between a request and its worker: cancel flag, and the commit point of writes."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._state = "running"  # running -> committing | abandoned

    def begin_commit(self) -> bool:
        """Called by a write worker before touching the real store; False when the request gave up."""
        with self._lock:
            if self._state == "abandoned":
                return False
            self._state = "committing"
            return True

    def abandon(self) -> bool:
        """Called on timeout; False when the worker is already committing (the request must wait)."""
        with self._lock:
            if self._state == "committing":
                return False
            self._state = "abandoned"
            self.cancel.set()
            return True


class Abandoned(Exception):
    """The request timed out before the write committed: nothing was written."""


async def run_bounded(pool: ThreadPoolExecutor, work: Callable[[Job], T], timeout: float, what: str) -> T:
    job = Job()
    future = asyncio.get_running_loop().run_in_executor(pool, work, job)
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        if not job.abandon():
            return await future  # committing: the outcome is near and real
        raise HttpError(
            503,
            f"délai de {timeout:g} s dépassé pour {what_fr(what)} ; simplifiez-la ou ajoutez LIMIT",
            f"the {what} exceeded the {timeout:g} s timeout; simplify it or add a LIMIT",
            {"Retry-After": "5"},
        ) from None


def what_fr(what: str) -> str:
    return {"query": "la requête", "update": "la mise à jour", "write": "l'écriture"}.get(what, what)
