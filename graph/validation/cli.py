"""``quartiers validate``: check the store, one named graph, or files against shapes/.

Exit code 0 when there is no Violation, 1 when there are Violations (or Warnings with --strict), 2 for unusable
input (missing file, unknown type, syntax error printed as "path:line:column: erreur de syntaxe / syntax error: …",
a --graph that is not an IRI or not in the store) or an engine failure (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graph.layout import default_store_dir
from graph.validation.api import ENGINES, validate_files, validate_store
from graph.validation.dataset import UnknownGraphError, UnusableInputError
from graph.validation.report import ValidationReport


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        parents=parents,
        help="valider le graphe ou des fichiers (SHACL) / validate the graph or files (SHACL)",
        description=__doc__,
    )
    parser.add_argument("files", nargs="*", type=Path, help="files to validate (Turtle, TriG, N-Triples, JSON-LD)")
    parser.add_argument("--graph", action="append", default=[], metavar="IRI", help="validate one named graph")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    parser.add_argument("--output", type=Path, help="write the report to this file")
    parser.add_argument("--strict", action="store_true", help="Warnings also fail (exit code 1)")
    parser.add_argument("--engine", choices=ENGINES, default="oxigraph")
    parser.set_defaults(func=run)


def render(report: ValidationReport, fmt: str, lang: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "turtle":
        return report.to_turtle()
    return report.summary(lang)


def exit_code(report: ValidationReport, strict: bool) -> int:
    if report.has("Violation") or (strict and report.has("Warning")):
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    from graph.build import open_built_store

    store, _build = open_built_store(Path(args.store) if args.store else default_store_dir())
    # exit 1 means "results at or above this severity"; the text report says "conforms" below it
    threshold = "Warning" if args.strict else "Violation"
    try:
        if args.files:
            report = validate_files(args.files, store=store, engine=args.engine, min_severity=threshold)
        else:
            report = validate_store(store, graphs=args.graph or None, engine=args.engine, min_severity=threshold)
    except UnusableInputError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except UnknownGraphError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # an engine failure is not a validation result: never exit 1 for it
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"échec du moteur / engine failure ({args.engine}): {type(exc).__name__}: {first}", file=sys.stderr)
        return 2
    finally:
        store.close()
    text = render(report, args.format, args.lang)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return exit_code(report, args.strict)
