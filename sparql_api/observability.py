"""Request ids, structured access logs (one JSON line per request) and Prometheus metrics.

Secrets never reach the log: query parameters that may carry credentials are redacted, and tokens are only
accepted in the ``Authorization`` header anyway.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECRET_PARAMS = frozenset({"token", "access_token", "password", "key", "apikey", "api_key", "auth", "secret"})
ROUTES = ("/sparql", "/rdf-graphs", "/questions", "/id", "/def", "/catalog", "/dumps", "/.well-known", "/console",
          "/dashboard", "/static", "/health", "/ready", "/metrics", "/openapi.json", "/docs", "/import")
log = logging.getLogger("quartiers.access")


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per application)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("quartiers_http_requests", "HTTP requests", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram(
            "quartiers_http_request_duration_seconds", "Time to the end of the response", ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.timeouts = Gauge("quartiers_timeouts", "Tasks stopped at their timeout (since start)",
                              registry=self.registry)
        self.workers = Gauge("quartiers_workers", "Query worker processes", ["state"], registry=self.registry)
        self.worker_events = Gauge("quartiers_worker_events", "Query workers forked, killed, gone slow (since start)",
                                   ["event"], registry=self.registry)
        self.writer_restarts = Gauge("quartiers_writer_starts", "Writer process starts (since start)",
                                     registry=self.registry)
        self.writes = Gauge("quartiers_writes", "Writes committed and rejected (since start)", ["outcome"],
                            registry=self.registry)
        self.generation = Gauge("quartiers_write_generation", "Writes applied since the store was built",
                                registry=self.registry)
        self.cache = Gauge("quartiers_answer_cache", "Answer cache hits, misses, bytes", ["what"],
                           registry=self.registry)


def route_of(path: str) -> str:
    for route in ROUTES:
        if path == route or path.startswith(route + "/"):
            return route
    return "/" if path == "/" else "other"


def redacted(query_string: str) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if not any(k.lower() in SECRET_PARAMS for k, _ in pairs):
        return query_string
    return urlencode([(k, "REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in pairs])


class RequestLog:
    """ASGI middleware: a request id (``X-Request-Id``, kept from the client when sane), one JSON log line and
    the metrics of every request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, enabled: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_id(scope) or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        outcome = {"status": 500, "bytes": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope.get("path", ""))
            self.metrics.requests.labels(route, scope.get("method", ""), str(outcome["status"])).inc()
            self.metrics.latency.labels(route).observe(seconds)
            if self.enabled:
                log.info(json.dumps({
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "query": redacted(scope.get("query_string", b"").decode("latin-1"))[:500],
                    "status": outcome["status"],
                    "bytes": outcome["bytes"],
                    "ms": round(seconds * 1000, 2),
                    "client": (scope.get("client") or ["?"])[0],
                }, ensure_ascii=False))


def incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if 0 < len(text) <= 64 and all(c.isalnum() or c in "-_." for c in text):
                return text
    return None
