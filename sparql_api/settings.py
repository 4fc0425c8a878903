"""Endpoint configuration: one frozen dataclass, passed to ``create_app`` and kept on ``app.state``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.namespaces import BASE

# an injected validator(shadow_store, *, graphs, min_severity) -> report with .conforms, .to_json(), .to_turtle()
Validator = Callable[..., Any]


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = BASE
    write_token: str | None = None  # None: updates and Graph Store writes are off
    write_token_name: str = "editor"  # who the token stands for, recorded in the write provenance
    open_writes: bool = False  # writes without any token (local development only), recorded as "anonymous"
    query_timeout: float = 30.0  # seconds
    update_timeout: float = 120.0  # seconds (includes the SHACL gate)
    max_result_rows: int = 100_000  # SELECT rows / CONSTRUCT triples; more are cut (header Quartiers-Truncated)
    max_body_bytes: int = 10 * 1024 * 1024
    allow_remote: tuple[str, ...] = ()  # IRI prefixes LOAD and SERVICE may reach; empty = none
    shacl_gate: bool = True
    validator: Validator | None = None  # None: the project shapes on what a write changes (validate_change)
    min_severity: str = "Violation"
    cors_origins: tuple[str, ...] = ("*",)
    public_url: str | None = None  # e.g. https://example.org (behind a proxy); default: the request's URL
    query_workers: int = 4  # query worker processes (store on disk) or threads (store in memory)
    isolate_queries: bool = True  # store on disk: run queries in killable worker processes
    union_default_graph: bool = True

    @property
    def writes_enabled(self) -> bool:
        return self.open_writes or bool(self.write_token)

    def remote_allowed(self, iri: str) -> bool:
        return any(iri == allowed or iri.startswith(allowed) for allowed in self.allow_remote)
