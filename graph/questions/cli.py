"""``quartiers ask``: run a named question of the catalogue.

    quartiers ask --list
    quartiers ask NAME [--param name=value | --NAME value …] [--format table|csv|json] [--lang fr|en]

A bad question name or parameter prints one line saying what (in French and English) and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

from graph.layout import default_store_dir
from graph.questions import ParameterError, Question, UnknownQuestionError, get_question, load_catalogue

EXIT_BAD_INPUT = 2
FORMATS = {"csv": ox.QueryResultsFormat.CSV, "json": ox.QueryResultsFormat.JSON, "tsv": ox.QueryResultsFormat.TSV}


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ask",
        parents=parents,
        help="poser une question du catalogue / ask a question of the catalogue",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(parser)
    parser.add_argument("--list", action="store_true", help="list the questions and their parameters")
    parser.add_argument("name", nargs="?", help="question name (see --list)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="parameters: --NAME VALUE or --param NAME=VALUE")
    parser.set_defaults(func=run)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter value (repeatable); --NAME VALUE works too")
    parser.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of --list")
    parser.add_argument("--show-query", action="store_true", help="print the SPARQL instead of running it")


def options_after_name(args: argparse.Namespace) -> list[str]:
    """Options written after the question's name (argparse leaves them in ``rest``) update ``args``; what is
    left are the question's parameters."""
    from graph.cli import store_options

    parser = argparse.ArgumentParser(prog=f"quartiers ask {args.name}", add_help=False, parents=[store_options()])
    add_options(parser)
    later, extra = parser.parse_known_args(args.rest, argparse.Namespace())
    for key, value in vars(later).items():
        if key == "param":
            args.param = [*args.param, *value]
        elif value not in (None, False) and value != parser.get_default(key):
            setattr(args, key, value)
    return extra


def bad_input(message_fr: str, message_en: str) -> int:
    print(f"quartiers ask: {message_fr} / {message_en}", file=sys.stderr)
    return EXIT_BAD_INPUT


def parse_params(items: list[str], extra: list[str]) -> dict[str, str]:
    """``--param a=b`` items and ``--a b`` / ``--a=b`` leftovers as {name: value}."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(
                f"--param attend NOM=VALEUR, pas {item!r}", f"--param expects NAME=VALUE, not {item!r}"
            )
        values[name] = value
    i = 0
    while i < len(extra):
        token = extra[i]
        if not token.startswith("--") or len(token) < 3:
            raise ParameterError(f"argument inattendu : {token!r}", f"unexpected argument: {token!r}")
        name, sep, value = token[2:].partition("=")
        if not sep:
            if i + 1 >= len(extra):
                raise ParameterError(f"valeur manquante pour --{name}", f"missing value for --{name}")
            value = extra[i + 1]
            i += 1
        values[name] = value
        i += 1
    return values


def list_text(lang: str) -> str:
    lines = []
    for question in load_catalogue().values():
        lines.append(f"{question.name}  —  {question.title[lang]}")
        for p in question.parameters:
            lines.append(f"    --{p.name} ({p.type}, défaut/default {p.default}): {p.description[lang]}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from graph.build import open_built_store
    from graph.cli import format_table
    from graph.store import StoreError

    if args.list:
        sys.stdout.write(list_text(args.lang))
        return 0
    if not args.name:
        return bad_input(
            "nom de question manquant (quartiers ask --list)", "missing question name (quartiers ask --list)"
        )
    try:
        extra = options_after_name(args)
    except SystemExit:  # argparse already printed what is wrong
        return EXIT_BAD_INPUT
    try:
        question: Question = get_question(args.name)
        given = parse_params(args.param, extra)
        sparql = question.render(given)
    except UnknownQuestionError as exc:
        return bad_input(exc.message_fr, exc.message_en)
    except ParameterError as exc:
        return bad_input(exc.message_fr, exc.message_en)
    if args.show_query:
        sys.stdout.write(sparql)
        return 0
    store, _ = open_built_store(Path(args.store) if args.store else default_store_dir())
    try:
        result = store.query(sparql)
        if args.format in FORMATS:
            sys.stdout.write(result.native.serialize(format=FORMATS[args.format]).decode())  # type: ignore[union-attr]
        else:
            print(format_table(result.variables, result.rows()))
    except StoreError as exc:
        print(f"quartiers ask {question.name}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0
