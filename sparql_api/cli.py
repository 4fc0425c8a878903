"""``quartiers serve``: build or reuse the store, then serve the SPARQL endpoint."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from graph.build import build_into, open_built_store
from graph.layout import default_store_dir, graph_files
from graph.namespaces import BASE
from graph.progress import graph_progress
from graph.store import RdflibStore, Store
from sparql_api.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve", help="servir le point d'accès SPARQL / serve the SPARQL endpoint",
        description="SPARQL 1.1 endpoint (/sparql) and Graph Store (/rdf-graphs) over the Quartiers KG dataset.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: %(default)s → "
                        "$QUARTIERS_STORE or ~/.local/share/quartiers/store)")
    parser.add_argument("--backend", choices=("oxigraph", "rdflib"), default="oxigraph")
    parser.add_argument("--base", default=BASE, help="base IRI of the served data")
    parser.add_argument("--token", default=os.environ.get("QUARTIERS_TOKEN"),
                        help="Bearer token enabling writes (or env QUARTIERS_TOKEN); none = read-only")
    parser.add_argument("--token-name", default="editor", help="agent name recorded for writes with the token")
    parser.add_argument("--timeout", type=float, default=30.0, help="query timeout in seconds")
    parser.add_argument("--max-rows", type=int, default=100_000)
    parser.add_argument("--no-shacl-gate", action="store_true", help="accept writes without SHACL validation")
    parser.add_argument("--allow-service", nargs="*", default=[], metavar="IRI",
                        help="IRI prefixes that SERVICE and LOAD may reach (default: none)")
    parser.add_argument("--cors", nargs="*", default=["*"], metavar="ORIGIN")
    parser.add_argument("--rebuild", action="store_true", help="reload every file into the store")
    parser.set_defaults(func=run)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host, port=args.port, base_iri=args.base, write_token=args.token or None,
        write_token_name=args.token_name, query_timeout=args.timeout, max_result_rows=args.max_rows,
        allow_remote=tuple(args.allow_service), shacl_gate=not args.no_shacl_gate, cors_origins=tuple(args.cors),
    )


def open_serving_store(args: argparse.Namespace) -> Store:
    progress = graph_progress("build", len(graph_files()))
    if args.backend == "rdflib":
        store: Store = RdflibStore()
        build_into(store, base=args.base, progress=progress)
        return store
    built, report = open_built_store(args.store or default_store_dir(), base=args.base, rebuild=args.rebuild,
                                     progress=progress)
    print(f"store: {report.store_path} ({len(report.loaded)} loaded, {len(report.reused)} reused, "
          f"{report.seconds:.1f} s)")
    return built


def run(args: argparse.Namespace) -> int:
    from sparql_api.server import serve

    settings = settings_from(args)
    store = open_serving_store(args)
    for graph, count in store.graph_counts().items():
        print(f"  {count:>9}  {graph or '(default graph)'}")
    print(f"SPARQL: http://{settings.host}:{settings.port}/sparql   "
          f"Graph Store: http://{settings.host}:{settings.port}/rdf-graphs   "
          f"writes: {'on' if settings.writes_enabled else 'off'}", flush=True)
    serve(store, settings)
    return 0
