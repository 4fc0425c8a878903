"""The ``quartiers`` command: import, build, query, stats, validate, serve.

Each subcommand is a small function; ``validate`` and ``serve`` are registered by the modules that own
them (``graph.validation.cli`` and ``sparql_api.cli``). Errors print one line saying what and where, and
exit with 2 (unusable input) or 1 (failure).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graph.build import BuildReport, open_built_store
from graph.layout import default_store_dir, graph_files, resource_dir, shared_dir
from graph.namespaces import BASE, PREFIXES
from graph.progress import graph_progress
from graph.store import OxigraphStore

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def fail(message_fr: str, message_en: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"quartiers: {message_fr} / {message_en}", file=sys.stderr)
    return code


# ---- import --------------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from graph.importer import ImportFailure, run_import

    reference = Path(args.reference) if args.reference else shared_dir() / "reference"
    out = Path(args.out) if args.out else resource_dir("data") / "reference"
    if not reference.is_dir():
        return fail(f"dossier de référence introuvable : {reference}", f"reference folder not found: {reference}")
    started = time.perf_counter()
    try:
        counts = run_import(reference, out, progress=not args.quiet)
    except ImportFailure as exc:
        print(f"quartiers import: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for name, count in sorted(counts.items()):
        print(f"{count:>9}  {out / name}")
    print(f"{sum(counts.values()):>9}  triples in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


# ---- build / stats -------------------------------------------------------------------------------
def open_store_for(args: argparse.Namespace, *, rebuild: bool = False) -> tuple[OxigraphStore, BuildReport]:
    """Open (building or updating when needed) the persistent store named by ``--store``."""
    files = graph_files()
    step = None if getattr(args, "quiet", False) else graph_progress("build", len(files))
    store, report = open_built_store(
        Path(args.store) if args.store else default_store_dir(),
        files=files,
        base=getattr(args, "base", None) or BASE,
        rebuild=rebuild,
        progress=step,
    )
    return store, report


def print_counts(counts: dict[str, int]) -> None:
    for graph, count in counts.items():
        print(f"{count:>9}  {graph or '(default graph)'}")
    print(f"{sum(counts.values()):>9}  total")


def cmd_build(args: argparse.Namespace) -> int:
    store, report = open_store_for(args, rebuild=args.rebuild)
    print_counts(store.graph_counts())
    print(
        f"store {report.store_path}: {len(report.loaded)} graph(s) loaded, {len(report.reused)} reused, "
        f"{len(report.removed)} removed in {report.seconds:.2f} s"
    )
    if report.inferred is not None:
        print(f"inferred graph: {sum(report.inferred.values())} triples in {report.inference_seconds:.2f} s")
    for clash in report.clashes:
        print(f"incohérence / clash: {clash}", file=sys.stderr)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    store, _ = open_store_for(args)
    print_counts(store.graph_counts())
    return EXIT_OK


# ---- query ---------------------------------------------------------------------------------------
def read_query_text(args: argparse.Namespace) -> str:
    if args.file:
        return Path(args.file).read_text(encoding="utf-8")
    if args.sparql == "-":
        return sys.stdin.read()
    return args.sparql


def with_prefixes(sparql: str) -> str:
    """Prepend the project's prefixes that the query uses but does not declare."""
    declared = {
        line.split()[1].rstrip(":").lower() for line in sparql.splitlines() if line.strip().upper().startswith("PREFIX")
    }
    needed = [p for p in PREFIXES if p not in declared and f"{p}:" in sparql]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in needed) + sparql


def shift_error_lines(message: str, added_lines: int) -> str:
    """Report ``line:column`` positions relative to the user's text (prefix lines were prepended)."""
    return re.sub(r"at (\d+):(\d+)", lambda m: f"at {int(m[1]) - added_lines}:{m[2]}", message, count=1)


def format_table(variables: list[str], rows: list[dict[str, str]]) -> str:
    widths = {v: max([len(v), *(len(r.get(v, "")) for r in rows)]) for v in variables}
    lines = ["  ".join(v.ljust(widths[v]) for v in variables), "  ".join("-" * widths[v] for v in variables)]
    lines += ["  ".join(r.get(v, "").ljust(widths[v]) for v in variables) for r in rows]
    return "\n".join(lines)


def cmd_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from graph.store import StoreError

    try:
        text = read_query_text(args)
        sparql = with_prefixes(text)
    except OSError as exc:
        return fail(f"lecture impossible : {exc}", f"cannot read: {exc}")
    store, _ = open_store_for(args)
    added_lines = sparql.count("\n") - text.count("\n")
    try:
        result = store.query(sparql)
    except StoreError as exc:
        where = shift_error_lines(str(exc), added_lines)
        return fail(f"requête invalide : {where}", f"invalid query: {where}")
    if result.kind == "boolean":
        print("true" if result.boolean else "false")
        return EXIT_OK
    if result.kind == "graph":
        fmt = ox.RdfFormat.N_TRIPLES if args.format == "ntriples" else ox.RdfFormat.TURTLE
        sys.stdout.write(
            ox.serialize(result.triples(), format=fmt, prefixes=PREFIXES).decode()
            if fmt == ox.RdfFormat.TURTLE
            else ox.serialize(result.triples(), format=fmt).decode()
        )
        return EXIT_OK
    if args.format in {"json", "csv", "tsv", "xml"}:
        fmt = {
            "json": ox.QueryResultsFormat.JSON,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
            "xml": ox.QueryResultsFormat.XML,
        }[args.format]
        sys.stdout.write(result.native.serialize(format=fmt).decode())  # type: ignore[union-attr]
        return EXIT_OK
    print(format_table(result.variables, result.rows()))
    return EXIT_OK


# ---- parser --------------------------------------------------------------------------------------
def store_options() -> argparse.ArgumentParser:
    """The options every subcommand that opens the store shares."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", help=f"store folder (default: {default_store_dir()})")
    parser.add_argument("--base", help=f"base IRI to serve the data under (default: {BASE})")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return parser


Register = Callable[[argparse._SubParsersAction, list[argparse.ArgumentParser]], None]


def build_parser(extra: list[Register] | None = None) -> argparse.ArgumentParser:
    """The command's parser: the library's subcommands, plus ``extra`` registrations (e.g. ``serve``)."""
    parser = argparse.ArgumentParser(prog="quartiers", description="Quartiers KG: contrats de ville knowledge graph")
    sub = parser.add_subparsers(dest="command", required=True)
    common = [store_options()]

    p = sub.add_parser("import", help="turn ../shared/reference CSVs into data/reference/*.ttl")
    p.add_argument("--reference", help="reference folder (default: ../shared/reference)")
    p.add_argument("--out", help="output folder (default: data/reference)")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "build", parents=common, help="build (or update) the persistent store from ontology/ and data/, and infer"
    )
    p.add_argument("--rebuild", action="store_true", help="reload every graph")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("stats", parents=common, help="triples per named graph")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("query", parents=common, help="run a SPARQL query (default graph = union of all graphs)")
    p.add_argument("sparql", nargs="?", default="-", help="query text, or - for stdin")
    p.add_argument("-f", "--file", help="read the query from a file")
    p.add_argument("--format", choices=["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"], default="table")
    p.set_defaults(func=cmd_query)

    from graph.contracts.cli import register as register_import_contracts
    from graph.inference.cli import register as register_inference
    from graph.questions.cli import register as register_ask
    from graph.validation.cli import register as register_validate

    register_validate(sub, common)
    register_import_contracts(sub, common)
    register_inference(sub, common)
    register_ask(sub, common)
    for register in extra or []:
        register(sub, common)
    return parser


def main(argv: list[str] | None = None, extra: list[Register] | None = None) -> int:
    from graph.store import StoreError

    args = build_parser(extra).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except StoreError as exc:
        print(f"quartiers {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
