"""``quartiers serve``: build or reuse the store, then serve it (SPARQL, Graph Store, pages)."""

from __future__ import annotations

import argparse
import gc
import os
from pathlib import Path

from graph.build import open_built_store
from graph.layout import default_store_dir, graph_files
from graph.namespaces import BASE
from graph.progress import graph_progress
from sparql_api.settings import Settings

TOKEN_ENV = "QUARTIERS_TOKEN"


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve", parents=parents, help="servir le graphe / serve the graph (SPARQL, Graph Store, pages)",
        description="SPARQL 1.1 endpoint (/sparql), Graph Store (/rdf-graphs) and pages over the Quartiers KG "
        "dataset. Writes are enabled by a token read from $QUARTIERS_TOKEN or --token-file (never from the "
        "command line, where every user of the machine could read it).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token-file", type=Path, help="file holding the Bearer token that enables writes")
    parser.add_argument("--token-name", default="editor", help="agent name recorded for writes with the token")
    parser.add_argument("--timeout", type=float, default=30.0, help="query timeout in seconds")
    parser.add_argument("--workers", type=int, default=8, help="query worker processes at most")
    parser.add_argument("--worker-memory", type=int, default=1024, metavar="MB",
                        help="memory a query may use (MB) before it is stopped")
    parser.add_argument("--no-shacl-gate", action="store_true", help="accept writes without SHACL validation")
    parser.add_argument("--allow-service", nargs="*", default=[], metavar="IRI",
                        help="IRI prefixes that SERVICE and LOAD may reach (default: none)")
    parser.add_argument("--cors", nargs="*", default=["*"], metavar="ORIGIN")
    parser.add_argument("--public-url", help="the URL clients use (behind a proxy), e.g. https://example.org")
    parser.add_argument("--rebuild", action="store_true", help="reload every file into the store")
    parser.add_argument("--no-access-log", action="store_true")
    parser.set_defaults(func=run)


def read_token(args: argparse.Namespace) -> str | None:
    if args.token_file:
        return args.token_file.read_text(encoding="utf-8").strip() or None
    return os.environ.get(TOKEN_ENV) or None


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host, port=args.port, base_iri=args.base or BASE, write_token=read_token(args),
        write_token_name=args.token_name, query_timeout=args.timeout, max_workers=args.workers,
        worker_memory_mb=args.worker_memory, allow_remote=tuple(args.allow_service),
        shacl_gate=not args.no_shacl_gate, cors_origins=tuple(args.cors), public_url=args.public_url,
        access_log=not args.no_access_log,
    )


def prepare_store(args: argparse.Namespace) -> Path:
    """Build or update the store, then close it: the server's writer process opens it for writing."""
    target = Path(args.store) if args.store else default_store_dir()
    files = graph_files()
    progress = None if args.quiet else graph_progress("build", len(files))
    store, report = open_built_store(target, files=files, base=args.base or BASE, rebuild=args.rebuild,
                                     progress=progress)
    print(f"store: {report.store_path} ({len(report.loaded)} loaded, {len(report.reused)} reused, "
          f"{report.seconds:.1f} s)")
    store.close()
    del store
    gc.collect()
    return target


def run(args: argparse.Namespace) -> int:
    from sparql_api.server import serve

    settings = settings_from(args)
    target = prepare_store(args)
    print(f"SPARQL: http://{settings.host}:{settings.port}/sparql   "
          f"Graph Store: http://{settings.host}:{settings.port}/rdf-graphs   "
          f"writes: {'on' if settings.writes_enabled else 'off'}", flush=True)
    serve(target, settings)
    return 0
