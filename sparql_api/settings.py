"""Endpoint configuration: one frozen dataclass, passed to ``create_app`` and kept on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass

from graph.namespaces import BASE


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = BASE
    write_token: str | None = None  # None: updates and Graph Store writes are off
    write_token_name: str = "editor"  # who the token stands for, recorded in the write provenance
    open_writes: bool = False  # writes without any token (local development only), recorded as "anonymous"
    query_timeout: float = 30.0  # seconds, waiting for a worker included
    update_timeout: float = 120.0  # seconds (includes the SHACL gate)
    max_body_bytes: int = 10 * 1024 * 1024
    max_depth: int = 128  # nesting of groups/parentheses in SPARQL, of brackets/elements in RDF bodies
    allow_remote: tuple[str, ...] = ()  # IRI prefixes LOAD and SERVICE may reach; empty = none
    shacl_gate: bool = True
    gate_shapes: tuple[str, ...] | None = None  # shape files of the write gate; None = the project's shapes/
    min_severity: str = "Violation"
    cors_origins: tuple[str, ...] = ("*",)
    public_url: str | None = None  # e.g. https://example.org (behind a proxy); default: the request's URL
    union_default_graph: bool = True
    # the worker pool (see sparql_api.engine)
    max_workers: int = 8
    min_idle_workers: int = 2
    slow_after: float = 0.25  # seconds: a task running longer is "slow" (lower CPU priority, caps below)
    max_slow: int = 4
    max_slow_per_client: int = 2
    worker_memory_mb: int = 1024  # address space a worker may add to what it maps at start
    buffer_bytes: int = 256 * 1024  # answers up to this size get a Content-Length; longer ones are streamed
    cache_bytes: int = 32 * 1024 * 1024  # answers kept per write generation (0 = no cache)
    cache_entry_bytes: int = 1024 * 1024
    access_log: bool = True

    @property
    def writes_enabled(self) -> bool:
        return self.open_writes or bool(self.write_token)
